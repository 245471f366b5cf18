"""Multi-search: side-by-side results, federated merging by weight, facets, errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search import DocumentStore, multi_search

Make = Callable[..., Any]
Resolve = Callable[[str], tuple[DocumentStore, Mapping[str, Any]]]


@pytest.fixture
def resolve(make_index: Make) -> Resolve:
    movies = make_index(
        {"id": 1, "title": "Batman Returns", "color": "black"},
        {"id": 2, "title": "Batman Begins", "color": "grey"},
        {"id": 3, "title": "Superman", "color": "blue"},
        filterableAttributes=["color"],
        sortableAttributes=["title"],
    )
    comics = make_index(
        {"id": "k1", "title": "Batman: the killing joke", "color": "purple"},
        {"id": "k2", "title": "Watchmen", "color": "yellow"},
        filterableAttributes=["color"],
        sortableAttributes=["title"],
    )
    indexes = {"movies": movies, "comics": comics}

    def lookup(uid: str) -> tuple[DocumentStore, Mapping[str, Any]]:
        if uid not in indexes:
            raise MeiliError("index_not_found", f"Index `{uid}` not found.")
        return indexes[uid].store, indexes[uid].settings

    return lookup


def failure(body: Any, resolve: Resolve) -> MeiliError:
    with pytest.raises(MeiliError) as caught:
        multi_search(body, resolve)
    return caught.value


def test_plain_queries_get_one_result_each(resolve: Resolve) -> None:
    result = multi_search(
        {
            "queries": [
                {"indexUid": "movies", "q": "batman", "limit": 1},
                {"indexUid": "comics", "q": "watchmen"},
            ]
        },
        resolve,
    )
    first, second = result["results"]
    assert next(iter(first)) == "indexUid"
    assert first["indexUid"] == "movies" and len(first["hits"]) == 1
    assert first["estimatedTotalHits"] == 2
    assert [hit["id"] for hit in second["hits"]] == ["k2"]


def test_errors_name_the_failing_query(resolve: Resolve) -> None:
    error = failure({"queries": [{"indexUid": "movies"}, {"indexUid": "nope"}]}, resolve)
    assert (error.code, error.message) == (
        "index_not_found",
        "Inside `.queries[1]`: Index `nope` not found.",
    )
    error = failure({"queries": [{"indexUid": "movies", "filter": "title = x"}]}, resolve)
    assert error.code == "invalid_search_filter"
    assert error.message.startswith(
        "Inside `.queries[0]`: Index `movies`: Attribute `title` is not filterable."
    )


def test_parameter_errors_point_inside_the_query(resolve: Resolve) -> None:
    error = failure({"queries": [{"indexUid": "movies", "limit": "x"}]}, resolve)
    assert (error.code, error.message) == (
        "invalid_search_limit",
        "Invalid value type at `.queries[0].limit`: expected a positive integer, but found a "
        'string: `"x"`',
    )
    error = failure({"queries": [{"q": "x"}]}, resolve)
    assert (error.code, error.message) == (
        "missing_index_uid",
        "Missing field `indexUid` inside `.queries[0]`",
    )
    error = failure({"queries": [{"indexUid": "hé"}]}, resolve)
    assert error.code == "invalid_index_uid"
    assert failure({"queries": [{"indexUid": "movies", "x": 1}]}, resolve).message.startswith(
        "Unknown field `x` inside `.queries[0]`: expected one of `q`"
    )


def test_the_body_shape_is_checked(resolve: Resolve) -> None:
    assert failure({}, resolve).message == "Missing field `queries`"
    assert failure([], resolve).code == "bad_request"
    assert failure({"queries": [], "x": 1}, resolve).code == "bad_request"


def test_federation_options_need_federation(resolve: Resolve) -> None:
    error = failure(
        {"queries": [{"indexUid": "movies", "federationOptions": {"weight": 2}}]}, resolve
    )
    assert error.code == "invalid_multi_search_federation_options"
    assert error.message.startswith(
        "Inside `.queries[0]`: Using `federationOptions` is not allowed in a non-federated search."
    )


def test_federated_hits_merge_by_weighted_score(resolve: Resolve) -> None:
    result = multi_search(
        {
            "federation": {},
            "queries": [
                {"indexUid": "movies", "q": "batman"},
                {"indexUid": "comics", "q": "batman", "federationOptions": {"weight": 2.0}},
            ],
        },
        resolve,
    )
    hits = result["hits"]
    assert hits[0]["id"] == "k1"
    assert hits[0]["_federation"]["indexUid"] == "comics"
    assert hits[0]["_federation"]["queriesPosition"] == 1
    scores = [hit["_federation"]["weightedRankingScore"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > 1.0
    assert (result["limit"], result["offset"], result["estimatedTotalHits"]) == (20, 0, 3)


def test_federated_pagination_and_deduplication(resolve: Resolve) -> None:
    result = multi_search(
        {
            "federation": {"limit": 1, "offset": 1},
            "queries": [
                {"indexUid": "movies", "q": "batman returns"},
                {"indexUid": "movies", "q": "batman"},
            ],
        },
        resolve,
    )
    assert result["estimatedTotalHits"] == 2
    assert [hit["id"] for hit in result["hits"]] == [2]
    paged = multi_search(
        {
            "federation": {"page": 1, "hitsPerPage": 5},
            "queries": [
                {"indexUid": "movies"},
                {"indexUid": "comics"},
            ],
        },
        resolve,
    )
    assert (paged["totalHits"], paged["totalPages"]) == (5, 1)


def test_placeholder_queries_with_a_shared_sort_merge_in_sort_order(resolve: Resolve) -> None:
    result = multi_search(
        {
            "federation": {},
            "queries": [
                {"indexUid": "movies", "sort": ["title:asc"]},
                {"indexUid": "comics", "sort": ["title:asc"]},
            ],
        },
        resolve,
    )
    assert [hit["title"] for hit in result["hits"]] == [
        "Batman Begins",
        "Batman Returns",
        "Batman: the killing joke",
        "Superman",
        "Watchmen",
    ]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"indexUid": "movies", "limit": 5}, "invalid_multi_search_query_pagination"),
        ({"indexUid": "movies", "page": 1}, "invalid_multi_search_query_pagination"),
        ({"indexUid": "movies", "facets": ["color"]}, "invalid_multi_search_query_facets"),
        (
            {"indexUid": "movies", "federationOptions": {"weight": -1}},
            "invalid_multi_search_weight",
        ),
    ],
)
def test_per_query_options_refused_in_federation(
    resolve: Resolve, query: dict[str, Any], code: str
) -> None:
    assert failure({"federation": {}, "queries": [query]}, resolve).code == code


def test_pagination_refusal_message(resolve: Resolve) -> None:
    error = failure(
        {
            "federation": {},
            "queries": [{"indexUid": "movies"}, {"indexUid": "movies", "offset": 1}],
        },
        resolve,
    )
    assert error.message == (
        "Inside `.queries[1]`: Using pagination options is not allowed in federated queries.\n"
        " - Hint: remove `offset` from the query or remove `federation` from the request\n"
        " - Hint: pass `federation.limit` and `federation.offset` for pagination in federated "
        "search"
    )


def test_facets_by_index(resolve: Resolve) -> None:
    result = multi_search(
        {
            "federation": {"facetsByIndex": {"movies": ["color"], "comics": ["color"]}},
            "queries": [{"indexUid": "movies", "q": "batman"}, {"indexUid": "comics"}],
        },
        resolve,
    )
    assert result["facetsByIndex"] == {
        "movies": {"distribution": {"color": {"black": 1, "grey": 1}}, "stats": {}},
        "comics": {"distribution": {"color": {"purple": 1, "yellow": 1}}, "stats": {}},
    }
    assert "facetDistribution" not in result


def test_merged_facets(resolve: Resolve) -> None:
    result = multi_search(
        {
            "federation": {
                "facetsByIndex": {"movies": ["color"], "comics": ["color"]},
                "mergeFacets": {"maxValuesPerFacet": 3},
            },
            "queries": [{"indexUid": "movies"}, {"indexUid": "comics"}],
        },
        resolve,
    )
    assert result["facetDistribution"] == {"color": {"black": 1, "blue": 1, "grey": 1}}
    assert result["facetStats"] == {}
    assert "facetsByIndex" not in result


def test_facets_of_an_index_not_queried_are_located(resolve: Resolve) -> None:
    error = failure(
        {
            "federation": {"facetsByIndex": {"comics": ["title"]}},
            "queries": [{"indexUid": "movies"}],
        },
        resolve,
    )
    assert error.code == "invalid_search_facets"
    assert error.message.startswith(
        "Inside `.federation.facetsByIndex.comics`: Invalid facet "
        "distribution: Pattern `title` is not filterable."
    )
    assert error.message.endswith("\n - Note: index `comics` is not used in queries")


def test_federation_object_is_type_checked(resolve: Resolve) -> None:
    error = failure({"federation": {"limit": "x"}, "queries": []}, resolve)
    assert error.code == "invalid_search_limit"
    assert error.message.startswith("Invalid value type at `.federation.limit`")
