"""Phrases under `last`, `_vectors` in search, and `performanceDetails`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search import DocumentStore, multi_search
from scrypath.testing.meilisearch.search.timing import human

Make = Callable[..., Any]
ANIMALS = [
    {"id": 1, "title": "Dumbo the flying elephant"},
    {"id": 2, "title": "Bambi"},
    {"id": 3, "title": "coco the clown"},
]
DURATION = re.compile(r"^\d+\.\d\d(µs|ms|s)$")


# -- phrases under `matchingStrategy: last` ---------------------------------------------


def test_a_phrase_survives_when_the_other_words_match_nothing(make_index: Make) -> None:
    index = make_index(*ANIMALS)
    assert index.ids(q='coco "dumbo"') == [1]
    assert index.ids(q='"dumbo" coco') == [1]


def test_without_a_phrase_the_first_word_stays_mandatory(make_index: Make) -> None:
    index = make_index(*ANIMALS)
    assert index.ids(q="dumbo coco") == [1]
    assert index.ids(q="coco dumbo") == [3]


def test_every_phrase_is_kept_and_other_words_only_rank(make_index: Make) -> None:
    index = make_index(
        {"id": 1, "t": "flying elephant and a clown"},
        {"id": 2, "t": "flying elephant"},
        {"id": 3, "t": "a clown"},
    )
    assert index.ids(q='"flying elephant" "a clown"') == [1]
    assert index.ids(q='clown "flying elephant"') == [1, 2]
    details = index.search(q='clown "flying elephant"', showRankingScoreDetails=True)["hits"]
    assert [hit["_rankingScoreDetails"]["words"]["matchingWords"] for hit in details] == [2, 1]


def test_a_phrase_is_still_dropped_by_the_all_and_frequency_rules_as_before(
    make_index: Make,
) -> None:
    index = make_index(*ANIMALS)
    assert index.ids(q='coco "dumbo"', matchingStrategy="all") == []
    assert index.ids(q='coco "dumbo"', matchingStrategy="frequency") == [3]


def test_a_synonym_run_is_not_a_quoted_phrase(make_index: Make) -> None:
    index = make_index(*ANIMALS, synonyms={"big ears": ["dumbo"]})
    assert index.ids(q="coco big ears") == [3]


# -- `_vectors` ---------------------------------------------------------------------------

VECTORS = [
    {"id": 1, "title": "red", "_vectors": {"default": [0.5, 1.5]}},
    {
        "id": 2,
        "title": "blue",
        "_vectors": {"default": {"embeddings": [[1, 2]], "regenerate": True}},
    },
]


def test_vectors_never_match_a_query(make_index: Make) -> None:
    index = make_index(*VECTORS, {"id": 3, "title": "default 1"})
    assert index.ids(q="default") == [3]
    assert index.ids(q="0") == []
    assert index.ids(q="embeddings") == []


def test_vectors_are_not_searchable_even_when_listed(make_index: Make) -> None:
    index = make_index(*VECTORS, searchableAttributes=["_vectors", "title"])
    assert index.ids(q="default") == []
    with pytest.raises(MeiliError) as caught:
        index.search(q="red", attributesToSearchOn=["_vectors"])
    assert caught.value.code == "invalid_search_attributes_to_search_on"


def test_vectors_do_not_count_in_attribute_ranking(make_index: Make) -> None:
    docs = [
        {"id": 1, "_vectors": {"default": [1.0]}, "title": "x", "body": "prince"},
        {"id": 2, "title": "prince", "body": "x"},
    ]
    index = make_index(*docs, searchableAttributes=["title", "body"])
    assert index.ids(q="prince") == [2, 1]
    hits = index.search(q="prince", showRankingScoreDetails=True)["hits"]
    scores = [hit["_rankingScoreDetails"]["attributeRank"]["score"] for hit in hits]
    assert scores == [1.0, 0.5]


def test_vectors_are_hidden_from_hits_unless_asked_for(make_index: Make) -> None:
    index = make_index(*VECTORS)
    plain = index.search(q="red", attributesToHighlight=["*"], showMatchesPosition=True)
    assert plain["hits"] == [
        {
            "id": 1,
            "title": "red",
            "_formatted": {"id": "1", "title": "<em>red</em>"},
            "_matchesPosition": {"title": [{"start": 0, "length": 3}]},
        }
    ]
    asked = index.search(retrieveVectors=True, attributesToRetrieve=["id"])["hits"]
    assert asked == [
        {"id": 1, "_vectors": {"default": {"embeddings": [[0.5, 1.5]], "regenerate": False}}},
        {"id": 2, "_vectors": {"default": {"embeddings": [[1, 2]], "regenerate": True}}},
    ]


def test_vectors_stay_hidden_when_not_displayed(make_index: Make) -> None:
    index = make_index(*VECTORS, displayedAttributes=["id", "title"])
    assert index.search(q="red", retrieveVectors=True)["hits"] == [{"id": 1, "title": "red"}]


# -- `performanceDetails` -----------------------------------------------------------------


def test_performance_details_only_when_asked(make_index: Make) -> None:
    index = make_index(*ANIMALS, filterableAttributes=["id"])
    assert "performanceDetails" not in index.search(q="dumbo")
    details = index.search(q="dumbo", filter="id > 0", facets=["id"], showPerformanceDetails=True)[
        "performanceDetails"
    ]
    assert list(details) == [
        "search > evaluate filter",
        "search > tokenize query",
        "search > evaluate query",
        "search > keyword ranking",
        "search > format",
        "search > facet distribution",
        "search",
    ]
    assert all(DURATION.match(value) for value in details.values())


def test_placeholder_search_names_its_ranking_stage(make_index: Make) -> None:
    details = make_index(*ANIMALS).search(showPerformanceDetails=True)["performanceDetails"]
    assert "search > placeholder search" in details
    assert "search > evaluate filter" not in details


def test_multi_search_reports_per_query_and_federated_details(make_index: Make) -> None:
    index = make_index(*ANIMALS)

    def resolve(uid: str) -> tuple[DocumentStore, dict[str, Any]]:
        return index.store, index.settings

    queries = [
        {"indexUid": "books", "q": "dumbo", "showPerformanceDetails": True},
        {"indexUid": "books", "q": "coco"},
    ]
    results = multi_search({"queries": queries}, resolve)["results"]
    assert "search" in results[0]["performanceDetails"]
    assert "performanceDetails" not in results[1]
    federated = multi_search(
        {"queries": queries, "federation": {"showPerformanceDetails": True}}, resolve
    )
    assert list(federated["performanceDetails"]) == [
        "federated search > queries[0]",
        "federated search > queries[1]",
        "federated search > merge",
        "federated search > format",
        "federated search",
    ]
    plain = multi_search({"queries": queries[1:], "federation": {}}, resolve)
    assert "performanceDetails" not in plain


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.00000123, "1.23µs"), (0.000456, "456.00µs"), (0.0123, "12.30ms"), (2.1, "2.10s")],
)
def test_durations_read_like_meilisearch(seconds: float, text: str) -> None:
    assert human(seconds) == text
