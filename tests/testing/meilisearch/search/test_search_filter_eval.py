"""Filters evaluated against documents: operators, types, nesting, and permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scrypath.testing.meilisearch.errors import MeiliError

DOCS = [
    {"id": 1, "genre": "Horror", "price": 10, "tags": ["a", "b"], "author": {"name": "Ann"}},
    {"id": 2, "genre": "horror", "price": 20.5, "tags": [], "author": {"name": "Bob"}},
    {"id": 3, "genre": "comedy", "price": "30", "tags": ["c"], "author": None},
    {"id": 4, "genre": "", "price": None},
    {"id": 5, "genre": "Drama", "price": 5, "tags": ["a"], "author": {"name": "ann"}},
]


@pytest.fixture
def docs(make_index: Callable[..., Any]) -> Any:
    return make_index(*DOCS, filterableAttributes=["genre", "price", "tags", "author"])


def ids(index: Any, expression: Any) -> list[int]:
    found: list[int] = index.ids(filter=expression)
    return found


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("genre = horror", [1, 2]),
        ("genre = 'HORROR'", [1, 2]),
        ("genre != horror", [3, 4, 5]),
        ("price = 10", [1]),
        ("price = 10.0", [1]),
        ("price = 30", [3]),
        ("price > 10", [2, 3]),
        ("price >= 10", [1, 2, 3]),
        ("price < 10", [5]),
        ("price <= 10", [1, 5]),
        ("price 6 TO 20.5", [1, 2]),
        ("tags = a", [1, 5]),
        ("tags IN [b, c]", [1, 3]),
        ("tags NOT IN [a]", [2, 3, 4]),
        ("author.name = ann", [1, 5]),
        ("author EXISTS", [1, 2, 3, 5]),
        ("author NOT EXISTS", [4]),
        ("author IS NULL", [3]),
        ("author IS NOT NULL", [1, 2, 4, 5]),
        ("price IS NULL", [4]),
        ("genre IS EMPTY", [4]),
        ("tags IS EMPTY", [2]),
        ("tags IS NOT EMPTY", [1, 3, 4, 5]),
        ("genre STARTS WITH hor", [1, 2]),
        ("genre = horror AND price > 15", [2]),
        ("genre = comedy OR price < 6", [3, 5]),
        ("NOT genre = horror AND NOT genre = comedy", [4, 5]),
        (["genre = horror", ["price = 10", "price = 5"]], [1]),
    ],
)
def test_operators_select_the_right_documents(
    docs: Any, expression: Any, expected: list[int]
) -> None:
    assert ids(docs, expression) == expected


def test_string_ranges_compare_normalized_strings(make_index: Callable[..., Any]) -> None:
    index = make_index(
        {"id": 1, "c": "apple"},
        {"id": 2, "c": "Banana"},
        {"id": 3, "c": "cherry"},
        filterableAttributes=["c"],
    )
    assert ids(index, "c > apple") == [2, 3]
    assert ids(index, "c b TO c") == [2]


def test_unknown_values_and_fields_match_nothing(docs: Any) -> None:
    assert ids(docs, "genre = western") == []
    assert ids(docs, "genre.sub = x") == []


def test_a_string_pattern_makes_nested_fields_filterable(make_index: Callable[..., Any]) -> None:
    index = make_index(*DOCS, filterableAttributes=["author"])
    assert ids(index, "author.name = bob") == [2]


def test_wildcard_patterns_are_filterable(make_index: Callable[..., Any]) -> None:
    index = make_index(*DOCS, filterableAttributes=[{"attributePatterns": ["gen*"]}])
    assert ids(index, "genre = drama") == [5]


def test_unfilterable_attribute_message(docs: Any) -> None:
    with pytest.raises(MeiliError) as caught:
        ids(docs, '"title" = "Glass"')
    assert caught.value.code == "invalid_search_filter"
    assert caught.value.message == (
        "Index `books`: Attribute `title` is not filterable. Available filterable attribute "
        'patterns are: `author`, `genre`, `price`, `tags`.\n2:7 "title" = "Glass"'
    )


def test_granular_rules_default_to_equality_only(make_index: Callable[..., Any]) -> None:
    index = make_index(*DOCS, filterableAttributes=[{"attributePatterns": ["price"]}])
    assert ids(index, "price = 5") == [5]
    with pytest.raises(MeiliError) as caught:
        ids(index, "price > 5")
    assert caught.value.message == (
        "Index `books`: Filter operator `>` is not allowed for the attribute `price`.\n"
        "  - Note: allowed operators: OR, AND, NOT, =, !=, IN, IS EMPTY, IS NULL, EXISTS.\n"
        "  - Note: field `price` matched rule #0 in `filterableAttributes`\n"
        "  - Hint: enable comparison in rule #0 by modifying the features.filter object\n"
        "  - Hint: prepend another rule matching `price` with appropriate filter features "
        "before rule #0"
    )


def test_comparison_only_rules_refuse_equality(make_index: Callable[..., Any]) -> None:
    rule = {
        "attributePatterns": ["price"],
        "features": {"filter": {"equality": False, "comparison": True}},
    }
    index = make_index(*DOCS, filterableAttributes=[rule])
    assert ids(index, "price 1 TO 10") == [1, 5]
    assert ids(index, "price EXISTS") == [1, 2, 3, 4, 5]
    with pytest.raises(MeiliError) as caught:
        ids(index, "price IN [10]")
    assert "Filter operator `IN` is not allowed" in caught.value.message
    assert "enable equality in rule #0" in caught.value.message


def test_a_rule_without_filter_features_is_not_filterable(make_index: Callable[..., Any]) -> None:
    rule = {
        "attributePatterns": ["genre"],
        "features": {"facetSearch": True, "filter": {"equality": False, "comparison": False}},
    }
    index = make_index(*DOCS, filterableAttributes=[rule, "price"])
    with pytest.raises(MeiliError) as caught:
        ids(index, "genre = horror")
    assert "Attribute `genre` is not filterable" in caught.value.message
    assert "patterns are: `price`." in caught.value.message


def test_the_first_matching_rule_decides(make_index: Callable[..., Any]) -> None:
    first = {"attributePatterns": ["pri*"], "features": {"filter": {"comparison": True}}}
    index = make_index(*DOCS, filterableAttributes=[first, {"attributePatterns": ["price"]}])
    assert ids(index, "price > 19") == [2, 3]


def test_document_filters_use_the_route_error_code(docs: Any) -> None:
    with pytest.raises(MeiliError) as caught:
        docs.store.matching("nope = 1", docs.settings, error_code="invalid_document_filter")
    assert caught.value.code == "invalid_document_filter"
    assert docs.store.matching("tags = a", docs.settings, error_code="invalid_document_filter") == [
        "1",
        "5",
    ]
