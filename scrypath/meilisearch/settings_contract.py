"""The settings contract of a model's index: resolve, read, compare, hot-apply.

- **resolve**: the declared settings plus the attribute lists derived from the declaration,
  in wire form; exactly the body `ensure_index` applies (one translation: `wire_settings`).
- **read**: the live settings of the model's index (or of a named one).
- **compare**: declared against live, as a list of `{"key", "declared", "applied"}`, one
  entry per declared key whose live value differs. Only declared keys count, so an engine
  default nobody declared is never drift. Order matters for ranking rules, searchable
  attributes and localized attributes, where Meilisearch gives it meaning; attribute sets,
  stop words, tokens and synonym alternatives compare as sets. Nested objects (typo
  tolerance, faceting, pagination) compare only their declared keys. A filterable rule in
  the granular form equals plain names when its features are the ones plain names get
  (facet search, equality and comparison all on).
- **hot-apply**: a live update limited to synonyms, stop words and typo tolerance, the
  families that tune relevance without a rebuild. It needs `acknowledge=True`, refuses
  anything else by name, and waits for the task.

Index contract drift and reindex verification both compare through `compare_settings`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypedDict

import meilisearch

from scrypath.config import Config, resolve
from scrypath.declaration import SearchSpec, spec_for
from scrypath.errors import DeclarationError, HotApplyRefusedError
from scrypath.index_settings import SettingsScope, to_snake, validate_settings
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.rebuild_marker import rebuild_running
from scrypath.meilisearch.settings_wire import to_wire_key, wire_settings
from scrypath.meilisearch.tasks import TaskRef, await_task, task_ref

HOT_APPLY_FAMILIES = ("synonyms", "stop_words", "typo_tolerance")
"""The families `hot_apply_settings` may change, in the declaration's spelling."""

ORDERED_KEYS = frozenset({"rankingRules", "searchableAttributes", "localizedAttributes"})
"""Wire keys whose list order changes search results."""

UNORDERED_KEYS = frozenset(
    {
        "filterableAttributes",
        "sortableAttributes",
        "displayedAttributes",
        "stopWords",
        "separatorTokens",
        "nonSeparatorTokens",
        "dictionary",
        "disableOnWords",
        "disableOnAttributes",
    }
)
"""Wire keys (top-level or nested) whose lists Meilisearch treats as sets."""

_WHOLE_MAPPINGS = frozenset({"synonyms"})
_PLAIN_NAME_FEATURES = (True, True, True)
_MISSING: Any = object()


class SettingsDelta(TypedDict):
    """One declared settings key whose live value differs: plain JSON data."""

    key: str
    declared: Any
    applied: Any


@dataclass(frozen=True, slots=True)
class HotApplyResult:
    """What a hot-apply changed, the finished task, and the drift it leaves behind.

    `drift` compares the declaration with the live settings after the update: a hot-applied
    value that the declaration does not carry shows here until the declaration catches up.
    """

    index: str
    applied: Mapping[str, Any]
    previous: Mapping[str, Any]
    task: TaskRef
    drift: tuple[SettingsDelta, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "applied": dict(self.applied),
            "previous": dict(self.previous),
            "task": self.task.to_json(),
            "drift": [dict(delta) for delta in self.drift],
        }


def resolve_settings(model: type[Any]) -> dict[str, Any]:
    """The wire settings the declaration asks for: what `ensure_index` applies."""
    return wire_settings(spec_for(model))


