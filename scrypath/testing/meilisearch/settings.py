"""Index settings: the defaults of a fresh index, the families and their routes, merging.

`default_settings()` is the complete object `GET /indexes/{uid}/settings` returns for a
fresh index of the mimicked version. An update is parsed into a partial object whose
values are normalized, or `RESET` where the request sent `null`; `apply` folds it into the
current settings. Nested families (typo tolerance, faceting, pagination) merge field by
field, like Meilisearch.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from . import settings_checks as checks
from . import settings_rules as rules
from .errors import MeiliError
from .settings_checks import RESET, Check, Reset
from .wire import require_object, unknown_field

WILDCARD_FAMILIES = ("displayedAttributes", "searchableAttributes")
NESTED_FAMILIES = ("typoTolerance", "faceting", "pagination")


@dataclass(frozen=True, slots=True)
class Family:
    """One settings family: its key, its sub-route, the verb that updates it, its error code."""

    key: str
    slug: str
    verb: str
    code: str
    check: Check


def _family(key: str, slug: str, verb: str, check: Check) -> Family:
    code = "invalid_settings_" + slug.replace("-", "_")
    return Family(key, slug, verb, code, check)


FAMILIES: tuple[Family, ...] = (
    _family("displayedAttributes", "displayed-attributes", "PUT", checks.string_list),
    _family("searchableAttributes", "searchable-attributes", "PUT", checks.string_list),
    _family("filterableAttributes", "filterable-attributes", "PUT", rules.filterable_attributes),
    _family("sortableAttributes", "sortable-attributes", "PUT", checks.string_set),
    _family("rankingRules", "ranking-rules", "PUT", rules.ranking_rules),
    _family("stopWords", "stop-words", "PUT", checks.string_set),
    _family("nonSeparatorTokens", "non-separator-tokens", "PUT", checks.string_set),
    _family("separatorTokens", "separator-tokens", "PUT", checks.string_set),
    _family("dictionary", "dictionary", "PUT", checks.string_set),
    _family("synonyms", "synonyms", "PUT", checks.synonyms),
    _family("distinctAttribute", "distinct-attribute", "PUT", checks.text),
    _family(
        "proximityPrecision", "proximity-precision", "PUT", checks.one_of("byWord", "byAttribute")
    ),
    _family("typoTolerance", "typo-tolerance", "PATCH", checks.typo_tolerance),
    _family("faceting", "faceting", "PATCH", checks.faceting),
    _family("pagination", "pagination", "PATCH", checks.pagination),
    _family("embedders", "embedders", "PATCH", checks.embedders),
    _family("searchCutoffMs", "search-cutoff-ms", "PUT", checks.unsigned),
    _family("localizedAttributes", "localized-attributes", "PUT", rules.localized_attributes),
    _family("facetSearch", "facet-search", "PUT", checks.flag),
    _family("prefixSearch", "prefix-search", "PUT", checks.one_of("indexingTime", "disabled")),
)
BY_KEY = {family.key: family for family in FAMILIES}
BY_SLUG = {family.slug: family for family in FAMILIES}

# Fields of the settings object in Meilisearch's declaration order (unknown-field message).
ACCEPTED_KEYS = (
    *(f.key for f in FAMILIES[:4]),
    "foreignKeys",
    *(f.key for f in FAMILIES[4:]),
    "chat",
)
# Families behind experimental features the fake never enables.
_GATED = {
    "chat": ("setting `chat` in the index settings", "chat completions", "835"),
    "foreignKeys": ("setting `foreignKeys` in the index settings", "foreign_keys", "873"),
}

_DEFAULTS: dict[str, Any] = {
    "displayedAttributes": ["*"],
    "searchableAttributes": ["*"],
    "filterableAttributes": [],
    "sortableAttributes": [],
    "rankingRules": [
        "words",
        "typo",
        "proximity",
        "attributeRank",
        "sort",
        "wordPosition",
        "exactness",
    ],
    "stopWords": [],
    "nonSeparatorTokens": [],
    "separatorTokens": [],
    "dictionary": [],
    "synonyms": {},
    "distinctAttribute": None,
    "proximityPrecision": "byWord",
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        "disableOnWords": [],
        "disableOnAttributes": [],
        "disableOnNumbers": False,
    },
    "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
    "pagination": {"maxTotalHits": 1000},
    "embedders": {},
    "searchCutoffMs": None,
    "localizedAttributes": None,
    "facetSearch": True,
    "prefixSearch": "indexingTime",
}


def default_settings() -> dict[str, Any]:
    """The complete settings object of a fresh index (a new copy on every call)."""
    return copy.deepcopy(_DEFAULTS)


def parse_update(body: Any) -> dict[str, Any]:
    """Check a `PATCH /settings` body; returns the normalized partial update."""
    obj = require_object("bad_request", body)
    update: dict[str, Any] = {}
    for key, value in obj.items():
        if key in _GATED:
            raise _feature_not_enabled(key)
        family = BY_KEY.get(key)
        if family is None:
            raise unknown_field("bad_request", key, ACCEPTED_KEYS)
        update[key] = _checked(family, value, "." + key)
    return update


def parse_family(family: Family, body: Any) -> dict[str, Any]:
    """Check the body of a family's sub-route update (`null` resets the family)."""
    return {family.key: _checked(family, body, "")}


