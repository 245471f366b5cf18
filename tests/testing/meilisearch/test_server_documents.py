"""Documents: writes (primary key inference, id checks), reads, pages and deletions."""

from __future__ import annotations

import pytest
from meilisearch.errors import MeilisearchApiError


def _write(raw, finished, documents, query="", method="POST"):
    response = raw(method, f"/indexes/movies/documents{query}", json_body=documents)
    assert response.status == 202, response.body
    return finished(response.body["taskUid"])


def test_the_first_write_creates_the_index_and_infers_the_key(raw, finished):
    task = _write(raw, finished, [{"movie_id": 1, "title": "Alien"}])
    assert task["status"] == "succeeded"
    assert task["details"] == {"receivedDocuments": 1, "indexedDocuments": 1}
    assert raw("GET", "/indexes/movies").body["primaryKey"] == "movie_id"


def test_inference_is_case_insensitive(raw, finished):
    _write(raw, finished, [{"ID": "a", "title": "x"}])
    assert raw("GET", "/indexes/movies").body["primaryKey"] == "ID"


def test_inference_without_a_candidate_fails_the_task(raw, finished):
    task = _write(raw, finished, [{"title": "Alien"}])
    assert task["status"] == "failed"
    assert task["error"]["code"] == "index_primary_key_no_candidate_found"
    assert task["details"] == {"receivedDocuments": 1, "indexedDocuments": 0}
    assert raw("GET", "/indexes/movies").status == 404


def test_inference_with_several_candidates_fails_the_task(raw, finished):
    task = _write(raw, finished, [{"primary_id": "1", "object_id": "2", "id": "3"}])
    assert task["error"]["code"] == "index_primary_key_multiple_candidates_found"
    assert task["error"]["message"] == (
        "The primary key inference failed as the engine found 3 fields ending with `id` in "
        "their names: 'id' and 'object_id'. Please specify the primary key manually using "
        "the `primaryKey` query parameter."
    )


def test_the_primary_key_parameter_wins_over_inference(raw, finished):
    task = _write(raw, finished, [{"sku": "a", "id": 1}], query="?primaryKey=sku")
    assert task["status"] == "succeeded"
    assert raw("GET", "/indexes/movies").body["primaryKey"] == "sku"


def test_a_different_primary_key_parameter_fails_on_an_index_that_has_one(raw, finished):
    _write(raw, finished, [{"id": 1}])
    task = _write(raw, finished, [{"sku": "a"}], query="?primaryKey=sku")
    assert task["error"]["code"] == "index_primary_key_already_exists"


@pytest.mark.parametrize(
    "bad_id", ["foo & bar", "", "a" * 512, 1.5, True, None, ["1"], {"a": 1}, "é"]
)
def test_invalid_document_ids_fail_the_task(raw, finished, bad_id):
    task = _write(raw, finished, [{"id": 1}, {"id": bad_id}])
    assert task["status"] == "failed"
    assert task["error"]["code"] == "invalid_document_id"
    assert raw("GET", "/indexes/movies").status == 404


@pytest.mark.parametrize("good_id", [0, -5, 2**62, "abc", "A-b_9", "x" * 511])
def test_integer_and_safe_string_ids_are_accepted(raw, finished, good_id):
    assert _write(raw, finished, [{"id": good_id}])["status"] == "succeeded"


def test_a_document_without_the_primary_key_fails_the_task(raw, finished):
    _write(raw, finished, [{"id": 1}])
    task = _write(raw, finished, [{"id": 2}, {"title": "no id"}])
    assert task["error"]["code"] == "missing_document_id"
    assert task["error"]["message"] == (
        'Document doesn\'t have a `id` attribute: `{"title":"no id"}`.'
    )
    assert raw("GET", "/indexes/movies/documents").body["total"] == 1


def test_post_replaces_and_put_merges(client, fake):
    index = client.index("movies")
    index.add_documents([{"id": 1, "title": "Alien", "year": 1979}])
    index.add_documents([{"id": 1, "title": "Aliens"}])
    fake.wait_idle()
    assert dict(index.get_document(1)) == {"id": 1, "title": "Aliens"}
    index.update_documents([{"id": 1, "year": 1986}])
    fake.wait_idle()
    assert dict(index.get_document(1)) == {"id": 1, "title": "Aliens", "year": 1986}


def test_skip_creation_only_updates_existing_documents(raw, finished):
    _write(raw, finished, [{"id": 1, "a": 1}])
    task = _write(raw, finished, [{"id": 1, "b": 2}, {"id": 2}], "?skipCreation=true", "PUT")
    assert task["details"]["indexedDocuments"] == 1
    assert raw("GET", "/indexes/movies/documents").body["total"] == 1


