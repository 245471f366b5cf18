"""Index settings a declaration may carry: snake_case families, validated and frozen.

A declaration names Meilisearch settings families in snake_case (`stop_words`,
`typo_tolerance`, ...). Known families are checked here, at class decoration, so that a typo
fails at import time rather than as a failed settings task in production. A family
scrypath does not know passes through unchanged (the declaration warns about it), because
Meilisearch grows new families faster than any client.

Validated settings are frozen (mappings become read-only, lists become tuples) so a
`SearchSpec` cannot be changed after decoration; `plain()` turns them back into JSON data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NoReturn

from scrypath.errors import DeclarationError

RANKING_RULES = (
    "words",
    "typo",
    "proximity",
    "attribute",
    "attributeRank",
    "wordPosition",
    "sort",
    "exactness",
)
"""Built-in Meilisearch ranking rules; custom rules are `attribute:asc` or `attribute:desc`."""

OPTION_FAMILIES = MappingProxyType(
    {
        "filterable_attributes": "filterable",
        "sortable_attributes": "sortable",
        "faceting": "faceting",
    }
)
"""Families that have their own `@searchable` option and may not hide inside `settings`."""

_ATTRIBUTE = re.compile(r"[A-Za-z0-9_.-]+")
_CUSTOM_RULE = re.compile(r"(?P<attribute>[A-Za-z0-9_.-]+):(?P<order>asc|desc)")
_PROXIMITY = MappingProxyType(
    {
        "by_word": "by_word",
        "byWord": "by_word",
        "by_attribute": "by_attribute",
        "byAttribute": "by_attribute",
    }
)
_PREFIX_SEARCH = MappingProxyType(
    {"indexing_time": "indexing_time", "indexingTime": "indexing_time", "disabled": "disabled"}
)


@dataclass(frozen=True, slots=True)
class SettingsScope:
    """What settings validation needs to know about the model being declared."""

    model: str
    attributes: frozenset[str]
    document_id: str


def fail(model: str, option: str, message: str) -> NoReturn:
    """Raise the `DeclarationError` every declaration check uses, naming model and option."""
    raise DeclarationError(f"{model}: {option}: {message}", model=model, option=option)


def name_list(value: object, model: str, option: str) -> tuple[str, ...]:
    """Check a list of attribute names: strings, no wildcard, no duplicates."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        fail(model, option, f"expected a list of attribute names, got {type(value).__name__}")
    names: list[str] = []
    for item in value:
        if not isinstance(item, str):
            fail(model, option, f"attribute names must be strings, got {item!r}")
        if "*" in item:
            fail(model, option, f"wildcards are not allowed: {item!r}; name each attribute")
        if not _ATTRIBUTE.fullmatch(item):
            fail(model, option, f"{item!r} is not a valid attribute name")
        if item in names:
            fail(model, option, f"{item!r} is listed twice")
        names.append(item)
    return tuple(names)


def projected_names(value: object, scope: SettingsScope, option: str) -> tuple[str, ...]:
    """Check a name list whose every name must be a projected document field."""
    names = name_list(value, scope.model, option)
    for name in names:
        _require_projected(name, scope, option)
    return names


def _require_projected(name: str, scope: SettingsScope, option: str) -> None:
    if name not in scope.attributes:
        known = ", ".join(sorted(scope.attributes))
        fail(scope.model, option, f"{name!r} is not a projected field (projected: {known})")


