"""A user's value never escapes its filter clause, and every compiled filter parses.

Compiled filters are parsed back with the fake Meilisearch's filter parser, and searched on
the fake, for arbitrary strings: quotes, backslashes, keywords, brackets and control
characters included. Deep nestings are compiled exactly as far as Meilisearch's depth limit
allows, and refused one level past it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import scrypath.filters
from scrypath.config import Config
from scrypath.declaration import SearchSpec, registry, searchable, spec_for
from scrypath.errors import FilterError
from scrypath.filters import compile_filter
from scrypath.searching import search
from scrypath.sync import sync_records
from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search.filter import And, Condition, Not, Or, parse_filter
from scrypath.testing.meilisearch.search.tokens import normalize_facet

TRICKY = [
    '"',
    "\\",
    '\\"',
    '" OR status = "x',
    'x\\" OR id EXISTS OR status = \\"',
    "AND",
    "NOT",
    "TO",
    "a'b",
    "[1, 2]",
    "(",
    "\\u0041",
    "\\n",
    "\n",
    "",
    " ",
]
values = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=24),
)


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "fuzz_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    status: Mapped[str]
    brand: Mapped[str]


@pytest.fixture(scope="module")
def spec() -> Iterator[SearchSpec]:
    with registry.isolated() as isolated:
        isolated.clear()
        searchable(fields=["title"], filterable=["status", "brand"])(Item)
        yield spec_for(Item)


def parsed(text: str | None) -> Any:
    assert text is not None
    return parse_filter(text, "invalid_search_filter")


def leaf(node: Any, field: str, op: str) -> list[str]:
    assert isinstance(node, Condition), node
    assert (node.field.text, node.op) == (field, op)
    return [value.text for value in node.values]


@settings(max_examples=300)
@given(value=values)
def test_an_equality_parses_back_to_the_same_value(spec: SearchSpec, value: str) -> None:
    node = parsed(compile_filter(spec, {"status": value}))
    assert leaf(node, "status", "=") == [value]


@settings(max_examples=200)
@given(first=values, second=values, listed=st.lists(values, min_size=1, max_size=4))
def test_compound_filters_keep_every_value_in_its_clause(
    spec: SearchSpec, first: str, second: str, listed: list[str]
) -> None:
    expression = {
        "or": [{"status": first}, {"not": {"brand": {"ne": second}}}],
        "brand": listed,
    }
    node = parsed(compile_filter(spec, expression))
    assert isinstance(node, And) and len(node.items) == 2
    either, within = node.items
    assert isinstance(either, Or) and len(either.items) == 2
    assert leaf(either.items[0], "status", "=") == [first]
    negated = either.items[1]
    assert isinstance(negated, Not)
    assert leaf(negated.item, "brand", "!=") == [second]
    assert leaf(within, "brand", "IN") == listed


@settings(max_examples=100)
@given(low=values, high=values)
def test_ranges_keep_both_bounds(spec: SearchSpec, low: str, high: str) -> None:
    node = parsed(compile_filter(spec, {"status": {"between": (low, high)}}))
    assert leaf(node, "status", "TO") == [low, high]


@pytest.fixture
def indexed(spec: SearchSpec, scrypath_config: Config, meilisearch: Any) -> Iterator[Any]:
    sync_records([Item(id=0, title="seed", status="seed", brand="seed")])
    index = spec.index_name(scrypath_config.index_prefix)
    yield lambda: meilisearch.client.wait_for_task(
        meilisearch.client.index(index).delete_all_documents().task_uid
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(target=values, others=st.lists(values, max_size=5))
def test_an_equality_matches_exactly_the_equal_documents(
    indexed: Any, target: str, others: list[str]
) -> None:
    indexed()
    statuses = [target, *others]
    items = [Item(id=n, title="x", status=s, brand="b") for n, s in enumerate(statuses)]
    sync_records(items)
    found = set(search(Item, filter={"status": target}, per_page=100).ids)
    assert found == {n for n, s in enumerate(statuses) if same_facet(s, target)}


def same_facet(value: str, target: str) -> bool:
    """Facet equality: normalized strings; an empty string is an empty value, not a string."""
    return value != "" and normalize_facet(value) == normalize_facet(target)


Expression = dict[str, Any]
Wrap = Callable[[Expression], Expression]
LEAF: Expression = {"status": "a"}
WRAPS: dict[str, Wrap] = {
    "not": lambda inner: {"not": inner},
    "and": lambda inner: {"and": [{"brand": "b"}, inner]},
    "or": lambda inner: {"or": [inner, {"brand": "b"}]},
    "single": lambda inner: {"or": [inner]},
    "keys": lambda inner: {"brand": ["b", "c"], "or": [{"status": "x"}, inner]},
    "not-and": lambda inner: {"not": {"and": [{"brand": "b"}, inner]}},
}


def nested(path: list[str]) -> Expression:
    expression = LEAF
    for name in path:
        expression = WRAPS[name](expression)
    return expression


def deepest(*cycle: str) -> Callable[[int], Expression]:
    """`count` levels wrapped with the names of `cycle`, in turn from the inside out."""
    return lambda count: nested([cycle[level % len(cycle)] for level in range(count)])


# Meilisearch parses a condition at depth 3, `NOT (` adds 5 and `(` adds 4, up to 150.
BOUNDARIES = [
    pytest.param(deepest("not"), 29, id="not"),
    pytest.param(deepest("and", "or"), 37, id="and-or"),
    pytest.param(deepest("not-and"), 29, id="not-and"),
    pytest.param(deepest("and", "not", "or"), 49, id="and-not-or"),
    pytest.param(deepest("keys", "not"), 32, id="keys-not"),
]


@pytest.mark.parametrize(("build", "levels"), BOUNDARIES)
def test_the_deepest_accepted_filter_parses_and_one_more_level_is_refused(
    spec: SearchSpec, build: Callable[[int], Expression], levels: int
) -> None:
    assert parsed(compile_filter(spec, build(levels))) is not None
    with pytest.raises(FilterError, match="nests too deeply for Meilisearch") as caught:
        compile_filter(spec, build(levels + 1))
    assert caught.value.context["option"] == "filter"
    with mock.patch.object(scrypath.filters, "MAX_DEPTH", 10**6):
        unchecked = compile_filter(spec, build(levels + 1))
    with pytest.raises(MeiliError, match="maximum depth limit"):
        parsed(unchecked)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.lists(st.sampled_from(sorted(WRAPS)), min_size=10, max_size=70), value=values)
def test_the_compiler_refuses_exactly_the_filters_meilisearch_refuses(
    spec: SearchSpec, path: list[str], value: str
) -> None:
    expression = nested(path) | {"status": value}
    with mock.patch.object(scrypath.filters, "MAX_DEPTH", 10**6):
        unchecked = compile_filter(spec, expression)
    try:
        compiled = compile_filter(spec, expression)
    except FilterError as error:
        event("refused")
        assert "nests too deeply" in error.message
        with pytest.raises(MeiliError, match="maximum depth limit"):
            parsed(unchecked)
    else:
        event("accepted")
        assert compiled == unchecked
        assert parsed(compiled) is not None


@pytest.mark.parametrize(("build", "levels"), BOUNDARIES)
def test_the_deepest_accepted_filter_searches_on_the_fake(
    indexed: Any, build: Callable[[int], Expression], levels: int
) -> None:
    indexed()
    rows = {1: ("a", "b"), 2: ("z", "b"), 3: ("a", "c"), 4: ("x", "z")}
    sync_records([Item(id=n, title="x", status=s, brand=b) for n, (s, b) in rows.items()])
    expression = build(levels)
    expected = {n for n, (s, b) in rows.items() if evaluate(expression, {"status": s, "brand": b})}
    assert set(search(Item, filter=expression).ids) == expected


@pytest.mark.parametrize(("build", "levels"), BOUNDARIES)
def test_one_level_too_deep_fails_before_any_request(
    spec: SearchSpec, offline_config: Config, build: Callable[[int], Expression], levels: int
) -> None:
    with pytest.raises(FilterError, match="nests too deeply"):
        search(Item, filter=build(levels + 1))


def evaluate(expression: Any, row: dict[str, str]) -> bool:
    """What a filter mapping means for one document, by the filter language's rules."""
    results = []
    for key, value in expression.items():
        if key == "not":
            results.append(not evaluate(value, row))
        elif key in ("and", "or"):
            found = [evaluate(item, row) for item in value]
            results.append(all(found) if key == "and" else any(found))
        else:
            results.append(row[key] in value if isinstance(value, list) else row[key] == value)
    return all(results)
