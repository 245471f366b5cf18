"""Sync and delete, dispatched over the sync modes, as three stages: plan -> submit -> await.

- **plan**: records become encoded documents to upsert and ids to delete. A record whose
  `should_index` says no is deleted from the index, so a record that stops qualifying
  disappears from search. Ids are validated here, before any request.
- **submit**: at most one request for the upserts and one for the deletes. Documents go out
  as the bytes of the one JSON encoder, so every write path sends identical JSON.
- **await** (inline only): wait for each task; a failure raises a typed error whose
  `reason` is `task_failed` (with the Meilisearch `code`), `task_timeout`, `transport` or
  `http_error`.

The first write for a model in a process ensures its index (see `scrypath.indexes`) and
waits for that one-time bootstrap in every mode, manual included.

`sync_records` takes records of one searchable model (subclasses share their base's
declaration); records of several models are refused so each result names one index. Queue
mode needs the durable outbox, which this version does not have: it is refused, never
faked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import meilisearch

from scrypath.config import Config, SyncMode, resolve
from scrypath.declaration import SearchSpec, spec_for
from scrypath.delivery import await_task, documents_body, send_deletes, send_upserts
from scrypath.errors import ConfigurationError
from scrypath.indexes import ensure_once
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.tasks import TaskRef
from scrypath.projection import document_id, is_indexable, project, validate_document_id
from scrypath.results import DocumentId, SyncResult

WriteMode = Literal["inline", "manual"]


@dataclass(frozen=True, slots=True)
class Plan:
    """What one call will send: documents to upsert (by id) and ids to delete."""

    upserts: dict[DocumentId, dict[str, Any]] = field(default_factory=dict)
    deletes: tuple[DocumentId, ...] = ()


@dataclass(frozen=True, slots=True)
class _Target:
    spec: SearchSpec
    config: Config
    mode: WriteMode
    index: str
    client: meilisearch.Client


def sync_record(record: object, *, mode: SyncMode | None = None, **overrides: Any) -> SyncResult:
    """Upsert one record's document, or delete it when `should_index` says no."""
    return sync_records((record,), mode=mode, **overrides)


def sync_records(
    records: Iterable[object], *, mode: SyncMode | None = None, **overrides: Any
) -> SyncResult:
    """Upsert the documents of records of one model, deleting those `should_index` rejects."""
    config = resolve(sync_mode=mode, **overrides)
    chosen = write_mode(config)
    items = list(records)
    if not items:
        return SyncResult(chosen, "noop", None)
    spec = _one_spec(items)
    return _run(spec, config, chosen, plan_sync(spec, items))


def delete_record(record: object, *, mode: SyncMode | None = None, **overrides: Any) -> SyncResult:
    """Delete one record's document from its index (whatever `should_index` says)."""
    config = resolve(sync_mode=mode, **overrides)
    chosen = write_mode(config)
    spec = spec_for(record)
    return _run(spec, config, chosen, Plan(deletes=(document_id(record, spec),)))


def delete_documents(
    model: type[Any],
    ids: Iterable[object],
    *,
    mode: SyncMode | None = None,
    **overrides: Any,
) -> SyncResult:
    """Delete documents of `model`'s index by id; ids are validated before any request."""
    config = resolve(sync_mode=mode, **overrides)
    chosen = write_mode(config)
    spec = spec_for(model)
    checked = (validate_document_id(value, model=spec.model_name) for value in ids)
    return _run(spec, config, chosen, Plan(deletes=tuple(dict.fromkeys(checked))))


def write_mode(config: Config) -> WriteMode:
    """The configured sync mode, refusing queue mode while there is no outbox."""
    mode = config.require_sync_mode()
    if mode == "queue":
        raise ConfigurationError(
            "queue mode needs the durable outbox, which is not available in this version; "
            "use inline or manual",
            key="sync_mode",
            mode=mode,
        )
    return mode


def plan_sync(spec: SearchSpec, records: Iterable[object]) -> Plan:
    """Project indexable records and collect the ids of the others; the last write wins."""
    upserts: dict[DocumentId, dict[str, Any]] = {}
    deletes: dict[DocumentId, None] = {}
    for record in records:
        identifier = document_id(record, spec)
        upserts.pop(identifier, None)
        deletes.pop(identifier, None)
        if is_indexable(record, spec):
            upserts[identifier] = project(record, spec)
        else:
            deletes[identifier] = None
    return Plan(upserts, tuple(deletes))


def _one_spec(records: list[object]) -> SearchSpec:
    spec = spec_for(records[0])
    for record in records[1:]:
        other = spec_for(record)
        if other is not spec:
            raise ConfigurationError(
                f"sync_records takes records of one model, got {spec.model_name} and "
                f"{other.model_name}; call it once per model",
                key="records",
                model=spec.model_name,
            )
    return spec


def _run(spec: SearchSpec, config: Config, mode: WriteMode, plan: Plan) -> SyncResult:
    index = spec.index_name(config.index_prefix)
    if not plan.upserts and not plan.deletes:
        return SyncResult(mode, "noop", index)
    if config.ensure_index_on_first_sync:
        ensure_once(spec, config, index)
    target = _Target(spec, config, mode, index, client_for(config))
    sent = _submit(target, plan)
    if mode == "manual":
        tasks = tuple(task for _, task in sent)
        return SyncResult(mode, "accepted", index, tuple(plan.upserts), plan.deletes, tasks)
    tasks = tuple(_await(target, operation, task) for operation, task in sent)
    return SyncResult(mode, "completed", index, tuple(plan.upserts), plan.deletes, tasks)


def _submit(target: _Target, plan: Plan) -> list[tuple[str, TaskRef]]:
    """Send the upserts, then the deletes: one request each, only when there are any."""
    sent: list[tuple[str, TaskRef]] = []
    if plan.upserts:
        sent.append(("upsert", _upsert(target, list(plan.upserts.values()))))
    if plan.deletes:
        sent.append(("delete", _delete(target, plan.deletes)))
    return sent


def _upsert(target: _Target, documents: list[dict[str, Any]]) -> TaskRef:
    body = documents_body(documents, model=target.spec.model_name)
    context = _context(target)
    return send_upserts(target.client, target.index, target.spec.document_id, body, **context)


def _delete(target: _Target, ids: tuple[DocumentId, ...]) -> TaskRef:
    return send_deletes(target.client, target.index, ids, **_context(target))


def _await(target: _Target, operation: str, task: TaskRef) -> TaskRef:
    return await_task(
        target.client,
        task,
        target.config,
        index=target.index,
        operation=operation,
        **_context(target),
    )


def _context(target: _Target) -> dict[str, Any]:
    return {"model": target.spec.model_name, "mode": target.mode}