def _strings(value: object, scope: SettingsScope, option: str) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        fail(scope.model, option, f"expected a list of strings, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, str):
            fail(scope.model, option, f"expected strings, got {item!r}")
    return tuple(value)


def _bool(value: object, scope: SettingsScope, option: str) -> bool:
    if not isinstance(value, bool):
        fail(scope.model, option, f"expected true or false, got {value!r}")
    return value


def count(value: object, model: str, option: str, *, minimum: int = 0) -> int:
    """Check a whole number of at least `minimum` (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        fail(model, option, f"expected a whole number >= {minimum}, got {value!r}")
    return value


def _mapping(
    value: object, scope: SettingsScope, option: str, allowed: Sequence[str]
) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        fail(scope.model, option, f"expected a mapping, got {type(value).__name__}")
    for key in value:
        if key not in allowed:
            fail(scope.model, option, f"unknown key {key!r}; allowed: {', '.join(allowed)}")
    return value


def _choice(value: object, scope: SettingsScope, option: str, choices: Mapping[str, str]) -> str:
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(sorted(set(choices.values())))
        fail(scope.model, option, f"expected one of {allowed}, got {value!r}")
    return choices[value]


def _synonyms(value: object, scope: SettingsScope, option: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        fail(scope.model, option, f"expected a mapping of word -> list of words, got {value!r}")
    frozen: dict[str, tuple[str, ...]] = {}
    for word, alternatives in value.items():
        if not isinstance(word, str):
            fail(scope.model, option, f"synonym keys must be strings, got {word!r}")
        frozen[word] = _strings(alternatives, scope, f"{option}.{word}")
    return MappingProxyType(frozen)


def _ranking_rules(value: object, scope: SettingsScope, option: str) -> tuple[str, ...]:
    rules = _strings(value, scope, option)
    for position, rule in enumerate(rules):
        if rule in rules[:position]:
            fail(scope.model, option, f"{rule!r} is listed twice")
        if rule in RANKING_RULES:
            continue
        custom = _CUSTOM_RULE.fullmatch(rule)
        if custom is None:
            built_in = ", ".join(RANKING_RULES)
            fail(
                scope.model,
                option,
                f"{rule!r} is not a ranking rule; use one of {built_in} or 'name:asc|desc'",
            )
        _require_projected(custom["attribute"], scope, option)
    return rules


def _distinct_attribute(value: object, scope: SettingsScope, option: str) -> str:
    if not isinstance(value, str):
        fail(scope.model, option, f"expected one attribute name, got {value!r}")
    return projected_names([value], scope, option)[0]


def _searchable_attributes(value: object, scope: SettingsScope, option: str) -> tuple[str, ...]:
    names = projected_names(value, scope, option)
    if not names:
        fail(scope.model, option, "must name at least one field")
    return names


def _displayed_attributes(value: object, scope: SettingsScope, option: str) -> tuple[str, ...]:
    names = _searchable_attributes(value, scope, option)
    if scope.document_id not in names:
        fail(
            scope.model,
            option,
            f"must include the document id {scope.document_id!r} so hits can be loaded back",
        )
    return names


def _typo_tolerance(value: object, scope: SettingsScope, option: str) -> Mapping[str, Any]:
    keys = (
        "enabled",
        "min_word_size_for_typos",
        "disable_on_words",
        "disable_on_attributes",
        "disable_on_numbers",
    )
    checks: dict[str, Callable[[object, SettingsScope, str], Any]] = {
        "enabled": _bool,
        "min_word_size_for_typos": _min_word_size,
        "disable_on_words": _strings,
        "disable_on_attributes": projected_names,
        "disable_on_numbers": _bool,
    }
    source = _mapping(value, scope, option, keys)
    return MappingProxyType(
        {key: checks[key](item, scope, f"{option}.{key}") for key, item in source.items()}
    )


def _min_word_size(value: object, scope: SettingsScope, option: str) -> Mapping[str, int]:
    source = _mapping(value, scope, option, ("one_typo", "two_typos"))
    sizes = {key: count(item, scope.model, f"{option}.{key}") for key, item in source.items()}
    if sizes.get("one_typo", 0) > sizes.get("two_typos", math.inf):
        fail(scope.model, option, "one_typo must not exceed two_typos")
    return MappingProxyType(sizes)


def _pagination(value: object, scope: SettingsScope, option: str) -> Mapping[str, int]:
    source = _mapping(value, scope, option, ("max_total_hits",))
    return MappingProxyType(
        {
            key: count(item, scope.model, f"{option}.{key}", minimum=1)
            for key, item in source.items()
        }
    )


def _localized_attributes(value: object, scope: SettingsScope, option: str) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        fail(scope.model, option, f"expected a list of rules, got {type(value).__name__}")
    return tuple(_locale_rule(rule, scope, f"{option}[{n}]") for n, rule in enumerate(value))


def _locale_rule(value: object, scope: SettingsScope, option: str) -> Mapping[str, Any]:
    source = _mapping(value, scope, option, ("locales", "attribute_patterns"))
    if "attribute_patterns" not in source:
        fail(scope.model, option, "attribute_patterns is required")
    patterns = _strings(source["attribute_patterns"], scope, f"{option}.attribute_patterns")
    if not patterns:
        fail(scope.model, option, "attribute_patterns must not be empty")
    locales = _strings(source.get("locales", ()), scope, f"{option}.locales")
    return MappingProxyType({"locales": locales, "attribute_patterns": patterns})


def _search_cutoff_ms(value: object, scope: SettingsScope, option: str) -> int:
    return count(value, scope.model, option, minimum=1)


def _proximity_precision(value: object, scope: SettingsScope, option: str) -> str:
    return _choice(value, scope, option, _PROXIMITY)


def _prefix_search(value: object, scope: SettingsScope, option: str) -> str:
    return _choice(value, scope, option, _PREFIX_SEARCH)


_FAMILIES: Mapping[str, Callable[[object, SettingsScope, str], Any]] = MappingProxyType(
    {
        "synonyms": _synonyms,
        "stop_words": _strings,
        "typo_tolerance": _typo_tolerance,
        "ranking_rules": _ranking_rules,
        "distinct_attribute": _distinct_attribute,
        "searchable_attributes": _searchable_attributes,
        "displayed_attributes": _displayed_attributes,
        "pagination": _pagination,
        "proximity_precision": _proximity_precision,
        "separator_tokens": _strings,
        "non_separator_tokens": _strings,
        "dictionary": _strings,
        "search_cutoff_ms": _search_cutoff_ms,
        "facet_search": _bool,
        "prefix_search": _prefix_search,
        "localized_attributes": _localized_attributes,
    }
)

SETTINGS_FAMILIES = frozenset(_FAMILIES)
"""The snake_case settings families scrypath validates."""


def validate_settings(settings: object, scope: SettingsScope) -> Mapping[str, Any]:
    """Check every declared family and return them frozen, in declaration order."""
    if settings is None:
        return MappingProxyType({})
    if not isinstance(settings, Mapping):
        fail(scope.model, "settings", f"expected a mapping, got {type(settings).__name__}")
    frozen = {name: _family(name, value, scope) for name, value in settings.items()}
    return MappingProxyType(frozen)


def _family(name: object, value: object, scope: SettingsScope) -> Any:
    if not isinstance(name, str) or not name:
        fail(scope.model, "settings", f"family names must be non-empty strings, got {name!r}")
    option = f"settings.{name}"
    if name in OPTION_FAMILIES:
        fail(scope.model, option, f"declare it with the {OPTION_FAMILIES[name]}= option instead")
    snake = to_snake(name)
    if snake != name and (snake in _FAMILIES or snake in OPTION_FAMILIES):
        fail(scope.model, option, f"spell the family in snake_case: {snake!r}")
    if value is None:
        fail(scope.model, option, "None is not a setting; leave the family out instead")
    check = _FAMILIES.get(name, _frozen_json)
    return check(value, scope, option)


def _frozen_json(value: object, scope: SettingsScope, option: str) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            fail(scope.model, option, "mapping keys must be strings")
        return MappingProxyType(
            {key: _frozen_json(item, scope, f"{option}.{key}") for key, item in value.items()}
        )
    if isinstance(value, list | tuple):
        return tuple(_frozen_json(item, scope, option) for item in value)
    fail(scope.model, option, f"{type(value).__name__} is not JSON data")


def unknown_families(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """Names of declared families scrypath passes through without checking them."""
    return tuple(name for name in settings if name not in _FAMILIES)


def to_snake(name: str) -> str:
    """`stopWords` -> `stop_words`; names already in snake_case come back unchanged."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def plain(value: Any) -> Any:
    """Turn frozen settings back into JSON data (dicts and lists), recursively."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value
