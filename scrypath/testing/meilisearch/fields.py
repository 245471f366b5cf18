"""`POST /indexes/{uid}/fields`: every field of an index and what the settings make of it.

Fields are the documents' top-level keys plus the dotted paths of nested values (arrays
are transparent), as Meilisearch lists them. Unlike Meilisearch, which never forgets a
field once seen, the fake lists the fields of the documents it holds now.

Matching follows Meilisearch's two rules. Plain attribute lists (displayed, searchable,
sortable, string filterable rules, custom ranking rules) match a field and everything
nested under it. Attribute patterns (granular filterable and localized rules, the
`attributePatterns` filter) match `*`, `prefix*`, `*suffix`, `*infix*` or exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

VECTORS = "_vectors"
_LEGACY_FEATURES: dict[str, Any] = {
    "facetSearch": True,
    "filter": {"equality": True, "comparison": True},
}
_NO_FEATURES: dict[str, Any] = {
    "facetSearch": False,
    "filter": {"equality": False, "comparison": False},
}


def field_names(documents: Iterable[Mapping[str, Any]]) -> list[str]:
    """Top-level keys and nested paths of every document, sorted by name."""
    names: set[str] = set()
    for document in documents:
        for key, value in document.items():
            names.add(key)
            if key != VECTORS:
                _nested(value, key, names)
    return sorted(names)


def _nested(value: Any, path: str, names: set[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _nested(item, path, names)
    elif isinstance(value, dict):
        for key, child in value.items():
            nested = f"{path}.{key}"
            names.add(nested)
            _nested(child, nested, names)


def is_under(field: str, attribute: str) -> bool:
    """Plain attribute matching: the attribute itself or anything nested under it."""
    return field == attribute or field.startswith(attribute + ".")


def pattern_match(pattern: str, field: str) -> bool:
    """Attribute pattern matching: `*`, `prefix*`, `*suffix`, `*infix*` or exact."""
    if pattern == "*":
        return True
    if len(pattern) > 1 and pattern.startswith("*") and pattern.endswith("*"):
        return pattern[1:-1] in field
    if pattern.startswith("*"):
        return field.endswith(pattern[1:])
    if pattern.endswith("*"):
        return field.startswith(pattern[:-1])
    return pattern == field


def _listed(attributes: Sequence[str] | None, field: str) -> bool:
    """Membership in a list where `None` or `*` means every field."""
    if attributes is None or "*" in attributes:
        return True
    return any(is_under(field, attribute) for attribute in attributes)


def describe_field(name: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """One field's entry: its capabilities under the index's settings."""
    reserved = name == VECTORS or name.startswith(VECTORS + ".")
    order = _ranking_order(name, settings["rankingRules"])
    features = _NO_FEATURES if reserved else _filter_features(name, settings)
    filters = features["filter"]
    ranking: dict[str, Any] = {"enabled": order is not None and not reserved}
    if ranking["enabled"]:
        ranking["order"] = order
    return {
        "name": name,
        "displayed": {"enabled": _listed(settings["displayedAttributes"], name)},
        "searchable": {"enabled": not reserved and _listed(settings["searchableAttributes"], name)},
        "sortable": {
            "enabled": not reserved
            and any(is_under(name, a) for a in settings["sortableAttributes"])
        },
        "distinct": {"enabled": not reserved and settings["distinctAttribute"] == name},
        "rankingRule": ranking,
        "filterable": {
            "enabled": bool(
                features["facetSearch"] or filters["equality"] or filters["comparison"]
            ),
            "sortBy": "alpha" if reserved else _facet_order(name, settings["faceting"]),
            "facetSearch": features["facetSearch"],
            "equality": filters["equality"],
            "comparison": filters["comparison"],
        },
        "localized": {"locales": [] if reserved else _locales(name, settings)},
    }


def _ranking_order(name: str, rules: Sequence[str]) -> str | None:
    for rule in rules:
        attribute, _, direction = rule.rpartition(":")
        if attribute and direction in ("asc", "desc") and is_under(name, attribute):
            return direction
    return None


def _filter_features(name: str, settings: Mapping[str, Any]) -> Mapping[str, Any]:
    """The features of the first filterable rule matching the field."""
    for rule in settings["filterableAttributes"]:
        if isinstance(rule, str):
            if is_under(name, rule):
                return _LEGACY_FEATURES
        elif any(pattern_match(p, name) for p in rule["attributePatterns"]):
            features: Mapping[str, Any] = rule["features"]
            return features
    return _NO_FEATURES


def _facet_order(name: str, faceting: Mapping[str, Any]) -> str:
    orders: Mapping[str, str] = faceting.get("sortFacetValuesBy") or {}
    return orders.get(name) or orders.get("*") or "alpha"


def _locales(name: str, settings: Mapping[str, Any]) -> list[str]:
    for rule in settings.get("localizedAttributes") or ():
        if any(pattern_match(p, name) for p in rule["attributePatterns"]):
            return list(rule["locales"])
    return []


FILTER_FLAGS = {
    "displayed": ("displayed", "enabled"),
    "searchable": ("searchable", "enabled"),
    "sortable": ("sortable", "enabled"),
    "distinct": ("distinct", "enabled"),
    "rankingRule": ("rankingRule", "enabled"),
    "filterable": ("filterable", "enabled"),
}
"""The request filter's flags, and where each one reads in a field's entry."""


def keep(entry: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether a field's entry passes the request filter (every criterion must hold)."""
    patterns = wanted.get("attributePatterns")
    if patterns is not None and not any(pattern_match(p, entry["name"]) for p in patterns):
        return False
    for flag, (group, key) in FILTER_FLAGS.items():
        value = wanted.get(flag)
        if value is not None and entry[group][key] != value:
            return False
    return True
