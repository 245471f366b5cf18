"""The official `meilisearch` client, end to end, against the provisioned server.

Every assertion here is one real Meilisearch v1.53 satisfies, so the module documents
the behaviour the fake copies and runs unchanged against a real server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import meilisearch as meilisearch_client
import pytest
from meilisearch.errors import MeilisearchApiError
from meilisearch.index import Index

MOVIES = [
    {"id": 1, "title": "Alien", "genre": "scifi", "year": 1979, "rating": 8.5, "tags": ["space"]},
    {"id": 2, "title": "Aliens", "genre": "scifi", "year": 1986, "rating": 8.4, "tags": ["war"]},
    {"id": 3, "title": "Amelie", "genre": "romance", "year": 2001, "rating": 8.3, "tags": ["city"]},
    {"id": 4, "title": "Heat", "genre": "crime", "year": 1995, "rating": 8.2, "tags": ["heist"]},
    {"id": 5, "title": "Ronin", "genre": "crime", "year": 1998, "rating": 7.2, "tags": ["heist"]},
    {"id": 6, "title": "Solaris", "genre": "scifi", "year": 1972, "rating": 8.0, "tags": ["space"]},
]

BOOKS = [
    {"isbn": "b1", "title": "Heat", "author": "Bill Buford"},
    {"isbn": "b2", "title": "Dune", "author": "Frank Herbert"},
]

SETTINGS = {
    "filterableAttributes": ["genre", "year", "rating", "tags"],
    "sortableAttributes": ["year", "rating"],
    "faceting": {"maxValuesPerFacet": 50, "sortFacetValuesBy": {"*": "count"}},
    "synonyms": {"xenomorph": ["alien"]},
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 9},
        "disableOnWords": ["amelia"],
    },
}


def finish(client: Any, task: Any) -> Any:
    """Wait for an enqueued task with the client's own helper; return the finished task."""
    return client.wait_for_task(task.task_uid, timeout_in_ms=10_000, interval_in_ms=10)


def succeed(client: Any, task: Any) -> Any:
    done = finish(client, task)
    assert done.status == "succeeded", done.error
    return done


def ids(hits: list[dict[str, Any]]) -> list[Any]:
    return [hit["id"] for hit in hits]


@pytest.fixture(scope="module")
def client(meilisearch: Any) -> Any:
    return meilisearch.client


@pytest.fixture(scope="module")
def movies(client: Any, module_prefix: str) -> Index:
    """One index with settings and documents, shared by the read-only tests below."""
    uid = module_prefix + "movies"
    succeed(client, client.create_index(uid, {"primaryKey": "id"}))
    index: Index = client.index(uid)
    succeed(client, index.update_settings(SETTINGS))
    succeed(client, index.add_documents(MOVIES))
    return index


@pytest.fixture(scope="module")
def books(client: Any, module_prefix: str) -> Index:
    uid = module_prefix + "books"
    index: Index = client.index(uid)
    succeed(client, index.add_documents(BOOKS, primary_key="isbn"))
    return index


@pytest.fixture
def fresh(client: Any, index_uid: str) -> Iterator[Index]:
    """An index of this test only, holding the movies without any settings."""
    index = client.index(index_uid)
    succeed(client, index.add_documents(MOVIES, primary_key="id"))
    yield index


def test_creating_an_index_reports_its_uid_and_primary_key(client: Any, movies: Index) -> None:
    fetched = client.get_index(movies.uid)
    assert (fetched.uid, fetched.primary_key) == (movies.uid, "id")
    assert movies.uid in {index.uid for index in client.get_indexes({"limit": 1000})["results"]}


def test_applied_settings_read_back_as_written(movies: Index) -> None:
    settings = movies.get_settings()
    assert settings["filterableAttributes"] == SETTINGS["filterableAttributes"]
    assert settings["sortableAttributes"] == sorted(SETTINGS["sortableAttributes"])
    assert settings["faceting"] == SETTINGS["faceting"]
    assert settings["synonyms"] == SETTINGS["synonyms"]
    typos = settings["typoTolerance"]
    assert typos["minWordSizeForTypos"] == {"oneTypo": 4, "twoTypos": 9}
    assert typos["disableOnWords"] == ["amelia"]


def test_added_documents_are_all_stored(movies: Index) -> None:
    assert movies.get_stats().number_of_documents == len(MOVIES)
    assert movies.get_document(3).title == "Amelie"


def test_a_filter_keeps_only_matching_documents(movies: Index) -> None:
    result = movies.search("", {"filter": "genre = scifi AND year > 1975"})
    assert sorted(ids(result["hits"])) == [1, 2]


