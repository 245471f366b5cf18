"""The filter grammar: every operator, precedence, quoting, array form and errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search.filter import (
    And,
    Condition,
    Node,
    Not,
    Or,
    parse_filter,
    quote,
)

CODE = "invalid_search_filter"


def parse(expression: Any) -> Node | None:
    return parse_filter(expression, CODE)


def shape(node: Node | None) -> Any:
    """A compact, comparable rendering of a parsed filter."""
    if node is None:
        return None
    if isinstance(node, Condition):
        return (node.field.text, node.op, *(v.text for v in node.values))
    if isinstance(node, Not):
        return ("NOT", shape(node.item))
    kind = "AND" if isinstance(node, And) else "OR"
    assert isinstance(node, And | Or)
    return (kind, *(shape(item) for item in node.items))


def error(expression: Any) -> MeiliError:
    with pytest.raises(MeiliError) as caught:
        parse(expression)
    assert caught.value.code == CODE
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = 1", ("a", "=", "1")),
        ("a != x", ("a", "!=", "x")),
        ("a > 1", ("a", ">", "1")),
        ("a >= 1", ("a", ">=", "1")),
        ("a < 1", ("a", "<", "1")),
        ("a <= -1.5", ("a", "<=", "-1.5")),
        ("a 1 TO 10", ("a", "TO", "1", "10")),
        ("a IN [x, 'y z', \"w\",]", ("a", "IN", "x", "y z", "w")),
        ("a IN []", ("a", "IN")),
        ("a NOT IN [x]", ("NOT", ("a", "IN", "x"))),
        ("a EXISTS", ("a", "EXISTS")),
        ("a NOT EXISTS", ("NOT", ("a", "EXISTS"))),
        ("a IS NULL", ("a", "IS NULL")),
        ("a IS NOT NULL", ("NOT", ("a", "IS NULL"))),
        ("a IS EMPTY", ("a", "IS EMPTY")),
        ("a IS NOT EMPTY", ("NOT", ("a", "IS EMPTY"))),
        ("a STARTS WITH pre", ("a", "STARTS WITH", "pre")),
        ("a NOT STARTS WITH pre", ("NOT", ("a", "STARTS WITH", "pre"))),
        ("author.name = 'Jane Austen'", ("author.name", "=", "Jane Austen")),
        ("a=1", ("a", "=", "1")),
    ],
)
def test_every_operator_parses(text: str, expected: Any) -> None:
    assert shape(parse(text)) == expected


def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    assert shape(parse("NOT a = 1 AND b = 2 OR c = 3")) == (
        "OR",
        ("AND", ("NOT", ("a", "=", "1")), ("b", "=", "2")),
        ("c", "=", "3"),
    )


def test_parentheses_override_precedence() -> None:
    assert shape(parse("a = 1 AND (b = 2 OR c = 3)")) == (
        "AND",
        ("a", "=", "1"),
        ("OR", ("b", "=", "2"), ("c", "=", "3")),
    )


def test_double_negation_cancels() -> None:
    assert shape(parse("NOT NOT a = 1")) == ("a", "=", "1")


def test_quoted_values_unescape_backslashes() -> None:
    assert shape(parse(r'a = "say \"hi\"\\ \n"')) == ("a", "=", 'say "hi"\\ \n')
    assert shape(parse(r"a = 'it\'s'")) == ("a", "=", "it's")
    assert shape(parse(r'a = "\u00e9\u{1F600}"')) == ("a", "=", "é\U0001f600")


def test_keywords_can_be_quoted_as_values_and_fields() -> None:
    assert shape(parse("'AND' = 'OR'")) == ("AND", "=", "OR")


def test_array_form_ands_items_and_ors_inner_arrays() -> None:
    assert shape(parse(["a = 1", ["b = 2", "c = 3"], "  "])) == (
        "AND",
        ("a", "=", "1"),
        ("OR", ("b", "=", "2"), ("c", "=", "3")),
    )
    assert parse([]) is None
    assert parse("   ") is None
    assert parse(None) is None


def test_wrong_json_types_are_reported() -> None:
    assert error(True).message == (
        "Invalid syntax for the filter parameter: `expected String, Array, found: true`."
    )
    assert error(["a = 1", 3]).message == (
        "Invalid type for filter subexpression: expected: String, [String], found: 3."
    )
    assert error([["a = 1", ["b = 2"]]]).message == (
        'Invalid type for filter subexpression: expected: String, found: ["b = 2"].'
    )


def test_a_missing_operation_names_the_place() -> None:
    assert error("title & Glass").message.endswith("at `title & Glass`.\n1:14 title & Glass")
    assert error("title & Glass").message.startswith("Was expecting an operation `=`, `!=`")


def test_trailing_garbage_is_reported_with_its_position() -> None:
    assert error("title = Glass XOR title = Glass").message == (
        "Found unexpected characters at the end of the filter: `XOR title = Glass`. You "
        "probably forgot an `OR` or an `AND` rule.\n15:32 title = Glass XOR title = Glass"
    )


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("a = ", "Was expecting a value but instead got nothing."),
        ("a = AND", "Was expecting a value but instead got `AND`, which is a reserved keyword."),
        ("a = 'open", "Expression `'open` is missing the following closing delimiter: `'`."),
        ("(a = 1", "Expression `(a = 1` is missing the following closing delimiter: `)`."),
        ("a IN x", "Expected `[` after `IN` keyword."),
        ("a IN [x", "Expected matching `]` after the list of field names given to `IN[`"),
        ("a IN [x y]", "Expected only comma-separated field names inside `IN[..]`"),
        ("a = 1 OR", "Was expecting an operation"),
        ('a = "\\q"', "Malformed value"),
        ("a IS b", "Was expecting an operation"),
    ],
)
def test_syntax_errors_use_meilisearch_wording(text: str, start: str) -> None:
    assert error(text).message.startswith(start)


def test_geo_filters_are_refused_by_the_fake() -> None:
    message = error("_geoRadius(45.4, 9.1, 2000)").message
    assert "does not support geo filters" in message
    assert "reserved keyword" in error("_geo = 1").message


def test_contains_is_refused_like_meilisearch_without_the_experimental_feature() -> None:
    with pytest.raises(MeiliError) as caught:
        parse("doggo CONTAINS kefir")
    assert caught.value.code == "feature_not_enabled"
    assert caught.value.message == (
        "Using `CONTAINS` in a filter requires enabling the `contains filter` experimental "
        "feature. See https://github.com/orgs/meilisearch/discussions/763\n7:15 doggo CONTAINS "
        "kefir"
    )


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    assert "maximum depth" in error("(" * 200 + "a = 1" + ")" * 200).message
    assert "maximum depth" in error("NOT " * 500 + "a = 1").message


DEPTH_ERROR = (
    "The filter exceeded the maximum depth limit. Try rewriting the filter so that it "
    "contains fewer nested conditions."
)


def groups(count: int) -> str:
    return "(" * count + "a = 1" + ")" * count


def negations(count: int) -> str:
    return "NOT " * count + "a = 1"


def negated_groups(count: int) -> str:
    return "NOT (" * count + "a = 1" + ")" * count


# Meilisearch's own parser tests pin the first two maxima: 36 groups, 147 negations.
@pytest.mark.parametrize(
    ("build", "deepest"),
    [(groups, 36), (negations, 147), (negated_groups, 29)],
)
def test_the_depth_limit_is_meilisearchs_to_the_level(build: Any, deepest: int) -> None:
    assert parse(build(deepest)) is not None
    assert error(build(deepest + 1)).message.startswith(DEPTH_ERROR + "\n")


def test_a_condition_one_level_too_deep_is_refused_where_it_starts() -> None:
    text = groups(37)
    rest = text[37:]
    assert error(text).message == f"{DEPTH_ERROR}\n38:{38 + len(rest)} {text}"


def test_and_or_chains_cost_no_depth_but_groups_do() -> None:
    flat = " AND ".join(["a = 1"] * 50) + " OR " + " AND ".join(["b = 2"] * 50)
    assert parse(flat) is not None
    assert parse(alternating(36)) is not None
    assert error(alternating(37)).message.startswith(DEPTH_ERROR)


def alternating(count: int) -> str:
    """`count` groups, each `a = 1 AND (...)` or `a = 1 OR (...)` in turn."""
    nested = "a = 1"
    for level in range(count):
        nested = f"a = 1 {'AND' if level % 2 else 'OR'} ({nested})"
    return nested


def test_array_items_are_parsed_on_their_own_depth() -> None:
    node = parse([groups(36), [groups(36), negations(147)]])
    assert isinstance(node, And)
    assert "maximum depth" in error([groups(36), [groups(37)]]).message


@settings(max_examples=200)
@given(st.text())
def test_arbitrary_text_only_ever_raises_a_filter_error(text: str) -> None:
    try:
        parse(text)
    except MeiliError as caught:
        assert caught.code == CODE
        assert caught.message


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(), max_size=30))
def test_a_quoted_value_parses_back_to_itself(value: str) -> None:
    assert shape(parse(f"field = {quote(value)}")) == ("field", "=", value)


names = st.sampled_from(["a", "b", "c"])
atoms = st.builds(lambda n, v: f"{n} = {v}", names, st.integers(0, 2))


def expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.builds(lambda x, y: f"{x} AND {y}", inner, inner),
            st.builds(lambda x, y: f"{x} OR {y}", inner, inner),
            st.builds(lambda x: f"NOT {x}", inner),
            st.builds(lambda x: f"({x})", inner),
        ),
        max_leaves=8,
    )


def holds(node: Node, row: dict[str, int]) -> bool:
    if isinstance(node, Condition):
        return row[node.field.text] == int(node.values[0].text)
    if isinstance(node, Not):
        return not holds(node.item, row)
    if isinstance(node, And):
        return all(holds(item, row) for item in node.items)
    assert isinstance(node, Or)
    return any(holds(item, row) for item in node.items)


def python_truth(text: str, row: dict[str, int]) -> bool:
    code = text.replace("AND", "and").replace("OR", "or").replace("NOT", "not")
    for name in "abc":
        code = code.replace(f"{name} =", f"{row[name]} ==")
    return bool(eval(code))  # the generated text only holds digits, ==, and, or, not, ( )


@settings(max_examples=200)
@given(expressions(), st.fixed_dictionaries({n: st.integers(0, 2) for n in "abc"}))
def test_precedence_matches_not_and_or(text: str, row: dict[str, int]) -> None:
    node = parse(text)
    assert node is not None
    assert holds(node, row) == python_truth(text, row)
