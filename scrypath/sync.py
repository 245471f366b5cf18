"""Sync and delete, dispatched over the sync modes, as named stages.

- **plan**: records become encoded documents to upsert and ids to delete. A record whose
  `should_index` says no is deleted from the index, so a record that stops qualifying
  disappears from search. Ids are validated here, before any request.
- **enqueue** (queue only): the plan becomes outbox jobs, added to the caller's session in
  one insert; they commit or roll back with the application's own write. Nothing is sent.
- **submit**: one request for the upserts (more only when they exceed the request size limit,
  as backfill splits them) and one for the deletes. Documents go out as the bytes of the one
  JSON encoder, so every write path sends identical JSON.
- **await** (inline only): wait for each task; a failure raises a typed error whose
  `reason` is `task_failed` (with the Meilisearch `code`), `task_timeout`, `transport` or
  `http_error`. With an outbox configured, work that failed in a way a retry could cure is
  first recorded there as retryable jobs, and the error says so.

The first write for a model in a process ensures its index (see `scrypath.indexes`) and
waits for that one-time bootstrap in inline and manual modes; in queue mode the worker does.

`sync_records` takes records of one searchable model (subclasses share their base's
declaration); records of several models are refused so each result names one index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import meilisearch
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from scrypath.config import Config, SyncMode
from scrypath.declaration import SearchSpec, spec_for
from scrypath.delivery import (
    DEFAULT_MAX_PAYLOAD_BYTES,
    send_deletes,
    send_upserts,
    sized_bodies,
)
from scrypath.errors import BackendError, ConfigurationError
from scrypath.indexes import ensure_once
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.tasks import TaskRef, await_task
from scrypath.planning import Operation, Plan, plan_records
from scrypath.projection import document_id, validate_document_id
from scrypath.queue.enqueue import enqueue, job_rows, require_session
from scrypath.queue.recording import recordable, recorded
from scrypath.results import DocumentId, SyncResult, SyncStatus
from scrypath.telemetry import sync_call
from scrypath.verbs import resolve_for

WriteMode = Literal["inline", "manual"]


@dataclass(frozen=True, slots=True)
class _Target:
    spec: SearchSpec
    config: Config
    mode: WriteMode
    index: str
    client: meilisearch.Client


def sync_record(
    record: object,
    *,
    mode: SyncMode | None = None,
    session: Session | None = None,
    **overrides: Any,
) -> SyncResult:
    """Upsert one record's document, or delete it when `should_index` says no.

    Queue mode needs `session=`: the job joins that session's transaction.
    """
    return _sync("sync_record", (record,), mode, session, overrides)


def sync_records(
    records: Iterable[object],
    *,
    mode: SyncMode | None = None,
    session: Session | None = None,
    **overrides: Any,
) -> SyncResult:
    """Upsert the documents of records of one model, deleting those `should_index` rejects."""
    return _sync("sync_records", records, mode, session, overrides)


def _sync(
    verb: str,
    records: Iterable[object],
    mode: SyncMode | None,
    session: Session | None,
    overrides: dict[str, Any],
) -> SyncResult:
    config, chosen, queue_session = _call(verb, mode, session, overrides)
    items = list(_collection(records, "records", verb))
    if not items:
        return SyncResult(chosen, "noop", None)
    spec = _one_spec(items)
    if queue_session is not None:
        _flush_pending(queue_session, items)
    return _dispatch(spec, config, chosen, plan_records(spec, items), queue_session)


def delete_record(
    record: object,
    *,
    mode: SyncMode | None = None,
    session: Session | None = None,
    **overrides: Any,
) -> SyncResult:
    """Delete one record's document from its index (whatever `should_index` says)."""
    config, chosen, queue_session = _call("delete_record", mode, session, overrides)
    spec = spec_for(record)
    plan = Plan(deletes=(document_id(record, spec),))
    return _dispatch(spec, config, chosen, plan, queue_session)


def delete_documents(
    model: type[Any],
    ids: Iterable[object],
    *,
    mode: SyncMode | None = None,
    session: Session | None = None,
    **overrides: Any,
) -> SyncResult:
    """Delete documents of `model`'s index by id; ids are validated before any request.

    `ids` is a collection (a list, a tuple, a set, a generator): a lone string or bytes value
    is refused rather than taken apart character by character.
    """
    config, chosen, queue_session = _call("delete_documents", mode, session, overrides)
    spec = spec_for(model)
    values = _collection(ids, "ids", "delete_documents")
    checked = [validate_document_id(value, model=spec.model_name) for value in values]
    plan = Plan(deletes=tuple(dict.fromkeys(checked)))
    return _dispatch(spec, config, chosen, plan, queue_session)


def sync_plan(
    spec: SearchSpec,
    plan: Plan,
    *,
    mode: SyncMode | None = None,
    session: Session | None = None,
    **overrides: Any,
) -> SyncResult:
    """Send (or enqueue) a plan computed earlier, such as the changes ORM auto-sync saw."""
    config, chosen, queue_session = _call("sync", mode, session, overrides)
    return _dispatch(spec, config, chosen, plan, queue_session)


