"""Index bootstrap: create a model's index with the right primary key and settings.

`ensure_index(Model)` is safe to call at any time: an index that already exists is kept
(its primary key is checked), and the declared settings are applied and awaited with the
bulk timeout. Syncing ensures each index once per process unless
`ensure_index_on_first_sync` is turned off, so the hot path pays for it only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrypath.config import Config, resolve
from scrypath.declaration import SearchSpec, registry, spec_for
from scrypath.delivery import await_task
from scrypath.errors import ConfigurationError, IndexNotFoundError, TaskFailedError
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.settings_wire import wire_settings
from scrypath.meilisearch.tasks import TaskRef, task_ref

_ensured: set[tuple[str, str, SearchSpec]] = set()


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


def ensure(spec: SearchSpec, config: Config) -> IndexStatus:
    """`ensure_index` for a resolved spec and configuration."""
    index = index_for(spec, config)
    client = client_for(config)
    context = {"model": spec.model_name, "index": index, "operation": "ensure_index"}
    created = _create_if_missing(client, spec, config, index, context)
    task = _await(client, _submit_settings(client, spec, index, context), config, context)
    _ensured.add((config.require_url(), index, spec))
    return IndexStatus(index, spec.document_id, created, task)


def ensure_once(spec: SearchSpec, config: Config, index: str) -> None:
    """Ensure the index unless this process already did for this spec and server."""
    if (config.require_url(), index, spec) not in _ensured:
        ensure(spec, config)


def forget_ensured() -> None:
    """Make the next sync of every model ensure its index again (for tests)."""
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