def test_get_one_document_and_select_fields(raw, finished):
    _write(raw, finished, [{"id": "a", "title": "Alien", "meta": {"year": 1979, "by": "x"}}])
    assert raw("GET", "/indexes/movies/documents/a").body["title"] == "Alien"
    picked = raw("GET", "/indexes/movies/documents/a?fields=title,meta.year").body
    assert picked == {"title": "Alien", "meta": {"year": 1979}}


def test_an_unknown_document_is_404(raw, finished):
    _write(raw, finished, [{"id": 1}])
    response = raw("GET", "/indexes/movies/documents/2")
    assert (response.status, response.code) == (404, "document_not_found")
    assert response.body["message"] == "Document `2` not found."


def test_documents_list_in_insertion_order_with_pages(raw, finished):
    _write(raw, finished, [{"id": n, "n": n} for n in range(5)])
    page = raw("GET", "/indexes/movies/documents?offset=1&limit=2&fields=n").body
    assert page == {"results": [{"n": 1}, {"n": 2}], "offset": 1, "limit": 2, "total": 5}


def test_fetch_by_ids_and_filter(raw, finished, client, fake):
    _write(raw, finished, [{"id": n, "even": n % 2 == 0} for n in range(6)])
    client.index("movies").update_filterable_attributes(["even"])
    fake.wait_idle()
    by_ids = raw("POST", "/indexes/movies/documents/fetch", json_body={"ids": [1, "4", 9]}).body
    assert [doc["id"] for doc in by_ids["results"]] == [1, 4]
    by_filter = client.index("movies").get_documents({"filter": "even = true", "limit": 2})
    assert [doc.id for doc in by_filter.results] == [0, 2]
    assert by_filter.total == 3


def test_fetch_sorts_on_sortable_attributes(raw, finished, client, fake):
    _write(raw, finished, [{"id": 1, "rank": 3}, {"id": 2, "rank": 1}, {"id": 3}])
    not_sortable = raw("POST", "/indexes/movies/documents/fetch", json_body={"sort": ["rank:asc"]})
    assert (not_sortable.status, not_sortable.code) == (400, "invalid_document_sort")
    client.index("movies").update_sortable_attributes(["rank"])
    fake.wait_idle()
    page = raw("POST", "/indexes/movies/documents/fetch", json_body={"sort": ["rank:asc"]}).body
    assert [doc["id"] for doc in page["results"]] == [2, 1, 3]
    bad = raw("POST", "/indexes/movies/documents/fetch", json_body={"sort": ["rank"]})
    assert bad.code == "invalid_document_sort"


def test_a_filter_on_a_non_filterable_attribute_is_refused(raw, finished):
    _write(raw, finished, [{"id": 1, "genre": "x"}])
    response = raw("GET", "/indexes/movies/documents?filter=genre%20%3D%20x")
    assert (response.status, response.code) == (400, "invalid_document_filter")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=-1", "invalid_document_limit"),
        ("offset=doggo", "invalid_document_offset"),
        ("retrieveVectors=tamo", "invalid_document_retrieve_vectors"),
        ("ids=illegal%2Fid", "invalid_document_ids"),
        ("doggo=1", "bad_request"),
    ],
)
def test_bad_document_list_parameters(raw, finished, query, code):
    _write(raw, finished, [{"id": 1}])
    response = raw("GET", f"/indexes/movies/documents?{query}")
    assert (response.status, response.code) == (400, code)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"offset": "doggo"}, "invalid_document_offset"),
        ({"limit": -1}, "invalid_document_limit"),
        ({"fields": "doggo"}, "invalid_document_fields"),
        ({"ids": ["illegal/docid"]}, "invalid_document_ids"),
        ({"filter": True}, "invalid_document_filter"),
        ({"doggo": 1}, "bad_request"),
    ],
)
def test_bad_fetch_bodies(raw, finished, body, code):
    _write(raw, finished, [{"id": 1}])
    response = raw("POST", "/indexes/movies/documents/fetch", json_body=body)
    assert (response.status, response.code) == (400, code)


def test_reading_documents_of_an_unknown_index_is_404(raw):
    assert raw("GET", "/indexes/nope/documents").code == "index_not_found"
    assert raw("POST", "/indexes/nope/documents/fetch", json_body={}).code == "index_not_found"


