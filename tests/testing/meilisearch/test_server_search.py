"""Search routes through HTTP: the server finds the index and hands over to the engine."""

from __future__ import annotations

import pytest
from meilisearch.errors import MeilisearchApiError

MOVIES = [
    {"id": 1, "title": "Alien", "genre": "scifi"},
    {"id": 2, "title": "Amelie", "genre": "romance"},
    {"id": 3, "title": "Aliens", "genre": "scifi"},
]


@pytest.fixture
def movies(client, fake):
    index = client.index("movies")
    index.update_filterable_attributes(["genre"])
    index.add_documents(MOVIES)
    fake.wait_idle()
    return index


def test_post_search_finds_documents(movies):
    result = movies.search("alien")
    assert [hit["id"] for hit in result["hits"]] == [1, 3]
    assert result["query"] == "alien"


def test_get_search_reads_the_query_string(movies, raw):
    response = raw("GET", "/indexes/movies/search?q=alien&limit=1")
    assert response.status == 200
    assert [hit["id"] for hit in response.body["hits"]] == [1]
    assert response.body["limit"] == 1


def test_search_uses_the_index_settings(movies):
    result = movies.search("", {"filter": "genre = scifi", "facets": ["genre"]})
    assert result["facetDistribution"] == {"genre": {"scifi": 2}}
    with pytest.raises(MeilisearchApiError) as caught:
        movies.search("", {"filter": "title = Alien"})
    assert caught.value.code == "invalid_search_filter"


def test_facet_search_answers_facet_hits(movies):
    result = movies.facet_search("genre", "sc")
    assert result["facetHits"] == [{"value": "scifi", "count": 2}]


def test_multi_search_runs_each_query(client, movies):
    result = client.multi_search([{"indexUid": "movies", "q": "amelie"}])
    assert [hit["id"] for hit in result["results"][0]["hits"]] == [2]
    federated = client.multi_search([{"indexUid": "movies", "q": "alien"}], {})
    assert {hit["id"] for hit in federated["hits"]} == {1, 3}


def test_invalid_search_parameters_get_the_engine_codes(raw, movies):
    response = raw("POST", "/indexes/movies/search", json_body={"limit": -1})
    assert (response.status, response.code) == (400, "invalid_search_limit")


def test_search_on_an_index_without_documents_is_empty(client, fake):
    client.create_index("empty")
    fake.wait_idle()
    assert client.index("empty").search("x")["hits"] == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/indexes/nope/search", {"q": "a"}),
        ("GET", "/indexes/nope/search?q=a", None),
        ("POST", "/indexes/nope/facet-search", {"facetName": "genre"}),
        ("POST", "/multi-search", {"queries": [{"indexUid": "nope"}]}),
    ],
)
def test_searching_an_unknown_index_is_404(raw, method, path, body):
    response = raw(method, path, json_body=body)
    assert (response.status, response.code) == (404, "index_not_found")


def test_an_invalid_index_uid_in_a_search_path_is_400(raw):
    response = raw("POST", "/indexes/not%20valid/search", json_body={})
    assert (response.status, response.code) == (400, "invalid_index_uid")


def test_the_official_client_gets_performance_details_and_vectors(client, fake):
    index = client.index("embedded")
    index.add_documents([{"id": 1, "title": "Alien", "_vectors": {"default": [0.1, 0.2]}}])
    fake.wait_idle()
    result = index.search("alien", {"showPerformanceDetails": True, "retrieveVectors": True})
    assert "search > evaluate query" in result["performanceDetails"]
    assert result["hits"][0]["_vectors"]["default"]["embeddings"] == [[0.1, 0.2]]
    assert "_vectors" not in index.search("alien")["hits"][0]
    assert index.search("0.1")["hits"] == []
