"""Request validation: every parameter's type, unknown fields, nulls, refused features."""

from __future__ import annotations

from typing import Any

import pytest

from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search import search

UNKNOWN = (
    "Unknown field `doggo`: expected one of `q`, `offset`, `limit`, `page`, `hitsPerPage`, "
    "`attributesToRetrieve`, `attributesToCrop`, `cropLength`, `cropMarker`, "
    "`attributesToHighlight`, `highlightPreTag`, `highlightPostTag`, `showMatchesPosition`, "
    "`filter`, `sort`, `distinct`, `facets`, `matchingStrategy`, `attributesToSearchOn`, "
    "`rankingScoreThreshold`, `locales`, `hybrid`, `vector`, `retrieveVectors`, `media`, "
    "`personalize`, `useNetwork`, `showRankingScore`, `showRankingScoreDetails`, "
    "`showPerformanceDetails`"
)


def failure(index: Any, body: Any) -> MeiliError:
    with pytest.raises(MeiliError) as caught:
        search(index.store, index.settings, body, index_uid="books")
    return caught.value


@pytest.mark.parametrize(
    ("field", "value", "code", "message"),
    [
        (
            "q",
            ["doggo"],
            "invalid_search_q",
            'Invalid value type at `.q`: expected a string, but found an array: `["doggo"]`',
        ),
        (
            "offset",
            "doggo",
            "invalid_search_offset",
            "Invalid value type at `.offset`: expected a positive integer, but found a string: "
            '`"doggo"`',
        ),
        (
            "limit",
            -1,
            "invalid_search_limit",
            "Invalid value type at `.limit`: expected a positive integer, but found a negative "
            "integer: `-1`",
        ),
        (
            "page",
            1.5,
            "invalid_search_page",
            "Invalid value type at `.page`: expected a positive integer, but found a number: `1.5`",
        ),
        (
            "hitsPerPage",
            True,
            "invalid_search_hits_per_page",
            "Invalid value type at `.hitsPerPage`: expected a positive integer, but found a "
            "boolean: `true`",
        ),
        (
            "attributesToRetrieve",
            "doggo",
            "invalid_search_attributes_to_retrieve",
            "Invalid value type at `.attributesToRetrieve`: expected an array, but found a string: "
            '`"doggo"`',
        ),
        (
            "attributesToCrop",
            [1],
            "invalid_search_attributes_to_crop",
            "Invalid value type at `.attributesToCrop[0]`: expected a string, but found a positive "
            "integer: `1`",
        ),
        ("cropLength", "x", "invalid_search_crop_length", None),
        ("cropMarker", ["x"], "invalid_search_crop_marker", None),
        ("attributesToHighlight", {}, "invalid_search_attributes_to_highlight", None),
        ("highlightPreTag", 1, "invalid_search_highlight_pre_tag", None),
        ("highlightPostTag", 1, "invalid_search_highlight_post_tag", None),
        (
            "showMatchesPosition",
            "doggo",
            "invalid_search_show_matches_position",
            "Invalid value type at `.showMatchesPosition`: expected a boolean, but found a string: "
            '`"doggo"`',
        ),
        (
            "filter",
            True,
            "invalid_search_filter",
            "Invalid syntax for the filter parameter: `expected String, Array, found: true`.",
        ),
        ("sort", "doggo", "invalid_search_sort", None),
        (
            "distinct",
            True,
            "invalid_search_distinct",
            "Invalid value type at `.distinct`: expected a string, but found a boolean: `true`",
        ),
        ("facets", "doggo", "invalid_search_facets", None),
        (
            "matchingStrategy",
            "doggo",
            "invalid_search_matching_strategy",
            "Unknown value `doggo` at `.matchingStrategy`: expected one of `last`, `all`, "
            "`frequency`",
        ),
        (
            "matchingStrategy",
            {"doggo": "doggo"},
            "invalid_search_matching_strategy",
            "Invalid value type at `.matchingStrategy`: expected a string, but found an object: "
            '`{"doggo":"doggo"}`',
        ),
        ("attributesToSearchOn", 1, "invalid_search_attributes_to_search_on", None),
        ("rankingScoreThreshold", "doggo", "invalid_search_ranking_score_threshold", None),
        (
            "rankingScoreThreshold",
            1.5,
            "invalid_search_ranking_score_threshold",
            "Invalid value at `.rankingScoreThreshold`: the value of `rankingScoreThreshold` is "
            "invalid, expected a float between `0.0` and `1.0`.",
        ),
        ("locales", "fr", "invalid_search_locales", None),
        (
            "vector",
            ["a"],
            "invalid_search_vector",
            'Invalid value type at `.vector[0]`: expected a number, but found a string: `"a"`',
        ),
        (
            "personalize",
            "x",
            "invalid_search_personalize",
            'Invalid value type at `.personalize`: expected an object, but found a string: `"x"`',
        ),
        ("retrieveVectors", "doggo", "invalid_search_retrieve_vectors", None),
        ("useNetwork", 1, "invalid_search_use_network", None),
        ("showRankingScore", "x", "invalid_search_show_ranking_score", None),
        ("showRankingScoreDetails", "x", "invalid_search_show_ranking_score_details", None),
        ("showPerformanceDetails", "x", "invalid_search_show_performance_details", None),
    ],
)
def test_each_parameter_is_type_checked(
    index: Any, field: str, value: Any, code: str, message: str | None
) -> None:
    error = failure(index, {field: value})
    assert error.code == code
    if message is not None:
        assert error.message == message


