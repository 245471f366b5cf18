"""GET search: query-string parameters become the POST body."""

from __future__ import annotations

import pytest

from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search import params_from_query_string


def test_types_are_converted() -> None:
    params = params_from_query_string(
        {
            "q": ["prince"],
            "limit": ["5"],
            "offset": ["10"],
            "showRankingScore": ["true"],
            "attributesToRetrieve": ["title, id"],
            "facets": ["genre,price"],
            "sort": ["price:asc,title:desc"],
            "filter": ["genre = horror"],
            "rankingScoreThreshold": ["0.5"],
            "matchingStrategy": ["all"],
        }
    )
    assert params == {
        "q": "prince",
        "limit": 5,
        "offset": 10,
        "showRankingScore": True,
        "attributesToRetrieve": ["title", "id"],
        "facets": ["genre", "price"],
        "sort": ["price:asc", "title:desc"],
        "filter": "genre = horror",
        "rankingScoreThreshold": 0.5,
        "matchingStrategy": "all",
    }


def test_a_json_filter_is_read_as_the_array_form() -> None:
    params = params_from_query_string({"filter": ['["a = 1", ["b = 2", "c = 3"]]']})
    assert params["filter"] == ["a = 1", ["b = 2", "c = 3"]]


def test_the_last_repeated_value_wins() -> None:
    assert params_from_query_string({"q": ["a", "b"]}) == {"q": "b"}


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        (
            {"limit": ["doggo"]},
            "invalid_search_limit",
            "Invalid value in parameter `limit`: could not parse `doggo` as a positive integer",
        ),
        (
            {"showMatchesPosition": ["doggo"]},
            "invalid_search_show_matches_position",
            "Invalid value in parameter `showMatchesPosition`: could not parse `doggo` as a "
            "boolean, expected either `true` or `false`",
        ),
        (
            {"matchingStrategy": ["doggo"]},
            "invalid_search_matching_strategy",
            "Unknown value `doggo` for parameter `matchingStrategy`: expected one of `last`, "
            "`all`, `frequency`",
        ),
        (
            {"hybridSemanticRatio": ["0.5"]},
            "invalid_search_hybrid_query",
            "`hybridEmbedder` is mandatory when `hybridSemanticRatio` is present",
        ),
    ],
)
def test_unparsable_values_are_reported(
    query: dict[str, list[str]], code: str, message: str
) -> None:
    with pytest.raises(MeiliError) as caught:
        params_from_query_string(query)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_unknown_parameters_are_a_bad_request() -> None:
    with pytest.raises(MeiliError) as caught:
        params_from_query_string({"doggo": ["1"]})
    assert caught.value.code == "bad_request"
    assert caught.value.message.startswith("Unknown parameter `doggo`: expected one of `q`, ")


def test_hybrid_parameters_become_the_hybrid_object() -> None:
    assert params_from_query_string({"hybridEmbedder": ["default"]}) == {
        "hybrid": {"embedder": "default"}
    }
