"""Properties of search at the HTTP level, over generated filters, pages and facets.

One index serves the whole module. Each property holds for real Meilisearch too: the
answers are compared with each other, never with the fake's internals.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GENRES = ("scifi", "crime", "drama", "comedy")
TAGS = ("space", "heist", "love", "war")
FACETS = ("genre", "year", "tags", "flag", "rating")
WORDS = ("alien", "night", "city", "love", "war", "star", "dark", "sun")

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def make_documents(count: int = 36) -> list[dict[str, Any]]:
    """Documents with every kind of facet value: strings, numbers, booleans, arrays, gaps."""
    rng = random.Random(1053)
    docs = []
    for i in range(1, count + 1):
        doc: dict[str, Any] = {
            "id": i,
            "title": " ".join(rng.sample(WORDS, 2)),
            "year": rng.randint(1970, 1985),
            "rating": rng.choice((6.5, 7.0, 7.5, 8.0)),
            "tags": rng.sample(TAGS, rng.randint(0, 2)),
            "flag": rng.random() < 0.5,
        }
        if i % 7:
            doc["genre"] = rng.choice(GENRES)
        docs.append(doc)
    return docs


DOCUMENTS = make_documents()


@pytest.fixture(scope="module")
def films(api: Any, module_prefix: str) -> str:
    uid = module_prefix + "films"
    api.write("POST", "/indexes", {"uid": uid, "primaryKey": "id"})
    settings_body = {
        "filterableAttributes": list(FACETS),
        "sortableAttributes": ["year", "rating"],
    }
    api.write("PATCH", f"/indexes/{uid}/settings", settings_body)
    api.write("POST", f"/indexes/{uid}/documents", DOCUMENTS)
    return uid


def search(api: Any, uid: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = api.call("POST", f"/indexes/{uid}/search", json_body=body)
    assert answer.status == 200, (body, answer.body)
    return dict(answer.body)


GRAMMAR_WORDS = (
    "title unknown _geo = != > >= < <= TO IN [ ] , ( ) AND OR NOT EXISTS IS NULL EMPTY "
    "STARTS WITH CONTAINS ' \" \\ scifi 1979 7.5 true -1 1e3 é"
)
FILTER_TOKENS = [
    *FACETS,
    *GRAMMAR_WORDS.split(),
    *("'a b'", '"x\\"y"', "_geoRadius(45, 7, 10)", "_geoBoundingBox([1, 2], [3, 4])"),
    *("\n", ""),
]
"""Pieces of the filter grammar (and of its mistakes) that generated filters are built from."""

filter_texts = st.one_of(
    st.lists(st.sampled_from(FILTER_TOKENS), max_size=12).map(" ".join),
    st.text(max_size=40),
)
filter_values = st.one_of(
    filter_texts,
    st.lists(st.one_of(filter_texts, st.lists(filter_texts, max_size=3)), max_size=3),
)


def filter_refusal_allowed(code: str | None, value: Any) -> bool:
    """A refused filter is `invalid_search_filter`; a well-formed one using `CONTAINS` may
    instead be `feature_not_enabled`, as that operator is an experimental feature."""
    if code == "invalid_search_filter":
        return True
    return code == "feature_not_enabled" and "CONTAINS" in json.dumps(value)


@PROPERTY_SETTINGS
@given(value=filter_values, use_get=st.booleans())
def test_any_filter_is_answered_or_refused_as_a_bad_filter(
    api: Any, films: str, value: Any, use_get: bool
) -> None:
    if use_get and isinstance(value, str):
        answer = api.call("GET", f"/indexes/{films}/search?filter={quote(value)}")
    else:
        answer = api.call("POST", f"/indexes/{films}/search", json_body={"filter": value})
    assert answer.status in (200, 400), (value, answer.status, answer.raw[:300])
    if answer.status == 400:
        assert filter_refusal_allowed(answer.code, value), (value, answer.body)


valid_filters = st.one_of(
    st.none(),
    st.sampled_from(GENRES).map(lambda g: f"genre = {g}"),
    st.integers(1970, 1986).map(lambda y: f"year >= {y}"),
    st.sampled_from(TAGS).map(lambda t: f"tags = {t}"),
    st.sampled_from(("flag = true", "flag = false", "genre EXISTS", "NOT genre EXISTS")),
    st.tuples(st.integers(1970, 1980), st.integers(1975, 1990)).map(
        lambda r: f"year {r[0]} TO {r[1]}"
    ),
)
queries = st.sampled_from(("", "", *WORDS, "star war", "xyz"))
sorts = st.sampled_from((None, ["year:asc"], ["rating:desc", "year:desc"]))


def base_body(q: str, filter_expr: str | None, sort: list[str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"q": q, "attributesToRetrieve": ["id"]}
    if filter_expr is not None:
        body["filter"] = filter_expr
    if sort is not None:
        body["sort"] = sort
    return body


def ids(result: dict[str, Any]) -> list[int]:
    return [hit["id"] for hit in result["hits"]]


@PROPERTY_SETTINGS
@given(q=queries, filter_expr=valid_filters, sort=sorts, per_page=st.integers(2, 10))
def test_pages_partition_the_full_hit_list(
    api: Any, films: str, q: str, filter_expr: str | None, sort: list[str] | None, per_page: int
) -> None:
    body = base_body(q, filter_expr, sort)
    everything = ids(search(api, films, {**body, "limit": 1000}))
    first = search(api, films, {**body, "page": 1, "hitsPerPage": per_page})
    assert first["totalHits"] == len(everything)
    assert first["totalPages"] == math.ceil(len(everything) / per_page)
    paged = ids(first)
    for page in range(2, first["totalPages"] + 2):
        result = search(api, films, {**body, "page": page, "hitsPerPage": per_page})
        assert (result["totalHits"], result["totalPages"]) == (
            first["totalHits"],
            first["totalPages"],
        )
        paged += ids(result)
    assert paged == everything


@PROPERTY_SETTINGS
@given(
    q=queries,
    filter_expr=valid_filters,
    sort=sorts,
    page=st.integers(1, 8),
    per_page=st.integers(1, 12),
)
def test_offset_windows_agree_with_page_windows(
    api: Any,
    films: str,
    q: str,
    filter_expr: str | None,
    sort: list[str] | None,
    page: int,
    per_page: int,
) -> None:
    body = base_body(q, filter_expr, sort)
    paged = search(api, films, {**body, "page": page, "hitsPerPage": per_page})
    offset = (page - 1) * per_page
    window = search(api, films, {**body, "offset": offset, "limit": per_page})
    assert ids(window) == ids(paged)
    assert (window["offset"], window["limit"]) == (offset, per_page)
    if q == "":
        assert window["estimatedTotalHits"] == paged["totalHits"]


SINGLE_VALUED = ("year", "flag", "rating")
"""Facets every document holds exactly one value of."""


@PROPERTY_SETTINGS
@given(q=queries, filter_expr=valid_filters, facet=st.sampled_from(FACETS))
def test_facet_counts_equal_the_hits_of_their_value_filter(
    api: Any, films: str, q: str, filter_expr: str | None, facet: str
) -> None:
    body = base_body(q, filter_expr, None)
    result = search(api, films, {**body, "facets": [facet], "hitsPerPage": 1})
    distribution = result["facetDistribution"][facet]
    if facet in SINGLE_VALUED:
        assert sum(distribution.values()) == result["totalHits"]
    for value, count in distribution.items():
        narrowed = f"{facet} = {json.dumps(value)}"
        combined = narrowed if filter_expr is None else f"({filter_expr}) AND {narrowed}"
        check = search(api, films, {**body, "filter": combined, "hitsPerPage": 1})
        assert check["totalHits"] == count, (value, combined)
