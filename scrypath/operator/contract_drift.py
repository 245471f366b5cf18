"""Index contract drift: a model's declaration against its live index, in five dimensions.

One settings read, compared through `compare_settings` (the settings contract's one drift
vocabulary), so a dimension matches exactly when `compare_settings` finds nothing for its
keys. The details then say why:

- `fields`: the searchable attributes. Order counts, because Meilisearch ranks by it.
- `filterable_attributes` and `sortable_attributes`: sets. A granular filterable rule equals
  a plain name when its features are the ones a plain name gets.
- `faceting`: every declared facet must be filterable on the live index (Meilisearch keeps
  no facet list apart from the filterable attributes, so a facet can only be missing), and
  the declared faceting options must hold.
- `settings`: every other declared settings family.

The three attribute dimensions always carry one `{"key", "only_declared", "only_applied",
"truncated"}` object, empty sides included, so a match is stated rather than implied. Each
side lists at most 50 values; `truncated` says when some were left out. Engine defaults that
nothing declared are never drift.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scrypath.config import resolve
from scrypath.declaration import spec_for
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.settings_contract import (
    SettingsDelta,
    compare_settings,
    read_index_settings,
    resolve_settings,
)
from scrypath.telemetry import operator_command

DIMENSIONS = (
    "fields",
    "filterable_attributes",
    "sortable_attributes",
    "faceting",
    "settings",
)
"""The dimensions every report holds, in this order."""

VALUE_CAP = 50
"""The most values one side of a set difference lists."""

_SEARCHABLE = "searchableAttributes"
_FILTERABLE = "filterableAttributes"
_SORTABLE = "sortableAttributes"
_FACETING = "faceting"
_OWNED = frozenset({_SEARCHABLE, _FILTERABLE, _SORTABLE, _FACETING})
_NAMES_SHOWN = 5
_SECRET_KEYS = frozenset({"apikey", "api_key", "authorization"})
_HIDDEN = "***"

_Explain = Callable[[list[str], list[str]], list[dict[str, Any]]]
"""Why a set dimension drifts when its sets agree: (declared names, applied names) -> details."""


@dataclass(frozen=True, slots=True)
class Dimension:
    """One compared dimension: whether it matches, why (plain JSON objects), in one line."""

    name: str
    match: bool
    details: tuple[Mapping[str, Any], ...]
    summary: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "match": self.match,
            "summary": self.summary,
            "details": [copy.deepcopy(dict(detail)) for detail in self.details],
        }


@dataclass(frozen=True, slots=True)
class ContractDriftReport:
    """The declared contract of `model` against the live index `index`."""

    model: str
    index: str
    dimensions: tuple[Dimension, ...]

    @property
    def match(self) -> bool:
        """True when every dimension matches."""
        return all(dimension.match for dimension in self.dimensions)

    @property
    def drifted(self) -> tuple[Dimension, ...]:
        """The dimensions that do not match, in report order."""
        return tuple(dimension for dimension in self.dimensions if not dimension.match)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "model": self.model,
            "index": self.index,
            "match": self.match,
            "dimensions": [dimension.to_json() for dimension in self.dimensions],
        }


@operator_command("index_contract_drift")
def index_contract_drift(model: type[Any], **overrides: Any) -> ContractDriftReport:
    """Compare the model's declaration with its live index; raises `IndexNotFoundError`
    when the index does not exist (nothing to compare is never a match)."""
    spec, config = spec_for(model), resolve(**overrides)
    index = spec.index_name(config.index_prefix)
    live = read_index_settings(
        client_for(config), index, model=spec.model_name, operation="index_contract_drift"
    )
    dimensions = compare_contract(resolve_settings(model), live, facets=spec.facets)
    return ContractDriftReport(spec.model_name, index, dimensions)


def compare_contract(
    declared: Mapping[str, Any], live: Mapping[str, Any], *, facets: Sequence[str]
) -> tuple[Dimension, ...]:
    """The five dimensions for declared wire settings against live settings."""
    return (
        _fields(declared, live),
        _filterable(declared, live),
        _attribute_set("sortable_attributes", _SORTABLE, declared, live),
        _faceting(declared, live, facets),
        _settings(declared, live),
    )


def _fields(declared: Mapping[str, Any], live: Mapping[str, Any]) -> Dimension:
    def explain(wanted: list[str], applied: list[str]) -> list[dict[str, Any]]:
        return _order_detail(_SEARCHABLE, wanted, applied)

    return _attribute_set("fields", _SEARCHABLE, declared, live, explain)


def _filterable(declared: Mapping[str, Any], live: Mapping[str, Any]) -> Dimension:
    def explain(wanted: list[str], applied: list[str]) -> list[dict[str, Any]]:
        rules = live.get(_FILTERABLE) or []
        return [
            detail
            for name in wanted
            if name in applied
            for detail in _feature_detail(name, _rules_naming(name, rules))
        ]

    return _attribute_set("filterable_attributes", _FILTERABLE, declared, live, explain)


def _attribute_set(
    name: str,
    key: str,
    declared: Mapping[str, Any],
    live: Mapping[str, Any],
    explain: _Explain | None = None,
) -> Dimension:
    """A set dimension: the set difference, then (when the sets agree and the settings
    contract still sees drift) what else differs."""
    wanted, applied = _names(declared.get(key) or []), _names(live.get(key) or [])
    deltas = compare_settings({key: declared.get(key, [])}, live)
    only_declared = [value for value in wanted if value not in applied]
    only_applied = [value for value in applied if value not in wanted]
    details: list[dict[str, Any]] = [_set_detail(key, only_declared, only_applied)]
    parts = _set_parts(only_declared, only_applied)
    if deltas and not parts:
        extra = explain(wanted, applied) if explain is not None else []
        details.extend(extra or _plain_deltas(deltas))
        parts = [_explained(detail) for detail in details[1:]]
    return _dimension(name, not deltas, details, parts)


def _faceting(
    declared: Mapping[str, Any], live: Mapping[str, Any], facets: Sequence[str]
) -> Dimension:
    patterns = _names(live.get(_FILTERABLE) or [])
    missing = [facet for facet in dict.fromkeys(facets) if not _covered(facet, patterns)]
    details: list[dict[str, Any]] = [_set_detail("facets", missing, [])]
    parts = _set_parts(
        missing, [], declared_only="declared facets not filterable on the live index"
    )
    options = declared.get(_FACETING) or {}
    deltas = compare_settings({_FACETING: options}, live) if options else []
    if deltas:
        details.extend(_plain_deltas(deltas))
        applied = live.get(_FACETING)
        differing = compare_settings(options, applied if isinstance(applied, Mapping) else {})
        parts.append(f"faceting options differ: {_listed(d['key'] for d in differing)}")
    return _dimension("faceting", not missing and not deltas, details, parts)


def _settings(declared: Mapping[str, Any], live: Mapping[str, Any]) -> Dimension:
    rest = {key: value for key, value in declared.items() if key not in _OWNED}
    deltas = compare_settings(rest, live)
    parts = [f"declared settings differ: {_listed(d['key'] for d in deltas)}"] if deltas else []
    return _dimension("settings", not deltas, _plain_deltas(deltas), parts)


def _dimension(
    name: str, match: bool, details: list[dict[str, Any]], parts: list[str]
) -> Dimension:
    summary = "matches" if match else "; ".join(parts)
    return Dimension(name, match, tuple(details), summary)


def _set_detail(key: str, only_declared: list[str], only_applied: list[str]) -> dict[str, Any]:
    return {
        "key": key,
        "only_declared": only_declared[:VALUE_CAP],
        "only_applied": only_applied[:VALUE_CAP],
        "truncated": len(only_declared) > VALUE_CAP or len(only_applied) > VALUE_CAP,
    }


def _set_parts(
    only_declared: list[str],
    only_applied: list[str],
    *,
    declared_only: str = "declared but not applied",
) -> list[str]:
    parts = []
    if only_declared:
        parts.append(f"{declared_only}: {_listed(only_declared)}")
    if only_applied:
        parts.append(f"applied but not declared: {_listed(only_applied)}")
    return parts


def _order_detail(key: str, wanted: list[str], applied: list[str]) -> list[dict[str, Any]]:
    """Where two lists holding the same values first disagree, counting from 1."""
    for position, (mine, theirs) in enumerate(zip(wanted, applied, strict=False), start=1):
        if mine != theirs:
            return [{"key": key, "position": position, "declared": mine, "applied": theirs}]
    return []


def _feature_detail(name: str, rules: list[Any]) -> list[dict[str, Any]]:
    """A filterable attribute whose live rules give it other features than a plain name."""
    if not compare_settings({_FILTERABLE: [name]}, {_FILTERABLE: rules}):
        return []
    return [{"key": _FILTERABLE, "attribute": name, "declared": name, "applied": rules}]


def _rules_naming(name: str, rules: Iterable[Any]) -> list[Any]:
    """The live filterable rules for `name`, each narrowed to that one pattern."""
    found: list[Any] = []
    for rule in rules:
        if rule == name:
            found.append(rule)
        elif isinstance(rule, Mapping) and name in (rule.get("attributePatterns") or ()):
            found.append({"attributePatterns": [name], "features": rule.get("features")})
    return found


def _plain_deltas(deltas: list[SettingsDelta]) -> list[dict[str, Any]]:
    return [without_secrets(dict(delta)) for delta in deltas]


def without_secrets(value: Any) -> Any:
    """`value` with every API key or authorization header inside it hidden (an embedder
    declared in the settings may carry one), so reports can be printed and stored."""
    if isinstance(value, Mapping):
        return {
            key: _HIDDEN
            if str(key).lower() in _SECRET_KEYS and item is not None
            else without_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [without_secrets(item) for item in value]
    return value


def _printable(name: str) -> str:
    return name if name.isprintable() else json.dumps(name)


def _explained(detail: Mapping[str, Any]) -> str:
    if "position" in detail:
        return (
            f"order differs at position {detail['position']}: "
            f"declared {_printable(str(detail['declared']))}, "
            f"applied {_printable(str(detail['applied']))}"
        )
    if "attribute" in detail:
        return f"filter features differ for {_printable(str(detail['attribute']))}"
    return f"{detail['key']} differs"


def _names(values: Iterable[Any]) -> list[str]:
    """Attribute names in first-seen order; a granular rule contributes its patterns."""
    names: list[str] = []
    for value in values:
        if isinstance(value, Mapping):
            names.extend(str(pattern) for pattern in value.get("attributePatterns") or ())
        else:
            names.append(str(value))
    return list(dict.fromkeys(names))


def _covered(attribute: str, patterns: Iterable[str]) -> bool:
    """Whether a live filterable pattern (`*` at either end allowed) names `attribute`."""
    for pattern in patterns:
        if pattern == attribute or pattern == "*":
            return True
        if pattern.endswith("*") and attribute.startswith(pattern[:-1]):
            return True
        if pattern.startswith("*") and attribute.endswith(pattern[1:]):
            return True
    return False


def _listed(values: Iterable[Any]) -> str:
    """Up to five names, printable on one line, and how many more there are."""
    names = [_printable(str(value)) for value in values]
    shown = ", ".join(names[:_NAMES_SHOWN])
    hidden = len(names) - _NAMES_SHOWN
    return f"{shown} and {hidden} more" if hidden > 0 else shown
