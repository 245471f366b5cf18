"""Whatever users send, the engine answers or refuses with a Meilisearch error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search import params_from_query_string

Make = Callable[..., Any]
DOCS = [
    {"id": 1, "title": "Le Petit Prince", "tags": ["fable", "étoile"], "n": 3},
    {"id": 2, "title": "Prinz Eisenherz", "tags": [], "n": None},
    {"id": 3, "title": "The Prince and the Pauper", "nested": {"x": "prince"}, "n": 1.5},
]
FIXTURE_OK = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
search_keys = st.sampled_from(
    [
        "q",
        "offset",
        "limit",
        "page",
        "hitsPerPage",
        "filter",
        "sort",
        "facets",
        "distinct",
        "attributesToRetrieve",
        "attributesToHighlight",
        "attributesToCrop",
        "cropLength",
        "matchingStrategy",
        "rankingScoreThreshold",
        "showRankingScore",
        "attributesToSearchOn",
        "showMatchesPosition",
        "doggo",
    ]
)


@FIXTURE_OK
@given(st.text())
def test_any_filter_text_answers_or_raises_a_filter_error(make_index: Make, text: str) -> None:
    index = make_index(*DOCS, filterableAttributes=["title", "tags", "n", "nested"])
    try:
        index.search(filter=text)
    except MeiliError as error:
        assert error.code == "invalid_search_filter"


@FIXTURE_OK
@given(st.text(max_size=40))
def test_any_query_ranks_between_zero_and_one(make_index: Make, q: str) -> None:
    index = make_index(*DOCS)
    hits = index.search(q=q, showRankingScore=True, attributesToHighlight=["title"])["hits"]
    scores = [hit["_rankingScore"] for hit in hits]
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        plain = hit["_formatted"]["title"].replace("<em>", "").replace("</em>", "")
        assert plain == hit["title"]


@FIXTURE_OK
@given(st.dictionaries(search_keys, json_values, max_size=4))
def test_any_body_answers_or_raises_a_meilisearch_error(
    make_index: Make, body: dict[str, Any]
) -> None:
    index = make_index(*DOCS, filterableAttributes=["tags"], sortableAttributes=["n"])
    try:
        index.search(**body)
    except MeiliError as error:
        assert error.code.startswith(("invalid_search_", "bad_request"))
        assert error.message


@settings(max_examples=150)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "q",
                "limit",
                "facets",
                "sort",
                "filter",
                "page",
                "showRankingScore",
                "vector",
                "hybridEmbedder",
            ]
        ),
        st.lists(st.text(max_size=10), min_size=1, max_size=2),
        max_size=4,
    )
)
def test_any_query_string_converts_or_raises_a_meilisearch_error(
    query: dict[str, list[str]],
) -> None:
    try:
        params_from_query_string(query)
    except MeiliError as error:
        assert error.code.startswith("invalid_search_")
