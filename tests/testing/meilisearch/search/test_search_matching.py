"""Which documents a query matches: prefixes, typos, strategies, synonyms, phrases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Make = Callable[..., Any]


def matches(index: Any, q: str, **params: Any) -> set[int]:
    return set(index.ids(q=q, limit=100, **params))


def test_words_are_found_whatever_their_case_and_accents(make_index: Make, books: Any) -> None:
    index = make_index(*books)
    assert matches(index, "EMILE EDUCATION") == {5}
    assert matches(index, "exupéry") == {2}


def test_the_last_word_matches_as_a_prefix(make_index: Make, books: Any) -> None:
    index = make_index(*books)
    assert matches(index, "hob") == {4}
    assert matches(index, "hob ") == set()


def test_prefix_search_can_be_disabled(make_index: Make, books: Any) -> None:
    index = make_index(*books, prefixSearch="disabled")
    assert matches(index, "hob") == set()
    assert matches(index, "hobbit") == {4}


def test_one_typo_from_five_letters_two_from_nine(make_index: Make) -> None:
    index = make_index(
        {"id": 1, "w": "hobbit"}, {"id": 2, "w": "encyclopedia"}, {"id": 3, "w": "cat"}
    )
    assert matches(index, "hobbir ") == {1}
    assert matches(index, "hobxir ") == set()
    assert matches(index, "encyclopdeai ") == {2}
    assert matches(index, "cot ") == set()


def test_typo_sizes_follow_the_settings(make_index: Make) -> None:
    sizes = {"enabled": True, "minWordSizeForTypos": {"oneTypo": 3, "twoTypos": 4}}
    index = make_index({"id": 1, "w": "cat"}, {"id": 2, "w": "boat"}, typoTolerance=sizes)
    assert matches(index, "cot ") == {1}
    assert matches(index, "bxax ") == {2}


def test_typo_tolerance_can_be_disabled(make_index: Make) -> None:
    index = make_index({"id": 1, "w": "hobbit"}, typoTolerance={"enabled": False})
    assert matches(index, "hobbir ") == set()


def test_typo_tolerance_can_be_disabled_on_words(make_index: Make) -> None:
    index = make_index({"id": 1, "w": "hobbit"}, typoTolerance={"disableOnWords": ["Hobbir"]})
    assert matches(index, "hobbir ") == set()
    assert matches(index, "hobbyt ") == {1}


def test_typo_tolerance_can_be_disabled_on_attributes(make_index: Make) -> None:
    index = make_index(
        {"id": 1, "sku": "hobbit"},
        {"id": 2, "title": "hobbit"},
        typoTolerance={"disableOnAttributes": ["sku"]},
    )
    assert matches(index, "hobbir ") == {2}
    assert matches(index, "hobbit") == {1, 2}


def test_typo_tolerance_can_be_disabled_on_numbers(make_index: Make) -> None:
    docs = [{"id": 1, "code": "123456"}]
    assert matches(make_index(*docs), "123457 ") == {1}
    assert matches(make_index(*docs, typoTolerance={"disableOnNumbers": True}), "123457 ") == set()


DOGS = [
    {"id": 1, "t": "big fat cat"},
    {"id": 2, "t": "big fat dog"},
    {"id": 3, "t": "big dog"},
    {"id": 4, "t": "fat cat"},
    {"id": 5, "t": "cat"},
]


def test_strategy_last_drops_words_from_the_end(make_index: Make) -> None:
    index = make_index(*DOGS)
    assert index.ids(q="big fat cat") == [1, 2, 3]


def test_strategy_all_requires_every_word(make_index: Make) -> None:
    index = make_index(*DOGS)
    assert index.ids(q="big fat cat", matchingStrategy="all") == [1]


def test_strategy_frequency_drops_the_most_frequent_words_first(make_index: Make) -> None:
    index = make_index(*DOGS)
    assert index.ids(q="big fat cat", matchingStrategy="frequency")[:1] == [1]
    assert set(index.ids(q="big cat", matchingStrategy="frequency")) == {1, 3, 2}


def test_one_way_synonyms(make_index: Make) -> None:
    index = make_index(
        {"id": 1, "t": "iphone"}, {"id": 2, "t": "phone"}, synonyms={"phone": ["iphone"]}
    )
    assert matches(index, "phone ") == {1, 2}
    assert matches(index, "iphone ") == {1}


def test_multi_word_synonyms(make_index: Make) -> None:
    index = make_index(
        {"id": 1, "t": "I love NYC"},
        {"id": 2, "t": "new york city"},
        {"id": 3, "t": "new shoes from york"},
        synonyms={"new york": ["nyc"], "nyc": ["new york"]},
    )
    assert matches(index, "new york ") == {1, 2}
    assert matches(index, "nyc ") == {1, 2}


def test_stop_words_are_ignored_in_the_query(make_index: Make) -> None:
    index = make_index({"id": 1, "t": "the hobbit"}, {"id": 2, "t": "the lord"}, stopWords=["the"])
    assert index.ids(q="the hobbit", matchingStrategy="all") == [1]
    assert matches(index, "the") == {1, 2}


def test_phrases_need_consecutive_words(make_index: Make) -> None:
    index = make_index({"id": 1, "t": "winter feast"}, {"id": 2, "t": "feast in winter"})
    assert matches(index, '"winter feast"') == {1}
    assert matches(index, "winter feast") == {1, 2}


def test_negative_words_and_phrases_exclude(make_index: Make) -> None:
    index = make_index(
        {"id": 1, "t": "red apple"}, {"id": 2, "t": "green apple"}, {"id": 3, "t": "red wine"}
    )
    assert matches(index, "apple -red") == {2}
    assert matches(index, '-"red wine"') == {1, 2}


def test_searchable_attributes_limit_where_words_are_found(make_index: Make) -> None:
    index = make_index(
        {"id": 1, "title": "x", "body": "hobbit"},
        {"id": 2, "title": "hobbit"},
        searchableAttributes=["title"],
    )
    assert matches(index, "hobbit") == {2}


def test_nested_searchable_attributes(make_index: Make, books: Any) -> None:
    index = make_index(*books, searchableAttributes=["author"])
    assert matches(index, "austen") == {1}
    assert matches(index, "prince") == set()


def test_attributes_to_search_on_restricts_further(make_index: Make) -> None:
    index = make_index({"id": 1, "title": "x", "body": "hobbit"}, {"id": 2, "title": "hobbit"})
    assert matches(index, "hobbit", attributesToSearchOn=["body"]) == {1}


def test_attributes_to_search_on_must_be_searchable(make_index: Make) -> None:
    from scrypath.testing.meilisearch.errors import MeiliError

    index = make_index({"id": 1, "title": "x", "body": "y"}, searchableAttributes=["title", "id"])
    with pytest.raises(MeiliError) as caught:
        index.search(q="x", attributesToSearchOn=["body"])
    assert caught.value.code == "invalid_search_attributes_to_search_on"
    assert caught.value.message == (
        "Index `books`: Attribute `body` is not searchable. Available searchable attributes "
        "are: `id, title`."
    )


def test_only_the_first_ten_words_count(make_index: Make) -> None:
    index = make_index({"id": 1, "t": "eleventh"})
    q = "one two three four five six seven eight nine ten eleventh"
    assert matches(index, q) == set()


def test_a_query_without_words_is_a_placeholder_search(make_index: Make) -> None:
    index = make_index(*DOGS)
    assert index.ids(q="!!!") == [1, 2, 3, 4, 5]
    assert index.ids(q=None) == [1, 2, 3, 4, 5]
