"""The boundary, pinned: `scrypath.search` and its siblings take scrypath's own options only.

Meilisearch-native flags (matching strategy, ranking scores, attributes to crop...) live under
`scrypath.meilisearch`. These tests fail the moment one is added to the search functions, so
widening them is always a decision, never an accident.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import scrypath
from scrypath.config import Config
from scrypath.errors import ConfigurationError

PINNED: dict[str, tuple[str, ...]] = {
    "search": (
        "filter",
        "sort",
        "page",
        "per_page",
        "facets",
        "facet_filter",
        "tenant_scope",
        "session",
        "load_options",
    ),
    "search_many": (
        "text",
        "filter",
        "sort",
        "facets",
        "facet_filter",
        "tenant_scope",
        "page",
        "per_page",
        "session",
        "load_options",
    ),
    "search_facet_values": ("filter", "text", "tenant_scope"),
    "search_within_facet": (
        "filter",
        "sort",
        "page",
        "per_page",
        "facets",
        "tenant_scope",
        "session",
        "load_options",
    ),
}

BOUNDARY = (
    "{name} must keep scrypath's own options only; {change}. Meilisearch-native flags belong "
    "under scrypath.meilisearch (raw search is scrypath.meilisearch.search). If this is a "
    "deliberate new scrypath option, update PINNED here and document it in the search guide."
)


class Base(DeclarativeBase):
    pass


@scrypath.searchable(fields=["name"])
class Lamp(Base):
    __tablename__ = "boundary_lamps"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


def keyword_options(function: Callable[..., Any]) -> tuple[str, ...]:
    parameters = inspect.signature(function).parameters.values()
    return tuple(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_the_search_functions_keyword_options_are_pinned(name: str) -> None:
    actual = keyword_options(getattr(scrypath, name))
    added = sorted(set(actual) - set(PINNED[name]))
    removed = sorted(set(PINNED[name]) - set(actual))
    change = f"added {added}" if added else f"removed {removed}"
    assert actual == PINNED[name], BOUNDARY.format(name=f"scrypath.{name}", change=change)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_the_remaining_keywords_are_configuration_overrides_only(name: str) -> None:
    parameters = inspect.signature(getattr(scrypath, name)).parameters.values()
    variadic = [p.name for p in parameters if p.kind is inspect.Parameter.VAR_KEYWORD]
    assert variadic == ["overrides"]


@pytest.mark.parametrize("flag", ["matchingStrategy", "matching_strategy", "showRankingScore"])
def test_a_meilisearch_native_flag_is_refused_as_an_unknown_option(
    offline_config: Config, flag: str
) -> None:
    with pytest.raises(ConfigurationError, match=f"unknown key '{flag}'"):
        scrypath.search(Lamp, "lamp", **{flag: "last"})


def test_the_raw_search_named_in_the_message_exists() -> None:
    import scrypath.meilisearch

    assert "search" in scrypath.meilisearch.__all__
    assert callable(scrypath.meilisearch.search)
