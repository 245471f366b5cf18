"""A user's value never escapes its filter clause.

Compiled filters are parsed back with the fake Meilisearch's filter parser, and searched on
the fake, for arbitrary strings: quotes, backslashes, keywords, brackets and control
characters included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scrypath.config import Config
from scrypath.declaration import SearchSpec, registry, searchable, spec_for
from scrypath.filters import compile_filter
from scrypath.search import search
from scrypath.sync import sync_records
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