def test_delete_one_batch_filter_and_all(raw, finished, client, fake):
    _write(raw, finished, [{"id": n, "g": n % 2} for n in range(6)])
    index = client.index("movies")
    one = index.delete_document(0)
    batch = raw("POST", "/indexes/movies/documents/delete-batch", json_body=[1, "2", 99]).body
    index.update_filterable_attributes(["g"])
    by_filter = index.delete_documents(filter="g = 1")
    fake.wait_idle()
    assert client.get_task(one.task_uid).details == {
        "providedIds": 1,
        "deletedDocuments": 1,
        "originalFilter": None,
    }
    assert client.get_task(batch["taskUid"]).details["deletedDocuments"] == 2
    assert client.get_task(by_filter.task_uid).details == {
        "providedIds": 0,
        "deletedDocuments": 2,
        "originalFilter": '"g = 1"',
    }
    everything = index.delete_all_documents()
    fake.wait_idle()
    assert client.get_task(everything.task_uid).details == {"deletedDocuments": 1}
    assert index.get_documents().total == 0


def test_delete_by_filter_checks_the_request(raw, finished):
    _write(raw, finished, [{"id": 1}])
    path = "/indexes/movies/documents/delete"
    assert raw("POST", path, json_body={}).code == "missing_document_filter"
    assert raw("POST", path, json_body={"filter": ""}).body["message"] == (
        "Sending an empty filter is forbidden."
    )
    assert raw("POST", path, json_body={"filter": 3}).code == "invalid_document_filter"
    assert raw("POST", path, json_body={"doggo": 1}).code == "bad_request"


def test_delete_by_filter_on_a_non_filterable_attribute_fails_the_task(raw, finished):
    _write(raw, finished, [{"id": 1}])
    uid = raw("POST", "/indexes/movies/documents/delete", json_body={"filter": "a = 1"}).body
    task = finished(uid["taskUid"])
    assert task["error"]["code"] == "invalid_document_filter"
    assert task["error"]["message"].startswith("Index `movies`: ")
    assert task["details"]["deletedDocuments"] == 0


def test_deleting_from_an_unknown_index_fails_the_task(client, fake):
    task = client.index("nope").delete_document(1)
    fake.wait_idle()
    assert client.get_task(task.task_uid).error["code"] == "index_not_found"


def test_delete_batch_needs_an_array(raw):
    response = raw("POST", "/indexes/movies/documents/delete-batch", json_body={"ids": [1]})
    assert (response.status, response.code) == (400, "bad_request")


def test_ndjson_and_csv_payloads_are_accepted(raw, finished):
    ndjson = b'{"id": 1, "title": "a"}\n\n{"id": 2, "title": "b"}\n'
    headers = {"Content-Type": "application/x-ndjson"}
    first = raw("POST", "/indexes/movies/documents", body=ndjson, headers=headers)
    assert finished(first.body["taskUid"])["details"]["indexedDocuments"] == 2
    csv = b"id:number,title,price:number,new:boolean\n3,c,1.5,true\n4,,,\n"
    second = raw(
        "POST", "/indexes/movies/documents", body=csv, headers={"Content-Type": "text/csv"}
    )
    assert finished(second.body["taskUid"])["status"] == "succeeded"
    assert raw("GET", "/indexes/movies/documents/3").body == {
        "id": 3,
        "title": "c",
        "price": 1.5,
        "new": True,
    }
    assert raw("GET", "/indexes/movies/documents/4").body["title"] is None


def test_csv_delimiter_is_honoured_and_checked(raw, finished):
    headers = {"Content-Type": "text/csv"}
    ok = raw(
        "POST", "/indexes/movies/documents?csvDelimiter=;", body=b"id;t\n1;x\n", headers=headers
    )
    assert finished(ok.body["taskUid"])["status"] == "succeeded"
    bad = raw("POST", "/indexes/movies/documents?csvDelimiter=ab", body=b"id\n1\n", headers=headers)
    assert bad.code == "invalid_document_csv_delimiter"
    json_with_delimiter = raw(
        "POST", "/indexes/movies/documents?csvDelimiter=;", json_body=[{"id": 1}]
    )
    assert (json_with_delimiter.status, json_with_delimiter.code) == (415, "invalid_content_type")


def test_malformed_csv_is_refused(raw):
    response = raw(
        "POST",
        "/indexes/movies/documents",
        body=b"id:number\ndoggo\n",
        headers={"Content-Type": "text/csv"},
    )
    assert (response.status, response.code) == (400, "malformed_payload")


def test_the_official_client_sees_document_errors(client):
    with pytest.raises(MeilisearchApiError) as caught:
        client.index("nope").get_document(1)
    assert caught.value.code == "index_not_found"
