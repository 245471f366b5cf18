"""`filterableAttributes` rules: which fields filter, compare, facet and facet-search.

A rule is either a plain string (a field and everything nested under it, with every
feature on) or a granular object `{attributePatterns, features}`. The first rule that
matches a field decides its features, as in Meilisearch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .fields import is_under, wildcard_match


@dataclass(frozen=True, slots=True)
class FilterRule:
    """One entry of `filterableAttributes`, with its features resolved."""

    patterns: tuple[str, ...]
    legacy: bool
    equality: bool = True
    comparison: bool = True
    facet_search: bool = True

    @property
    def filterable(self) -> bool:
        return self.equality or self.comparison

    def matches(self, field: str) -> bool:
        if self.legacy:
            return any(
                is_under(field, p) or ("*" in p and wildcard_match(p, field)) for p in self.patterns
            )
        return any(wildcard_match(p, field) for p in self.patterns)

    def allowed_operators(self) -> list[str]:
        if not self.filterable:
            return []
        ops = ["OR", "AND", "NOT"]
        if self.equality:
            ops += ["=", "!=", "IN"]
        if self.comparison:
            ops += ["<", ">", "<=", ">=", "TO"]
        return [*ops, "IS EMPTY", "IS NULL", "EXISTS"]


def parse_rules(raw: Iterable[Any] | None) -> tuple[FilterRule, ...]:
    """Resolve the wire form of `filterableAttributes` into rules."""
    rules: list[FilterRule] = []
    for item in raw or ():
        if isinstance(item, str):
            rules.append(FilterRule((item,), legacy=True))
        elif isinstance(item, dict):
            rules.append(_granular(item))
    return tuple(rules)


def _granular(item: dict[str, Any]) -> FilterRule:
    features = item.get("features") or {}
    filters = features.get("filter") or {}
    return FilterRule(
        tuple(str(p) for p in item.get("attributePatterns") or ()),
        legacy=False,
        equality=bool(filters.get("equality", True)),
        comparison=bool(filters.get("comparison", False)),
        facet_search=bool(features.get("facetSearch", False)),
    )


def matching_rule(field: str, rules: tuple[FilterRule, ...]) -> tuple[int, FilterRule] | None:
    """The first rule matching `field`, with its position."""
    for index, rule in enumerate(rules):
        if rule.matches(field):
            return index, rule
    return None


def is_filterable(field: str, rules: tuple[FilterRule, ...]) -> bool:
    found = matching_rule(field, rules)
    return found is not None and found[1].filterable


def patterns_where(rules: tuple[FilterRule, ...], keep: Callable[[FilterRule], bool]) -> list[str]:
    """The sorted, distinct patterns of the rules that `keep` accepts."""
    return sorted({p for rule in rules if keep(rule) for p in rule.patterns})


def pattern_intersects(pattern: str, rules: tuple[FilterRule, ...]) -> bool:
    """True when a `facets` pattern can name at least one filterable field."""
    for rule in rules:
        if not rule.filterable:
            continue
        for own in rule.patterns:
            if _patterns_overlap(pattern, own, rule.legacy):
                return True
    return False


def _patterns_overlap(asked: str, own: str, legacy: bool) -> bool:
    if wildcard_match(asked, own) or wildcard_match(own, asked):
        return True
    return legacy and (is_under(asked, own) or is_under(own, asked))
