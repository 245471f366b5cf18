"""Facet distribution and stats over a candidate set, and facet-value search.

Counts come from the value index intersected with the candidates, so they cover
every matching document, not only the returned page. Numbers are listed before
strings; `faceting.sortFacetValuesBy` picks alphabetical or count order and
`faceting.maxValuesPerFacet` caps each facet.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from ..errors import MeiliError
from .config import Config
from .fields import wildcard_match
from .rules import is_filterable, pattern_intersects, patterns_where
from .store import DocumentStore
from .tokens import fold
from .typo import distance

Distribution = dict[str, dict[str, int]]
Stats = dict[str, dict[str, float]]


def facet_fields(patterns: list[str], store: DocumentStore, config: Config) -> list[str]:
    """The fields a `facets` request names; unknown patterns are an error."""
    rules = config.filter_rules
    invalid = [p for p in patterns if not pattern_intersects(p, rules)]
    if invalid:
        raise invalid_facets(invalid, config)
    names: set[str] = set()
    for name in store.fields.names:
        if any(wildcard_match(p, name) for p in patterns) and is_filterable(name, rules):
            names.add(name)
    return sorted(names)


def invalid_facets(invalid: list[str], config: Config) -> MeiliError:
    available = patterns_where(config.filter_rules, lambda rule: rule.filterable)
    listed = ", ".join(invalid)
    head = (
        f"Pattern `{listed}` is not filterable."
        if len(invalid) == 1
        else f"Patterns `{listed}` are not filterable."
    )
    tail = (
        f" Available filterable attributes patterns are: `{', '.join(available)}`."
        if available
        else " This index does not have configured filterable attributes."
    )
    return MeiliError("invalid_search_facets", f"Invalid facet distribution: {head}{tail}")


def format_number(value: float) -> str:
    """A facet number as Meilisearch prints it: `10`, `12.5`."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _count(ids: Set[int], candidates: Set[int]) -> int:
    if len(ids) <= len(candidates):
        return sum(1 for doc in ids if doc in candidates)
    return sum(1 for doc in candidates if doc in ids)


def value_counts(
    field: str, store: DocumentStore, candidates: Set[int]
) -> tuple[list[tuple[float, int]], list[tuple[str, int]]]:
    """Non-zero counts per number and per normalized string of `field`."""
    numbers = [
        (key, count)
        for key, ids in store.facets.numbers.get(field, {}).items()
        if (count := _count(ids, candidates))
    ]
    strings = [
        (key, count)
        for key, ids in store.facets.strings.get(field, {}).items()
        if (count := _count(ids, candidates))
    ]
    return sorted(numbers), sorted(strings)


def distribution(
    fields: list[str],
    store: DocumentStore,
    candidates: Set[int],
    config: Config,
    max_values: int | None = None,
) -> tuple[Distribution, Stats]:
    """`facetDistribution` and `facetStats` of `fields` over `candidates`."""
    limit = config.max_values_per_facet if max_values is None else max_values
    dist: Distribution = {}
    stats: Stats = {}
    for field in fields:
        numbers, strings = value_counts(field, store, candidates)
        entries = [(format_number(k), c) for k, c in numbers]
        entries += [(store.facets.original(field, k), c) for k, c in strings]
        if config.facet_order(field) == "count":
            entries.sort(key=lambda e: -e[1])
        dist[field] = dict(entries[:limit])
        if numbers:
            stats[field] = {"min": numbers[0][0], "max": numbers[-1][0]}
    return dist, stats


def search_values(
    field: str,
    facet_query: str | None,
    store: DocumentStore,
    candidates: Set[int],
    config: Config,
) -> list[dict[str, Any]]:
    """Facet values of `field` matching `facet_query` (prefix, typos), with counts."""
    query = fold(facet_query or "")
    budget = _facet_typo_budget(query, config)
    found = [
        (key, count)
        for key, count in value_counts(field, store, candidates)[1]
        if _facet_matches(query, fold(key), budget)
    ]
    if config.facet_order(field) == "count":
        found.sort(key=lambda item: -item[1])
    return [
        {"value": store.facets.original(field, key), "count": count}
        for key, count in found[: config.max_values_per_facet]
    ]


def _facet_typo_budget(query: str, config: Config) -> int:
    typo = config.typo
    if not typo.enabled or not query:
        return 0
    return 0 if len(query) < typo.one_typo else 1 if len(query) < typo.two_typos else 2


def _facet_matches(query: str, value: str, budget: int) -> bool:
    if value.startswith(query):
        return True
    return budget > 0 and distance(query, value, prefix=True) <= budget