def read_settings(
    model: type[Any], *, index: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """The live settings of the model's index (or `index`); raises `IndexNotFoundError`."""
    spec, config = spec_for(model), resolve(**overrides)
    uid = index or spec.index_name(config.index_prefix)
    return read_index_settings(client_for(config), uid, model=spec.model_name)


def read_index_settings(client: meilisearch.Client, index: str, **context: Any) -> dict[str, Any]:
    """`GET /indexes/{index}/settings`, with errors translated at the boundary."""
    with backend_call(**{"index": index, "operation": "read_settings", **context}):
        live: dict[str, Any] = client.http.get(f"indexes/{index}/settings")
    return live


def diff_settings(
    model: type[Any], *, index: str | None = None, **overrides: Any
) -> list[SettingsDelta]:
    """Declared against live settings of the model's index: the keys that differ."""
    return compare_settings(resolve_settings(model), read_settings(model, index=index, **overrides))


def compare_settings(
    declared: Mapping[str, Any], applied: Mapping[str, Any]
) -> list[SettingsDelta]:
    """The declared keys whose applied value differs, in declaration order (see module docs)."""
    deltas: list[SettingsDelta] = []
    for key, value in declared.items():
        live = applied.get(key, _MISSING)
        if not _same(key, value, live):
            deltas.append({"key": key, "declared": value, "applied": _shown(key, value, live)})
    return deltas


def _same(key: str, declared: Any, applied: Any) -> bool:
    if applied is _MISSING:
        return False
    if isinstance(declared, Mapping) and key not in _WHOLE_MAPPINGS:
        if not isinstance(applied, Mapping):
            return False
        return all(_same(sub, value, applied.get(sub, _MISSING)) for sub, value in declared.items())
    return bool(_canonical(key, declared) == _canonical(key, applied))


def _shown(key: str, declared: Any, applied: Any) -> Any:
    """The applied value in the declared value's shape: only declared nested keys."""
    if applied is _MISSING:
        return None
    if (
        isinstance(declared, Mapping)
        and isinstance(applied, Mapping)
        and key not in _WHOLE_MAPPINGS
    ):
        return {
            sub: _shown(sub, value, applied.get(sub, _MISSING)) for sub, value in declared.items()
        }
    return applied


def _canonical(key: str, value: Any) -> Any:
    if key == "filterableAttributes" and isinstance(value, list):
        return sorted({rule for item in value for rule in _filter_rules(item)}, key=repr)
    if key == "synonyms" and isinstance(value, Mapping):
        return {word: _as_set(alternatives) for word, alternatives in value.items()}
    if key in UNORDERED_KEYS and isinstance(value, list):
        return _as_set(value)
    return value


def _as_set(values: Any) -> Any:
    if not isinstance(values, list):
        return values
    return sorted({json.dumps(item, sort_keys=True) for item in values})


def _filter_rules(item: Any) -> list[tuple[str, bool, bool, bool]]:
    """A filterable rule as (pattern, facet search, equality, comparison) per pattern."""
    if isinstance(item, str):
        return [(item, *_PLAIN_NAME_FEATURES)]
    if not isinstance(item, Mapping):
        return [(json.dumps(item, sort_keys=True), False, False, False)]
    features = item.get("features") or {}
    filters = features.get("filter") or {}
    flags = (
        bool(features.get("facetSearch", False)),
        bool(filters.get("equality", True)),
        bool(filters.get("comparison", False)),
    )
    return [(str(pattern), *flags) for pattern in item.get("attributePatterns", ())]


def hot_apply_settings(
    model: type[Any],
    changes: Mapping[str, Any],
    *,
    acknowledge: bool = False,
    index: str | None = None,
    **overrides: Any,
) -> HotApplyResult:
    """Update synonyms, stop words or typo tolerance on the live index and wait for it.

    Changes use the declaration's vocabulary (`stop_words`, `typo_tolerance`; the wire
    spelling is accepted too) and are validated like a declaration. Each family is replaced
    as a whole, except typo tolerance, which Meilisearch merges key by key.
    """
    spec, config = spec_for(model), resolve(**overrides)
    uid = index or spec.index_name(config.index_prefix)
    body = hot_apply_body(spec, changes, acknowledge=acknowledge, index=uid)
    client = client_for(config)
    context = {"model": spec.model_name}
    _refuse_during_rebuild(client, spec, uid)
    before = read_index_settings(client, uid, **context)
    task = _patch_settings(client, config, uid, body, context)
    after = read_index_settings(client, uid, **context)
    previous = {key: before.get(key) for key in body}
    drift = tuple(compare_settings(wire_settings(spec), after))
    return HotApplyResult(uid, body, previous, task, drift)


def hot_apply_body(
    spec: SearchSpec, changes: Mapping[str, Any], *, acknowledge: bool, index: str
) -> dict[str, Any]:
    """Check a hot-apply request and return its wire body; every refusal names its reason."""
    context = {"model": spec.model_name, "index": index}
    if acknowledge is not True:
        raise HotApplyRefusedError(
            f"hot-applying settings changes search results on the live index {index!r} at "
            "once; pass acknowledge=True to confirm",
            key="acknowledge",
            **context,
        )
    if not isinstance(changes, Mapping) or not changes:
        raise HotApplyRefusedError(
            f"nothing to hot-apply: pass a non-empty mapping of {', '.join(HOT_APPLY_FAMILIES)}",
            key="changes",
            **context,
        )
    families = _families(changes, context)
    scope = SettingsScope(
        spec.model_name, frozenset({*spec.projected_fields, spec.document_id}), spec.document_id
    )
    try:
        checked = validate_settings(families, scope)
    except DeclarationError as error:
        raise HotApplyRefusedError(
            error.message, key=error.context.get("option"), **context
        ) from error
    wire = wire_settings(replace(spec, settings=checked))
    return {to_wire_key(family): wire[to_wire_key(family)] for family in checked}


def _families(changes: Mapping[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Changes keyed by snake_case family; unknown or forbidden keys are refused together."""
    families: dict[str, Any] = {}
    refused: list[str] = []
    for key, value in changes.items():
        family = to_snake(key) if isinstance(key, str) else None
        if family not in HOT_APPLY_FAMILIES:
            refused.append(str(key))
            continue
        families[family] = _snake_keys(value) if family == "typo_tolerance" else value
    if refused:
        raise HotApplyRefusedError(
            f"hot-apply changes only {', '.join(HOT_APPLY_FAMILIES)}; refused: "
            f"{', '.join(refused)}. Other settings change what is indexed: declare them and "
            "run reindex",
            key="changes",
            refused=refused,
            allowed=list(HOT_APPLY_FAMILIES),
            **context,
        )
    return families


def _snake_keys(value: Any) -> Any:
    """Typo tolerance keys are all Meilisearch's own, so the wire spelling may be renamed."""
    if isinstance(value, Mapping):
        return {
            to_snake(key) if isinstance(key, str) else key: _snake_keys(item)
            for key, item in value.items()
        }
    return value


def _refuse_during_rebuild(client: meilisearch.Client, spec: SearchSpec, index: str) -> None:
    if rebuild_running(client, index, model=spec.model_name):
        raise HotApplyRefusedError(
            f"a reindex of {index!r} is running; settings hot-applied now would be lost at "
            "its cutover. Wait for it to finish, or declare the change so the rebuild uses it",
            key="index",
            model=spec.model_name,
            index=index,
        )


def _patch_settings(
    client: meilisearch.Client,
    config: Config,
    index: str,
    body: Mapping[str, Any],
    context: dict[str, Any],
) -> TaskRef:
    call = {"index": index, "operation": "hot_apply_settings", **context}
    with backend_call(**call):
        summary = client.http.patch(f"indexes/{index}/settings", dict(body))
    return await_task(client, task_ref(summary), config, timeout=config.bulk_task_timeout, **call)