def enqueue_plan(
    spec: SearchSpec, config: Config, index: str, plan: Plan, session: Session
) -> SyncResult:
    """Queue mode: add the plan's jobs to `session`'s transaction; `accepted`, not sent."""
    rows = job_rows(spec, config, index, plan.upserts, plan.deletes)
    refs = enqueue(session, rows)
    return SyncResult("queue", "accepted", index, tuple(plan.upserts), plan.deletes, jobs=refs)


def _call(
    verb: str, mode: SyncMode | None, session: Session | None, overrides: dict[str, Any]
) -> tuple[Config, SyncMode, Session | None]:
    """A verb's configuration, its mode, and the session queue mode writes into."""
    config = resolve_for(verb, mode, overrides, ("mode", "session"))
    chosen = config.require_sync_mode()
    return config, chosen, require_session(session) if chosen == "queue" else None


def _collection(values: object, name: str, verb: str) -> Iterable[Any]:
    """`values` as the collection a verb takes, refusing a lone string, bytes or None."""
    if isinstance(values, str | bytes | bytearray | memoryview) or not isinstance(values, Iterable):
        shown = repr(values) if len(repr(values)) <= 60 else f"{repr(values)[:57]}..."
        raise ConfigurationError(
            f"{verb}() takes a collection of {name} (a list, tuple, set or generator), got "
            f"{type(values).__name__} {shown}; wrap a single value in a list",
            key=name,
        )
    return values


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


def _flush_pending(session: Session, records: list[object]) -> None:
    """Flush so records added to the session but not yet written get their ids."""
    for record in records:
        state = sa_inspect(record, raiseerr=False)
        if state is not None and getattr(state, "pending", False):
            session.flush()
            return


def _dispatch(
    spec: SearchSpec, config: Config, mode: SyncMode, plan: Plan, session: Session | None
) -> SyncResult:
    index = spec.index_name(config.index_prefix)
    if not plan:
        return SyncResult(mode, "noop", index)
    with sync_call(spec.model_name, index, mode, len(plan.upserts) + len(plan.deletes)) as call:
        if mode == "queue":
            assert session is not None  # require_session ran first
            result = enqueue_plan(spec, config, index, plan, session)
        else:
            result = _run(_Target(spec, config, mode, index, client_for(config)), plan)
        call.set(outcome=result.status, task_uid=result.task.uid if result.task else None)
        return result


def _run(target: _Target, plan: Plan) -> SyncResult:
    done: list[Operation] = []
    try:
        tasks = _deliver(target, plan, done)
    except BackendError as error:
        rewritten = _record_failure(target, plan.without(done), error)
        if rewritten is None:
            raise
        raise rewritten from error
    status: SyncStatus = "accepted" if target.mode == "manual" else "completed"
    return SyncResult(target.mode, status, target.index, tuple(plan.upserts), plan.deletes, tasks)


def _deliver(target: _Target, plan: Plan, done: list[Operation]) -> tuple[TaskRef, ...]:
    """Ensure the index, submit, and (inline) await; `done` collects confirmed operations."""
    if target.config.ensure_index_on_first_sync:
        ensure_once(target.spec, target.config, target.index, mode=target.mode)
    sent = _submit(target, plan)
    if target.mode == "manual":
        return tuple(task for _, task in sent)
    awaited: list[TaskRef] = []
    left = Counter(operation for operation, _ in sent)
    for operation, task in sent:
        awaited.append(_await(target, operation, task))
        left[operation] -= 1
        if not left[operation]:
            done.append(operation)
    return tuple(awaited)


def _record_failure(target: _Target, rest: Plan, error: BackendError) -> BackendError | None:
    """With an outbox configured, record inline work a retry could deliver; else None."""
    config = target.config
    if target.mode != "inline" or config.outbox is None or not rest or not recordable(error):
        return None
    rows = job_rows(target.spec, config, target.index, rest.upserts, rest.deletes)
    return recorded(error, config, rows)


def _submit(target: _Target, plan: Plan) -> list[tuple[Operation, TaskRef]]:
    """Send the upserts (one request, or as many as the size limit needs), then the deletes."""
    sent: list[tuple[Operation, TaskRef]] = [
        ("upsert", _upsert(target, body)) for body in _bodies(target, plan)
    ]
    if plan.deletes:
        sent.append(("delete", _delete(target, plan.deletes)))
    return sent


def _bodies(target: _Target, plan: Plan) -> list[bytes]:
    """Every upsert body, encoded before the first request so a document too large for one
    request fails the call before anything is sent."""
    model = target.spec.model_name
    return [body for _, body in sized_bodies(plan.upserts, DEFAULT_MAX_PAYLOAD_BYTES, model=model)]


def _upsert(target: _Target, body: bytes) -> TaskRef:
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
