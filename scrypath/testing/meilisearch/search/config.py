"""The index settings the engine reads, resolved once per request.

The engine receives the complete wire settings object. Reading it through one
function keeps every default in one place and tolerates `null` members.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .rules import FilterRule, parse_rules
from .tokens import Tokenizer, fold

DEFAULT_RANKING_RULES = (
    "words",
    "typo",
    "proximity",
    "attributeRank",
    "sort",
    "wordPosition",
    "exactness",
)


@dataclass(frozen=True, slots=True)
class TypoConfig:
    enabled: bool = True
    one_typo: int = 5
    two_typos: int = 9
    disabled_words: frozenset[str] = frozenset()
    disabled_attributes: tuple[str, ...] = ()
    disable_on_numbers: bool = False


@dataclass(frozen=True, slots=True)
class Config:
    """What the engine needs to know about an index's settings."""

    searchable: tuple[str, ...]
    displayed: tuple[str, ...]
    filter_rules: tuple[FilterRule, ...]
    sortable: tuple[str, ...]
    ranking_rules: tuple[str, ...]
    stop_words: frozenset[str]
    synonyms: Mapping[str, tuple[tuple[str, ...], ...]]
    distinct: str | None
    typo: TypoConfig
    max_values_per_facet: int
    sort_facet_values_by: Mapping[str, str]
    max_total_hits: int
    facet_search: bool
    prefix_search: bool
    proximity_by_attribute: bool
    tokenizer: Tokenizer

    def facet_order(self, facet: str) -> str:
        """`alpha` or `count`, per `faceting.sortFacetValuesBy`."""
        by = self.sort_facet_values_by
        return by.get(facet) or by.get("*") or "alpha"


def _strings(value: Any, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    if value is None:
        return default
    return tuple(str(v) for v in value)


def _obj(settings: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = settings.get(key)
    return value if isinstance(value, Mapping) else {}


def tokenizer_from(settings: Mapping[str, Any]) -> Tokenizer:
    return Tokenizer(
        separators=_strings(settings.get("separatorTokens")),
        non_separators=_strings(settings.get("nonSeparatorTokens")),
        dictionary=_strings(settings.get("dictionary")),
    )


def _int_or(value: Any, default: int) -> int:
    return default if value is None else int(value)


def _typo(settings: Mapping[str, Any]) -> TypoConfig:
    raw = _obj(settings, "typoTolerance")
    sizes = raw.get("minWordSizeForTypos") or {}
    enabled = raw.get("enabled")
    return TypoConfig(
        enabled=True if enabled is None else bool(enabled),
        one_typo=_int_or(sizes.get("oneTypo"), 5),
        two_typos=_int_or(sizes.get("twoTypos"), 9),
        disabled_words=frozenset(fold(w) for w in _strings(raw.get("disableOnWords"))),
        disabled_attributes=_strings(raw.get("disableOnAttributes")),
        disable_on_numbers=bool(raw.get("disableOnNumbers") or False),
    )


def _synonyms(raw: Any, tokenizer: Tokenizer) -> dict[str, tuple[tuple[str, ...], ...]]:
    table: dict[str, tuple[tuple[str, ...], ...]] = {}
    if not isinstance(raw, Mapping):
        return table
    for key, values in raw.items():
        words = tuple(tokenizer.words(str(key)))
        alternatives = tuple(
            alt for alt in (tuple(tokenizer.words(str(v))) for v in values or ()) if alt
        )
        if words and alternatives:
            joined = " ".join(words)
            table[joined] = table.get(joined, ()) + alternatives
    return table


def _facet_orders(faceting: Mapping[str, Any]) -> dict[str, str]:
    raw = faceting.get("sortFacetValuesBy")
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}


def config_from(settings: Mapping[str, Any]) -> Config:
    """Resolve the wire settings of an index into a `Config`."""
    tokenizer = tokenizer_from(settings)
    faceting = _obj(settings, "faceting")
    max_values = faceting.get("maxValuesPerFacet")
    max_hits = _obj(settings, "pagination").get("maxTotalHits")
    distinct = settings.get("distinctAttribute")
    return Config(
        searchable=_strings(settings.get("searchableAttributes"), ("*",)),
        displayed=_strings(settings.get("displayedAttributes"), ("*",)),
        filter_rules=parse_rules(settings.get("filterableAttributes")),
        sortable=_strings(settings.get("sortableAttributes")),
        ranking_rules=_strings(settings.get("rankingRules"), DEFAULT_RANKING_RULES),
        stop_words=frozenset(fold(w) for w in _strings(settings.get("stopWords"))),
        synonyms=_synonyms(settings.get("synonyms"), tokenizer),
        distinct=str(distinct) if distinct else None,
        typo=_typo(settings),
        max_values_per_facet=100 if max_values is None else int(max_values),
        sort_facet_values_by=_facet_orders(faceting),
        max_total_hits=1000 if max_hits is None else int(max_hits),
        facet_search=settings.get("facetSearch") is not False,
        prefix_search=settings.get("prefixSearch") != "disabled",
        proximity_by_attribute=settings.get("proximityPrecision") == "byAttribute",
        tokenizer=tokenizer,
    )
