from __future__ import annotations

from types import MappingProxyType

import pytest

from scrypath.errors import DeclarationError
from scrypath.index_settings import (
    SETTINGS_FAMILIES,
    SettingsScope,
    plain,
    to_snake,
    unknown_families,
    validate_settings,
)

SCOPE = SettingsScope("Post", frozenset({"id", "title", "body"}), "id")


def test_the_documented_families_are_all_known() -> None:
    assert frozenset(SETTINGS_FAMILIES) == {
        "synonyms",
        "stop_words",
        "typo_tolerance",
        "ranking_rules",
        "distinct_attribute",
        "searchable_attributes",
        "displayed_attributes",
        "pagination",
        "proximity_precision",
        "separator_tokens",
        "non_separator_tokens",
        "dictionary",
        "search_cutoff_ms",
        "facet_search",
        "prefix_search",
        "localized_attributes",
    }


def test_settings_come_back_frozen_in_declaration_order() -> None:
    frozen = validate_settings(
        {"stop_words": ["the", "a"], "synonyms": {"tv": ["television"]}}, SCOPE
    )
    assert isinstance(frozen, MappingProxyType)
    assert list(frozen) == ["stop_words", "synonyms"]
    assert frozen["stop_words"] == ("the", "a")
    assert plain(frozen) == {"stop_words": ["the", "a"], "synonyms": {"tv": ["television"]}}


@pytest.mark.parametrize(
    ("family", "given", "stored"),
    [
        ("proximity_precision", "byAttribute", "by_attribute"),
        ("proximity_precision", "by_word", "by_word"),
        ("prefix_search", "indexingTime", "indexing_time"),
        ("prefix_search", "disabled", "disabled"),
    ],
)
def test_enumerated_values_are_stored_in_snake_case(family: str, given: str, stored: str) -> None:
    assert validate_settings({family: given}, SCOPE)[family] == stored


def test_localized_attributes_default_their_locales() -> None:
    frozen = validate_settings({"localized_attributes": [{"attribute_patterns": ["*_ja"]}]}, SCOPE)
    assert plain(frozen) == {
        "localized_attributes": [{"locales": [], "attribute_patterns": ["*_ja"]}]
    }


def test_unknown_families_are_listed_and_kept_as_json() -> None:
    frozen = validate_settings(
        {"embedders": {"default": {"source": "user"}}, "stop_words": []}, SCOPE
    )
    assert unknown_families(frozen) == ("embedders",)
    assert plain(frozen["embedders"]) == {"default": {"source": "user"}}


def test_unknown_families_must_hold_json_data() -> None:
    with pytest.raises(DeclarationError, match=r"settings\.chat: set is not JSON data"):
        validate_settings({"chat": {1, 2}}, SCOPE)
    with pytest.raises(DeclarationError, match="float"):
        validate_settings({"chat": float("nan")}, SCOPE)


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("stopWords", "stop_words"),
        ("typoTolerance", "typo_tolerance"),
        ("synonyms", "synonyms"),
        ("search_cutoff_ms", "search_cutoff_ms"),
        ("searchCutoffMs", "search_cutoff_ms"),
    ],
)
def test_to_snake(name: str, snake: str) -> None:
    assert to_snake(name) == snake


def test_two_typos_alone_is_fine_and_sizes_may_be_equal() -> None:
    frozen = validate_settings(
        {"typo_tolerance": {"min_word_size_for_typos": {"one_typo": 5, "two_typos": 5}}}, SCOPE
    )
    assert plain(frozen)["typo_tolerance"]["min_word_size_for_typos"] == {
        "one_typo": 5,
        "two_typos": 5,
    }
    assert validate_settings(
        {"typo_tolerance": {"min_word_size_for_typos": {"two_typos": 2}}}, SCOPE
    )


def test_a_non_string_family_name_is_refused() -> None:
    with pytest.raises(DeclarationError, match="family names must be non-empty strings"):
        validate_settings({3: []}, SCOPE)
