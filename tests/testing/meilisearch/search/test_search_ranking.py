"""Ranking rules in order, custom rules, sort, and the ranking score."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search.ranking import global_score
from scrypath.testing.meilisearch.search.relevancy import Rank

Make = Callable[..., Any]


def test_default_rules_are_meilisearch_v1_defaults(index: Any) -> None:
    assert index.settings["rankingRules"] == [
        "words",
        "typo",
        "proximity",
        "attributeRank",
        "sort",
        "wordPosition",
        "exactness",
    ]


def test_words_more_matched_words_first(make_index: Make) -> None:
    index = make_index({"id": 1, "t": "red"}, {"id": 2, "t": "red car"})
    assert index.ids(q="red car") == [2, 1]


def test_typo_fewer_typos_first(make_index: Make) -> None:
    index = make_index({"id": 1, "t": "hobbyt"}, {"id": 2, "t": "hobbit"})
    assert index.ids(q="hobbit ") == [2, 1]


def test_proximity_closer_words_first(make_index: Make) -> None:
    index = make_index(
        {"id": 1, "t": "big and very fat"}, {"id": 2, "t": "big fat"}, {"id": 3, "t": "fat big"}
    )
    assert index.ids(q="big fat") == [2, 3, 1]


def test_attribute_rank_follows_searchable_order(make_index: Make) -> None:
    docs = [{"id": 1, "title": "x", "body": "prince"}, {"id": 2, "title": "prince", "body": "x"}]
    assert make_index(*docs, searchableAttributes=["title", "body"]).ids(q="prince") == [2, 1]
    assert make_index(*docs, searchableAttributes=["body", "title"]).ids(q="prince") == [1, 2]


def test_star_searchable_weighs_every_field_the_same(make_index: Make) -> None:
    docs = [{"id": 1, "a": "x", "b": "prince"}, {"id": 2, "a": "prince", "b": "x"}]
    index = make_index(*docs, rankingRules=["attributeRank"])
    hits = index.search(q="prince", showRankingScoreDetails=True)["hits"]
    assert [hit["id"] for hit in hits] == [1, 2]
    assert {hit["_rankingScoreDetails"]["attributeRank"]["score"] for hit in hits} == {1.0}
    assert make_index(*docs, searchableAttributes=["b", "a"]).ids(q="prince") == [1, 2]
    assert make_index(*docs, searchableAttributes=["a", "b"]).ids(q="prince") == [2, 1]


def test_word_position_earlier_first(make_index: Make) -> None:
    index = make_index({"id": 1, "t": "the little prince"}, {"id": 2, "t": "prince"})
    assert index.ids(q="prince") == [2, 1]


def test_exactness_whole_attribute_then_start_then_exact_words(make_index: Make) -> None:
    index = make_index(
        {"id": 1, "t": "a prince"},
        {"id": 2, "t": "prince and pauper"},
        {"id": 3, "t": "prince"},
        {"id": 4, "t": "princes"},
        rankingRules=["words", "exactness"],
    )
    assert index.ids(q="prince") == [3, 2, 1, 4]


def test_legacy_attribute_rule_combines_rank_and_position(make_index: Make) -> None:
    index = make_index(
        {"id": 1, "title": "x prince", "body": "x"},
        {"id": 2, "title": "x", "body": "prince"},
        {"id": 3, "title": "prince", "body": "x"},
        searchableAttributes=["title", "body"],
        rankingRules=["attribute"],
    )
    assert index.ids(q="prince") == [3, 1, 2]


def test_rule_order_decides_which_criterion_wins(make_index: Make) -> None:
    docs = [{"id": 1, "t": "hobbit tale"}, {"id": 2, "t": "hobbyt"}]
    assert make_index(*docs, rankingRules=["typo", "exactness"]).ids(q="hobbit ") == [1, 2]
    assert make_index(*docs, rankingRules=["exactness", "typo"]).ids(q="hobbyt ") == [2, 1]


def test_custom_rules_sort_by_a_field(make_index: Make) -> None:
    docs = [{"id": i, "t": "same", "year": y} for i, y in [(1, 2001), (2, 1999), (3, 2010)]]
    assert make_index(*docs, rankingRules=["words", "year:desc"]).ids(q="same") == [3, 1, 2]
    assert make_index(*docs, rankingRules=["year:asc"]).ids(q="") == [2, 1, 3]


def test_placeholder_search_keeps_insertion_order(make_index: Make) -> None:
    index = make_index({"id": 3}, {"id": 1}, {"id": 2})
    assert index.ids() == [3, 1, 2]
    assert {hit["_rankingScore"] for hit in index.search(showRankingScore=True)["hits"]} == {1.0}


SORTABLE = [
    {"id": 1, "v": 10},
    {"id": 2, "v": "b"},
    {"id": 3},
    {"id": 4, "v": 2},
    {"id": 5, "v": "A"},
    {"id": 6, "v": [7, 30]},
]


def test_sort_ascending_numbers_then_strings_then_missing(make_index: Make) -> None:
    index = make_index(*SORTABLE, sortableAttributes=["v"])
    assert index.ids(sort=["v:asc"]) == [4, 6, 1, 5, 2, 3]


def test_sort_descending_keeps_numbers_first_and_missing_last(make_index: Make) -> None:
    index = make_index(*SORTABLE, sortableAttributes=["v"])
    assert index.ids(sort=["v:desc"]) == [6, 1, 4, 2, 5, 3]


def test_sort_applies_at_the_sort_rule_position(make_index: Make) -> None:
    docs = [
        {"id": 1, "t": "red", "p": 1},
        {"id": 2, "t": "red car", "p": 5},
        {"id": 3, "t": "red car", "p": 9},
    ]
    index = make_index(*docs, sortableAttributes=["p"])
    assert index.ids(q="red car", sort=["p:desc"]) == [3, 2, 1]
    index.configure(rankingRules=["sort", "words"])
    assert index.ids(q="red car", sort=["p:asc"]) == [1, 2, 3]


def test_sort_by_several_fields_and_nested_fields(make_index: Make) -> None:
    docs = [
        {"id": 1, "a": {"b": 1}, "c": 2},
        {"id": 2, "a": {"b": 1}, "c": 1},
        {"id": 3, "a": {"b": 0}, "c": 3},
    ]
    index = make_index(*docs, sortableAttributes=["a", "c"])
    assert index.ids(sort=["a.b:asc", "c:asc"]) == [3, 2, 1]


@pytest.mark.parametrize(
    ("changes", "sort", "message"),
    [
        (
            {"sortableAttributes": ["b", "a"]},
            ["c:asc"],
            "Index `books`: Attribute `c` is not sortable. Available sortable attributes are: "
            "`a, b`.",
        ),
        (
            {},
            ["c:asc"],
            "Index `books`: Attribute `c` is not sortable. This index does not have configured "
            "sortable attributes.",
        ),
        (
            {"sortableAttributes": ["c"]},
            ["c"],
            "Invalid syntax for the sort parameter: expected expression ending by `:asc` or "
            "`:desc`, found `c`.",
        ),
        (
            {"sortableAttributes": ["c"], "rankingRules": ["words"]},
            ["c:asc"],
            "Index `books`: You must specify where `sort` is listed in the rankingRules setting to "
            "use the sort parameter at search time.",
        ),
    ],
)
def test_sort_errors(
    make_index: Make, changes: dict[str, Any], sort: list[str], message: str
) -> None:
    index = make_index({"id": 1}, **changes)
    with pytest.raises(MeiliError) as caught:
        index.search(sort=sort)
    assert caught.value.code == "invalid_search_sort"
    assert caught.value.message == message


def test_scores_never_increase_down_the_list(make_index: Make, books: Any) -> None:
    hits = make_index(*books).search(q="the prince of j", showRankingScore=True)["hits"]
    scores = [hit["_rankingScore"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)


def test_score_details_list_each_rule_in_order(make_index: Make) -> None:
    index = make_index({"id": 1, "t": "hobbyt tale", "p": 3}, sortableAttributes=["p"])
    hit = index.search(q="hobbit tale", sort=["p:asc"], showRankingScoreDetails=True)["hits"][0]
    details = hit["_rankingScoreDetails"]
    assert list(details) == [
        "words",
        "typo",
        "proximity",
        "attributeRank",
        "p:asc",
        "wordPosition",
        "exactness",
    ]
    assert [d["order"] for d in details.values()] == list(range(7))
    assert details["words"] == {"order": 0, "matchingWords": 2, "maxMatchingWords": 2, "score": 1.0}
    assert details["typo"]["typoCount"] == 1
    assert details["p:asc"] == {"order": 4, "value": 3}
    assert details["exactness"]["matchType"] == "noExactMatch"


def test_ranking_score_threshold_drops_weak_hits(make_index: Make) -> None:
    index = make_index({"id": 1, "t": "red car"}, {"id": 2, "t": "red"})
    scores = {
        h["id"]: h["_rankingScore"]
        for h in index.search(q="red car", showRankingScore=True)["hits"]
    }
    cut = (scores[1] + scores[2]) / 2
    result = index.search(q="red car", rankingScoreThreshold=cut)
    assert [h["id"] for h in result["hits"]] == [1]
    assert result["estimatedTotalHits"] == 1


@settings(max_examples=150)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), min_size=1, max_size=4), st.data())
def test_global_score_orders_like_the_ranks(shape: list[tuple[int, int]], data: Any) -> None:
    def ranks() -> list[Rank]:
        return [Rank(data.draw(st.integers(1, top + extra)), top + extra) for top, extra in shape]

    left, right = ranks(), ranks()
    key = [r.rank for r in left], [r.rank for r in right]
    if key[0] > key[1]:
        assert global_score(left) > global_score(right)
    elif key[0] == key[1]:
        assert global_score(left) == global_score(right)