def reset_update(keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The update that resets the given families, or every family."""
    return {key: RESET for key in (keys or tuple(BY_KEY))}


def _checked(family: Family, value: Any, path: str) -> Any:
    if value is None:
        return RESET
    checked = family.check(value, path, family.code)
    if family.key in WILDCARD_FAMILIES and "*" in checked:
        return RESET
    return checked


def _feature_not_enabled(key: str) -> MeiliError:
    action, feature, discussion = _GATED[key]
    return MeiliError(
        "feature_not_enabled",
        f"{action} requires enabling the `{feature}` experimental feature. "
        f"See https://github.com/orgs/meilisearch/discussions/{discussion}",
    )


def apply(current: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """The complete settings after `update`; `current` is left untouched."""
    result = dict(current)
    for key, value in update.items():
        if isinstance(value, Reset):
            result[key] = copy.deepcopy(_DEFAULTS[key])
        elif key in NESTED_FAMILIES:
            result[key] = _merge(current[key], value, _DEFAULTS[key])
        else:
            result[key] = copy.deepcopy(value)
    return _with_default_facet_order(result)


def _merge(current: dict[str, Any], update: dict[str, Any], default: dict[str, Any]) -> Any:
    merged = dict(current)
    for key, value in update.items():
        if isinstance(value, Reset):
            merged[key] = copy.deepcopy(default[key])
        elif isinstance(value, dict) and key == "minWordSizeForTypos":
            merged[key] = _merge(current[key], value, default[key])
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _with_default_facet_order(settings: dict[str, Any]) -> dict[str, Any]:
    """Meilisearch always keeps a `*` entry in `sortFacetValuesBy` (alpha unless set)."""
    order = settings["faceting"]["sortFacetValuesBy"]
    if "*" not in order:
        faceting = dict(settings["faceting"])
        faceting["sortFacetValuesBy"] = dict(sorted({"*": "alpha", **order}.items()))
        settings["faceting"] = faceting
    return settings


def details(update: dict[str, Any]) -> dict[str, Any]:
    """A settingsUpdate task's `details`: the update as sent, resets shown as Meilisearch does."""
    return {key: _detail(key, value) for key, value in update.items()}


def _detail(key: str, value: Any) -> Any:
    if isinstance(value, Reset):
        return ["*"] if key in WILDCARD_FAMILIES else None
    if isinstance(value, dict):
        return {sub: _detail(sub, inner) for sub, inner in value.items()}
    return value


def reset_all_details() -> dict[str, Any]:
    """Details of `DELETE /settings`: every field of the settings object, reset."""
    return {key: ["*"] if key in WILDCARD_FAMILIES else None for key in ACCEPTED_KEYS}
