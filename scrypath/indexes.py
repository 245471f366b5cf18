"""Index bootstrap: create a model's index with the right primary key and settings.

`ensure_index(Model)` is safe to call at any time: an index that already exists is kept
(its primary key is checked), and the declared settings are applied and awaited with the
bulk timeout. Syncing ensures each index once per process unless
`ensure_index_on_first_sync` is turned off, so the hot path pays for it only once.

An index can vanish behind the process's back (deleted by hand, or a Meilisearch that
restarted empty); the next write would then recreate it with default settings, and filtered
searches would fail. So a writer looks at the index again at most every `RECHECK_SECONDS`:
if it is gone, or was created anew since it was ensured (its `createdAt` changed), the
bootstrap runs again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from scrypath.config import Config, resolve
from scrypath.declaration import SearchSpec, registry, spec_for
from scrypath.errors import ConfigurationError, IndexNotFoundError, TaskFailedError
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.settings_wire import wire_settings
from scrypath.meilisearch.tasks import TaskRef, await_task, task_ref

RECHECK_SECONDS = 2.0
"""How long a writer trusts that an index it ensured still exists as it was ensured."""


@dataclass(frozen=True, slots=True)
class _Ensured:
    created_at: object
    checked: float


_ensured: dict[tuple[str, str, SearchSpec], _Ensured] = {}
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class IndexStatus:
    """What `ensure_index` did: the index, its primary key, and the settings task."""

    index: str
    primary_key: str
    created: bool
    settings_task: TaskRef

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "primary_key": self.primary_key,
            "created": self.created,
            "settings_task": self.settings_task.to_json(),
        }


def ensure_index(model: type[Any], **overrides: Any) -> IndexStatus:
    """Create the model's index if needed, apply its declared settings and wait for them."""
    return ensure(spec_for(model), resolve(**overrides))


def index_for(spec: SearchSpec, config: Config) -> str:
    """The spec's index uid under `config`, after checking no two models share it."""
    registry.index_names(config.index_prefix)
    return spec.index_name(config.index_prefix)


def ensure(spec: SearchSpec, config: Config, *, mode: str | None = None) -> IndexStatus:
    """`ensure_index` for a resolved spec and configuration; `mode` names the sync mode
    whose write triggered it, for the error context."""
    index = index_for(spec, config)
    client = client_for(config)
    context = _context(spec, index, mode)
    created = _create_if_missing(client, spec, config, index, context)
    task = _await(client, _submit_settings(client, spec, index, context), config, context)
    created_at = _read_index(client, index, context).get("createdAt")
    with _lock:
        _ensured[(config.require_url(), index, spec)] = _Ensured(created_at, time.monotonic())
    return IndexStatus(index, spec.document_id, created, task)


def ensure_once(spec: SearchSpec, config: Config, index: str, *, mode: str | None = None) -> None:
    """Ensure the index unless this process did already and it is still the same index."""
    key = (config.require_url(), index, spec)
    known = _ensured.get(key)
    if known is not None and _still_there(known, key, spec, config, index, mode):
        return
    ensure(spec, config, mode=mode)


def _still_there(
    known: _Ensured,
    key: tuple[str, str, SearchSpec],
    spec: SearchSpec,
    config: Config,
    index: str,
    mode: str | None,
) -> bool:
    """Whether the ensured index still exists as it was ensured (read at most every
    `RECHECK_SECONDS`)."""
    now = time.monotonic()
    if now - known.checked < RECHECK_SECONDS:
        return True
    try:
        info = _read_index(client_for(config), index, _context(spec, index, mode))
    except IndexNotFoundError:
        return False
    if info.get("createdAt") != known.created_at:
        return False
    with _lock:
        _ensured[key] = _Ensured(known.created_at, now)
    return True


def _context(spec: SearchSpec, index: str, mode: str | None) -> dict[str, Any]:
    context = {"model": spec.model_name, "index": index, "operation": "ensure_index"}
    return context if mode is None else {**context, "mode": mode}


def forget_ensured() -> None:
    """Make the next sync of every model ensure its index again."""
    with _lock:
        _ensured.clear()


def _create_if_missing(
    client: Any, spec: SearchSpec, config: Config, index: str, context: dict[str, Any]
) -> bool:
    try:
        _check_primary_key(_read_index(client, index, context), spec, index)
        return False
    except IndexNotFoundError:
        pass
    with backend_call(**context):
        summary = client.http.post("indexes", {"uid": index, "primaryKey": spec.document_id})
    try:
        _await(client, task_ref(summary), config, context)
    except TaskFailedError as error:
        if error.code != "index_already_exists":
            raise
        _check_primary_key(_read_index(client, index, context), spec, index)
        return False
    return True


def _read_index(client: Any, index: str, context: dict[str, Any]) -> dict[str, Any]:
    with backend_call(**context):
        info: dict[str, Any] = client.http.get(f"indexes/{index}")
    return info


def _check_primary_key(info: dict[str, Any], spec: SearchSpec, index: str) -> None:
    found = info.get("primaryKey")
    if found is not None and found != spec.document_id:
        raise ConfigurationError(
            f"index {index!r} has primary key {found!r} but {spec.model_name}'s document id "
            f"is {spec.document_id!r}; rebuild the index or declare document_id={found!r}",
            model=spec.model_name,
            index=index,
            key="document_id",
        )


def _submit_settings(client: Any, spec: SearchSpec, index: str, context: dict[str, Any]) -> TaskRef:
    with backend_call(**context):
        summary = client.http.patch(f"indexes/{index}/settings", wire_settings(spec))
    return task_ref(summary)


def _await(client: Any, task: TaskRef, config: Config, context: dict[str, Any]) -> TaskRef:
    return await_task(client, task, config, timeout=config.bulk_task_timeout, **context)