def test_an_array_filter_is_an_and_of_ors(movies: Index) -> None:
    result = movies.search("", {"filter": [["genre = crime", "genre = romance"], "year < 2000"]})
    assert sorted(ids(result["hits"])) == [4, 5]


def test_sort_orders_hits_by_a_sortable_attribute(movies: Index) -> None:
    result = movies.search("", {"sort": ["year:desc"]})
    assert ids(result["hits"]) == [3, 5, 4, 2, 1, 6]


def test_facets_give_a_distribution_and_numeric_stats(movies: Index) -> None:
    result = movies.search("", {"facets": ["genre", "rating"]})
    assert result["facetDistribution"]["genre"] == {"scifi": 3, "crime": 2, "romance": 1}
    assert result["facetStats"] == {"rating": {"min": 7.2, "max": 8.5}}


def test_facets_count_only_the_filtered_hits(movies: Index) -> None:
    result = movies.search("", {"facets": ["tags"], "filter": "genre = scifi"})
    assert result["facetDistribution"] == {"tags": {"space": 2, "war": 1}}


def test_offset_and_limit_report_an_estimated_total(movies: Index) -> None:
    result = movies.search("", {"sort": ["year:asc"], "offset": 1, "limit": 2})
    assert ids(result["hits"]) == [1, 2]
    assert (result["offset"], result["limit"], result["estimatedTotalHits"]) == (1, 2, 6)
    assert "totalHits" not in result
    assert "totalPages" not in result


def test_page_and_hits_per_page_report_exact_totals(movies: Index) -> None:
    result = movies.search("", {"sort": ["year:asc"], "page": 2, "hitsPerPage": 4})
    assert ids(result["hits"]) == [5, 3]
    assert (result["page"], result["hitsPerPage"]) == (2, 4)
    assert (result["totalHits"], result["totalPages"]) == (6, 2)
    assert "estimatedTotalHits" not in result


def test_prefix_search_matches_the_last_word_as_a_prefix(movies: Index) -> None:
    assert sorted(ids(movies.search("alie")["hits"])) == [1, 2]


def test_synonyms_widen_a_query(movies: Index) -> None:
    assert 1 in ids(movies.search("xenomorph")["hits"])


def test_typo_tolerance_follows_the_word_size_setting(movies: Index) -> None:
    assert ids(movies.search("solaros")["hits"]) == [6]
    assert movies.search("het")["hits"] == []


def test_typo_tolerance_is_off_for_disabled_query_words(movies: Index) -> None:
    assert ids(movies.search("amelix")["hits"]) == [3]
    assert movies.search("amelia")["hits"] == []