def test_unknown_fields_are_a_bad_request(index: Any) -> None:
    error = failure(index, {"doggo": 1})
    assert (error.code, error.message) == ("bad_request", UNKNOWN)


def test_the_body_must_be_an_object(index: Any) -> None:
    error = failure(index, [])
    assert (error.code, error.message) == (
        "bad_request",
        "Invalid value type: expected an object, but found an array: `[]`",
    )


def test_explicit_nulls_mean_defaults(index: Any) -> None:
    index.add({"id": 1, "t": "x"})
    body = {
        key: None
        for key in (
            "q",
            "offset",
            "limit",
            "page",
            "hitsPerPage",
            "attributesToRetrieve",
            "filter",
            "sort",
            "distinct",
            "facets",
            "attributesToHighlight",
            "attributesToCrop",
            "matchingStrategy",
            "rankingScoreThreshold",
            "vector",
            "hybrid",
            "showRankingScore",
            "cropLength",
        )
    }
    result = search(index.store, index.settings, body, index_uid="books")
    assert [hit["id"] for hit in result["hits"]] == [1]
    assert (result["offset"], result["limit"]) == (0, 20)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"hybrid": {"embedder": "default", "semanticRatio": 0.5}}, "invalid_search_embedder"),
        ({"vector": [0.1, 0.2]}, "invalid_search_vector"),
        ({"media": {"image": "x"}}, "invalid_search_media"),
        ({"personalize": {"userContext": "x"}}, "invalid_search_personalize"),
    ],
)
def test_vector_features_are_refused_clearly(index: Any, body: dict[str, Any], code: str) -> None:
    error = failure(index, body)
    assert error.code == code
    assert "fake Meilisearch leaves" in error.message


def test_a_malformed_hybrid_is_a_type_error(index: Any) -> None:
    error = failure(index, {"hybrid": "x"})
    assert (error.code, error.message) == (
        "invalid_search_hybrid_query",
        'Invalid value type at `.hybrid`: expected an object, but found a string: `"x"`',
    )


def test_retrieve_vectors_false_is_fine(index: Any) -> None:
    assert (
        search(index.store, index.settings, {"retrieveVectors": False}, index_uid="books")["hits"]
        == []
    )


def test_the_response_echoes_the_query_and_times_itself(index: Any) -> None:
    result = index.search(q="hello")
    assert result["query"] == "hello"
    assert isinstance(result["processingTimeMs"], int)
    assert index.search()["query"] == ""
