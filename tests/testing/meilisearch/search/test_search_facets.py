"""Facet distribution and stats: counts over every candidate, ordering and limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search.tokens import normalize_facet

Make = Callable[..., Any]
GAMES = [
    {"id": 1, "genre": "Action", "price": 10, "platforms": ["pc", "ps5"], "meta": {"pegi": 18}},
    {"id": 2, "genre": "action", "price": 20, "platforms": ["pc"], "meta": {"pegi": 12}},
    {"id": 3, "genre": "puzzle", "price": 5.5, "platforms": ["switch"]},
    {"id": 4, "genre": "racing", "price": 20, "platforms": ["pc", "switch"]},
]


@pytest.fixture
def games(make_index: Make) -> Any:
    return make_index(*GAMES, filterableAttributes=["genre", "price", "platforms", "meta"])


def test_distribution_counts_every_candidate_not_just_the_page(games: Any) -> None:
    result = games.search(facets=["genre", "platforms"], limit=1)
    assert len(result["hits"]) == 1
    assert result["facetDistribution"] == {
        "genre": {"Action": 2, "puzzle": 1, "racing": 1},
        "platforms": {"pc": 3, "ps5": 1, "switch": 2},
    }
    assert result["facetStats"] == {}


def test_distribution_follows_the_filter_and_query(games: Any) -> None:
    result = games.search(q="", filter="platforms = switch", facets=["genre"])
    assert result["facetDistribution"] == {"genre": {"puzzle": 1, "racing": 1}}


def test_numbers_get_stats_and_print_like_meilisearch(games: Any) -> None:
    result = games.search(facets=["price", "meta.pegi"])
    assert result["facetDistribution"]["price"] == {"5.5": 1, "10": 1, "20": 2}
    assert result["facetStats"] == {
        "meta.pegi": {"min": 12.0, "max": 18.0},
        "price": {"min": 5.5, "max": 20.0},
    }


def test_star_and_wildcards_name_filterable_fields(games: Any) -> None:
    assert set(games.search(facets=["*"])["facetDistribution"]) == {
        "genre",
        "price",
        "platforms",
        "meta.pegi",
    }
    assert set(games.search(facets=["meta.*"])["facetDistribution"]) == {"meta.pegi"}


def test_values_sort_by_count_when_asked(games: Any) -> None:
    games.configure(
        faceting={
            "maxValuesPerFacet": 100,
            "sortFacetValuesBy": {"*": "alpha", "platforms": "count"},
        }
    )
    result = games.search(facets=["platforms", "genre"])
    assert list(result["facetDistribution"]["platforms"]) == ["pc", "switch", "ps5"]
    assert list(result["facetDistribution"]["genre"]) == ["Action", "puzzle", "racing"]


def test_max_values_per_facet_caps_each_facet(games: Any) -> None:
    games.configure(faceting={"maxValuesPerFacet": 2, "sortFacetValuesBy": {"*": "alpha"}})
    result = games.search(facets=["platforms"])
    assert result["facetDistribution"] == {"platforms": {"pc": 3, "ps5": 1}}


def test_unfilterable_facets_are_refused(games: Any) -> None:
    with pytest.raises(MeiliError) as caught:
        games.search(facets=["title"])
    assert caught.value.code == "invalid_search_facets"
    assert caught.value.message == (
        "Invalid facet distribution: Pattern `title` is not filterable. Available filterable "
        "attributes patterns are: `genre, meta, platforms, price`."
    )


def test_facets_without_filterable_attributes(make_index: Make) -> None:
    with pytest.raises(MeiliError) as caught:
        make_index(*GAMES).search(facets=["genre"])
    assert caught.value.message.endswith(
        "This index does not have configured filterable attributes."
    )


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "tag": st.sampled_from(["a", "B", "b", "c", " a", "Ä"]),
                "n": st.integers(0, 3),
            }
        ),
        min_size=1,
        max_size=25,
    ),
    st.integers(0, 3),
)
def test_distribution_counts_equal_filtered_hit_counts(
    make_index: Make, rows: list[dict[str, Any]], n: int
) -> None:
    docs = [{"id": i, **row} for i, row in enumerate(rows)]
    index = make_index(*docs, filterableAttributes=["tag", "n"])
    result = index.search(filter=f"n >= {n}", facets=["tag"], limit=0)
    distribution = result["facetDistribution"].get("tag", {})
    for value, count in distribution.items():
        hits = index.search(filter=[f"n >= {n}", f'tag = "{value}"'], limit=0)
        assert hits["estimatedTotalHits"] == count
    expected = {normalize_facet(r["tag"]) for r in rows if r["n"] >= n}
    assert {normalize_facet(v) for v in distribution} == expected