def test_ranking_score_is_between_zero_and_one(movies: Index) -> None:
    hits = movies.search("alien", {"showRankingScore": True})["hits"]
    assert hits
    assert all(0.0 <= hit["_rankingScore"] <= 1.0 for hit in hits)
    scores = [hit["_rankingScore"] for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_facet_search_counts_values_matching_the_query(movies: Index) -> None:
    result = movies.facet_search("genre", "sci")
    assert result["facetHits"] == [{"value": "scifi", "count": 3}]
    assert result["facetQuery"] == "sci"


def test_facet_search_honours_the_filter(movies: Index) -> None:
    result = movies.facet_search("tags", None, {"filter": "genre = crime"})
    assert result["facetHits"] == [{"value": "heist", "count": 2}]


def test_multi_search_answers_each_query_in_order(client: Any, movies: Index, books: Index) -> None:
    result = client.multi_search(
        [{"indexUid": movies.uid, "q": "amelie"}, {"indexUid": books.uid, "q": "dune"}]
    )
    first, second = result["results"]
    assert (first["indexUid"], ids(first["hits"])) == (movies.uid, [3])
    assert (second["indexUid"], [hit["isbn"] for hit in second["hits"]]) == (books.uid, ["b2"])


def test_federated_search_merges_hits_by_weighted_score(
    client: Any, movies: Index, books: Index
) -> None:
    result = client.multi_search(
        [
            {"indexUid": movies.uid, "q": "heat", "federationOptions": {"weight": 0.5}},
            {"indexUid": books.uid, "q": "heat", "federationOptions": {"weight": 1.0}},
        ],
        {"limit": 10},
    )
    assert "results" not in result
    origins = [hit["_federation"]["indexUid"] for hit in result["hits"]]
    assert origins == [books.uid, movies.uid]
    assert [hit["_federation"]["queriesPosition"] for hit in result["hits"]] == [1, 0]
    assert result["estimatedTotalHits"] == 2
    weighted = [hit["_federation"]["weightedRankingScore"] for hit in result["hits"]]
    assert weighted == sorted(weighted, reverse=True)


def test_swapping_indexes_exchanges_their_documents(
    client: Any, meilisearch_index_prefix: str
) -> None:
    first, second = meilisearch_index_prefix + "first", meilisearch_index_prefix + "second"
    succeed(client, client.index(first).add_documents([{"id": 1, "side": "first"}]))
    succeed(client, client.index(second).add_documents([{"id": 1, "side": "second"}]))
    done = succeed(client, client.swap_indexes([{"indexes": [first, second]}]))
    assert done.type == "indexSwap"
    assert client.index(first).get_document(1).side == "second"
    assert client.index(second).get_document(1).side == "first"


def test_swapping_with_rename_moves_an_index_to_a_new_name(
    client: Any, meilisearch_index_prefix: str
) -> None:
    old, new = meilisearch_index_prefix + "old", meilisearch_index_prefix + "new"
    succeed(client, client.index(old).add_documents([{"id": 7, "name": "kept"}]))
    succeed(client, client.swap_indexes([{"indexes": [old, new], "rename": True}]))
    assert client.index(new).get_document(7).name == "kept"
    with pytest.raises(MeilisearchApiError) as caught:
        client.get_index(old)
    assert caught.value.code == "index_not_found"


def test_delete_by_filter_removes_exactly_the_matching_documents(client: Any, fresh: Index) -> None:
    succeed(client, fresh.update_filterable_attributes(["genre"]))
    done = succeed(client, fresh.delete_documents(filter="genre = crime"))
    assert done.type == "documentDeletion"
    assert done.details["deletedDocuments"] == 2
    remaining = fresh.get_documents({"limit": 100}).results
    assert sorted(doc.id for doc in remaining) == [1, 2, 3, 6]


def test_task_list_filters_by_index_status_type_and_uid(client: Any, fresh: Index) -> None:
    failed = finish(client, fresh.add_documents([{"id": "not valid!"}]))
    assert failed.status == "failed"
    settings = succeed(client, fresh.update_sortable_attributes(["year"]))
    mine = client.get_tasks({"indexUids": [fresh.uid]})
    assert mine.total == 3
    assert {task.index_uid for task in mine.results} == {fresh.uid}
    by_status = client.get_tasks({"indexUids": [fresh.uid], "statuses": ["failed"]})
    assert [task.uid for task in by_status.results] == [failed.uid]
    by_type = client.get_tasks({"indexUids": [fresh.uid], "types": ["settingsUpdate"]})
    assert [task.uid for task in by_type.results] == [settings.uid]
    by_uid = client.get_tasks({"uids": [str(failed.uid), str(settings.uid)]})
    assert sorted(task.uid for task in by_uid.results) == [failed.uid, settings.uid]


def test_task_list_pages_with_from_limit_and_reverse(client: Any, fresh: Index) -> None:
    succeed(client, fresh.update_sortable_attributes(["year"]))
    succeed(client, fresh.update_filterable_attributes(["genre"]))
    everything = client.get_tasks({"indexUids": [fresh.uid]})
    newest_first = [task.uid for task in everything.results]
    assert newest_first == sorted(newest_first, reverse=True)
    assert len(newest_first) == 3
    page = client.get_tasks({"indexUids": [fresh.uid], "limit": 2})
    assert [task.uid for task in page.results] == newest_first[:2]
    assert page.next_ == newest_first[2]
    rest = client.get_tasks({"indexUids": [fresh.uid], "limit": 2, "from": page.next_})
    assert [task.uid for task in rest.results] == newest_first[2:]
    assert rest.next_ is None
    reverse = client.get_tasks({"indexUids": [fresh.uid], "reverse": "true"})
    assert [task.uid for task in reverse.results] == newest_first[::-1]


def api_error(call: Any, *args: Any, **kwargs: Any) -> MeilisearchApiError:
    with pytest.raises(MeilisearchApiError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_an_unknown_index_is_index_not_found(client: Any, meilisearch_index_prefix: str) -> None:
    error = api_error(client.get_index, meilisearch_index_prefix + "missing")
    assert (error.status_code, error.code) == (404, "index_not_found")
    error = api_error(client.index(meilisearch_index_prefix + "missing").search, "x")
    assert (error.status_code, error.code) == (404, "index_not_found")


def test_filtering_on_an_unfilterable_attribute_names_it(movies: Index) -> None:
    error = api_error(movies.search, "", {"filter": "title = Heat"})
    assert (error.status_code, error.code) == (400, "invalid_search_filter")
    assert "`title`" in error.message


def test_a_malformed_filter_is_invalid_search_filter(movies: Index) -> None:
    error = api_error(movies.search, "", {"filter": "genre = "})
    assert (error.status_code, error.code) == (400, "invalid_search_filter")


def test_sorting_on_an_unsortable_attribute_is_invalid_search_sort(movies: Index) -> None:
    error = api_error(movies.search, "", {"sort": ["title:asc"]})
    assert (error.status_code, error.code) == (400, "invalid_search_sort")
    assert "`title`" in error.message


def test_faceting_an_unfilterable_attribute_is_invalid_search_facets(movies: Index) -> None:
    error = api_error(movies.search, "", {"facets": ["title"]})
    assert (error.status_code, error.code) == (400, "invalid_search_facets")
    assert "`title`" in error.message


def test_an_unknown_task_is_task_not_found(client: Any) -> None:
    error = api_error(client.get_task, 4_000_000_000)
    assert (error.status_code, error.code) == (404, "task_not_found")


def test_a_wrong_key_is_invalid_api_key(meilisearch: Any) -> None:
    if meilisearch.api_key is None:
        pytest.skip("this server runs without a master key, so every key is accepted")
    intruder = meilisearch_client.Client(meilisearch.url, "not-the-right-key-0123456789")
    error = api_error(intruder.get_indexes)
    assert (error.status_code, error.code) == (403, "invalid_api_key")
    assert error.type == "auth"


def test_no_authorization_header_is_missing_authorization_header(
    meilisearch: Any, api: Any
) -> None:
    if meilisearch.api_key is None:
        pytest.skip("this server runs without a master key, so no header is needed")
    answer = api.call("GET", "/indexes", key=None)
    assert (answer.status, answer.code) == (401, "missing_authorization_header")
    assert answer.body["type"] == "auth"


def test_the_client_without_a_key_sends_one_that_is_refused(meilisearch: Any) -> None:
    if meilisearch.api_key is None:
        pytest.skip("this server runs without a master key, so every key is accepted")
    error = api_error(meilisearch_client.Client(meilisearch.url).get_indexes)
    assert (error.status_code, error.code) == (403, "invalid_api_key")


@pytest.mark.parametrize(
    "bad_id",
    ["spaces are not allowed", "slash/inside", "", "x" * 512, 1.5, True, ["list"], {"a": 1}],
    ids=["space", "slash", "empty", "too-long", "float", "bool", "array", "object"],
)
def test_a_bad_document_id_fails_the_task(client: Any, index_uid: str, bad_id: Any) -> None:
    task = finish(client, client.index(index_uid).add_documents([{"id": bad_id}], "id"))
    assert task.status == "failed"
    assert task.error["code"] == "invalid_document_id"
    assert task.error["type"] == "invalid_request"


@pytest.mark.parametrize("good_id", [0, 42, "abc-DEF_123", "x" * 511])
def test_integer_and_word_ids_are_accepted(client: Any, index_uid: str, good_id: Any) -> None:
    index = client.index(index_uid)
    succeed(client, index.add_documents([{"id": good_id, "v": 1}], "id"))
    assert index.get_document(str(good_id)).id == good_id


def test_a_document_without_the_primary_key_fails_the_task(client: Any, index_uid: str) -> None:
    index = client.index(index_uid)
    succeed(client, client.create_index(index_uid, {"primaryKey": "id"}))
    task = finish(client, index.add_documents([{"id": 1}, {"name": "no id"}]))
    assert (task.status, task.error["code"]) == ("failed", "missing_document_id")
    assert index.get_stats().number_of_documents == 0


def test_primary_key_inference_needs_one_candidate(client: Any, index_uid: str) -> None:
    index = client.index(index_uid)
    task = finish(client, index.add_documents([{"name": "nothing ends in id"}]))
    assert (task.status, task.error["code"]) == ("failed", "index_primary_key_no_candidate_found")
    task = finish(client, index.add_documents([{"id": 1, "movie_id": 2}]))
    code = "index_primary_key_multiple_candidates_found"
    assert (task.status, task.error["code"]) == ("failed", code)


def test_primary_key_inference_takes_the_single_id_field(client: Any, index_uid: str) -> None:
    index = client.index(index_uid)
    succeed(client, index.add_documents([{"movie_id": 9, "title": "Ran"}]))
    assert client.get_index(index_uid).primary_key == "movie_id"
