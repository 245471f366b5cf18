"""`_vectors` on document reads: hidden unless `retrieveVectors=true`, then always an object."""

from __future__ import annotations

import pytest

DOCS = [
    {"id": 1, "title": "Dune", "_vectors": {"manual": [0.1, 0.2]}},
    {"id": 2, "title": "Emma"},
]


@pytest.fixture
def books(client, fake):
    index = client.index("books")
    index.add_documents(DOCS)
    fake.wait_idle()
    return index


def test_document_reads_hide_vectors_by_default(raw, books):
    assert raw("GET", "/indexes/books/documents/1").body == {"id": 1, "title": "Dune"}
    listed = raw("GET", "/indexes/books/documents").body["results"]
    assert listed == [{"id": 1, "title": "Dune"}, {"id": 2, "title": "Emma"}]
    fetched = raw("POST", "/indexes/books/documents/fetch", json_body={}).body["results"]
    assert all("_vectors" not in doc for doc in fetched)
    false = raw("GET", "/indexes/books/documents?retrieveVectors=false").body["results"]
    assert all("_vectors" not in doc for doc in false)


def test_retrieve_vectors_returns_them_and_an_empty_object_when_absent(raw, books):
    one = raw("GET", "/indexes/books/documents/1?retrieveVectors=true").body
    assert one == {"id": 1, "title": "Dune", "_vectors": {"manual": [0.1, 0.2]}}
    listed = raw("GET", "/indexes/books/documents?retrieveVectors=true").body["results"]
    assert [doc["_vectors"] for doc in listed] == [{"manual": [0.1, 0.2]}, {}]
    body = {"retrieveVectors": True, "ids": ["2"]}
    fetched = raw("POST", "/indexes/books/documents/fetch", json_body=body).body["results"]
    assert fetched == [{"id": 2, "title": "Emma", "_vectors": {}}]


def test_retrieved_vectors_follow_the_field_selection(raw, books):
    picked = raw("GET", "/indexes/books/documents/1?fields=title&retrieveVectors=true").body
    assert picked == {"title": "Dune", "_vectors": {}}
    kept = raw("GET", "/indexes/books/documents/1?fields=_vectors&retrieveVectors=true").body
    assert kept == {"_vectors": {"manual": [0.1, 0.2]}}


def test_hiding_vectors_leaves_the_stored_document_intact(raw, books):
    raw("GET", "/indexes/books/documents/1")
    again = raw("GET", "/indexes/books/documents/1?retrieveVectors=true").body
    assert again["_vectors"] == {"manual": [0.1, 0.2]}


def test_the_official_client_sees_vectors_only_on_request(books):
    assert "_vectors" not in dict(books.get_document(1))
    with_vectors = books.get_documents({"retrieveVectors": True})
    assert dict(with_vectors.results[0])["_vectors"] == {"manual": [0.1, 0.2]}
