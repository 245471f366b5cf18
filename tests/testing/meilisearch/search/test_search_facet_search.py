"""Facet-value search: prefix and typo matching over values, restricted by q and filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scrypath.testing.meilisearch.errors import MeiliError

Make = Callable[..., Any]
ITEMS = [
    {"id": 1, "genre": "Action", "title": "fast cars"},
    {"id": 2, "genre": "action", "title": "slow cars"},
    {"id": 3, "genre": "Adventure", "title": "fast boats"},
    {"id": 4, "genre": "Éducation", "title": "books"},
    {"id": 5, "genre": "Comedy", "title": "fast jokes"},
]


@pytest.fixture
def items(make_index: Make) -> Any:
    return make_index(*ITEMS, filterableAttributes=["genre", "title"])


def test_values_matching_the_prefix_with_counts(items: Any) -> None:
    result = items.facet_search(facetName="genre", facetQuery="ac")
    assert result["facetHits"] == [{"value": "Action", "count": 2}]
    assert result["facetQuery"] == "ac"
    assert isinstance(result["processingTimeMs"], int)


def test_matching_ignores_case_and_accents(items: Any) -> None:
    hits = items.facet_search(facetName="genre", facetQuery="EDU")["facetHits"]
    assert hits == [{"value": "Éducation", "count": 1}]


def test_long_queries_tolerate_typos(items: Any) -> None:
    hits = items.facet_search(facetName="genre", facetQuery="advnture")["facetHits"]
    assert hits == [{"value": "Adventure", "count": 1}]


def test_no_query_lists_every_value(items: Any) -> None:
    result = items.facet_search(facetName="genre")
    assert [hit["value"] for hit in result["facetHits"]] == [
        "Action",
        "Adventure",
        "Comedy",
        "Éducation",
    ]
    assert result["facetQuery"] is None


def test_q_and_filter_restrict_the_documents(items: Any) -> None:
    hits = items.facet_search(facetName="genre", q="fast", filter="genre != comedy")["facetHits"]
    assert hits == [{"value": "Action", "count": 1}, {"value": "Adventure", "count": 1}]


def test_count_order_and_value_cap_follow_the_faceting_settings(items: Any) -> None:
    items.configure(faceting={"maxValuesPerFacet": 1, "sortFacetValuesBy": {"genre": "count"}})
    hits = items.facet_search(facetName="genre")["facetHits"]
    assert hits == [{"value": "Action", "count": 2}]


def test_facet_search_can_be_disabled(items: Any) -> None:
    items.configure(facetSearch=False)
    with pytest.raises(MeiliError) as caught:
        items.facet_search(facetName="genre")
    assert (caught.value.code, caught.value.message) == (
        "facet_search_disabled",
        "The facet search is disabled for this index",
    )


def test_the_facet_must_be_facet_searchable(items: Any) -> None:
    with pytest.raises(MeiliError) as caught:
        items.facet_search(facetName="id")
    assert caught.value.code == "invalid_facet_search_facet_name"
    assert caught.value.message == (
        "Attribute `id` is not facet-searchable. Available facet-searchable attributes patterns "
        "are: `genre, title`. To make it facet-searchable add it to the `filterableAttributes` "
        "index settings."
    )


def test_granular_rules_must_enable_facet_search(make_index: Make) -> None:
    index = make_index(*ITEMS, filterableAttributes=[{"attributePatterns": ["genre"]}])
    with pytest.raises(MeiliError) as caught:
        index.facet_search(facetName="genre")
    assert caught.value.message.startswith(
        "Attribute `genre` is not facet-searchable. Note: this attribute matches rule #0 in "
        "filterableAttributes, but this rule does not enable facetSearch."
    )
    enabled = {
        "attributePatterns": ["genre"],
        "features": {"facetSearch": True, "filter": {"equality": False}},
    }
    index.configure(filterableAttributes=[enabled])
    assert len(index.facet_search(facetName="genre")["facetHits"]) == 4


def test_facet_name_is_required_and_typed(items: Any) -> None:
    with pytest.raises(MeiliError) as caught:
        items.facet_search(facetQuery="a")
    assert (caught.value.code, caught.value.message) == (
        "missing_facet_search_facet_name",
        "Missing field `facetName`",
    )
    with pytest.raises(MeiliError) as caught:
        items.facet_search(facetName=1)
    assert caught.value.code == "invalid_facet_search_facet_name"
    with pytest.raises(MeiliError) as caught:
        items.facet_search(facetName="genre", facetQuery=1)
    assert caught.value.code == "invalid_facet_search_query"
