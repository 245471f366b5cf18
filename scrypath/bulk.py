"""Backfill: stream a model's rows into its index in keyset-paginated batches.

One batch runs as named stages: **read** (`pk > last ORDER BY pk LIMIT n`, never OFFSET,
in a fresh session that is closed afterwards, so no ORM object outlives its batch) ->
**plan** (indexable rows become encoded documents, the others become deletes, so a row
that stopped qualifying leaves the index) -> **send** (documents split so that no request
body exceeds `max_payload_bytes`) -> **await** (inline mode only) -> **recheck** (optional:
re-read the batch's key range and re-send what changed meanwhile, until it holds still).
The next page is read while Meilisearch works on the batch just sent, so at most two
batches are held at once.

The first failure stops the run with a `BackfillError` naming the last committed key:
in inline mode the last key whose batch Meilisearch reported succeeded, in manual mode the
last key whose batch Meilisearch accepted. `backfill(Model, after=error.resume_after)`
continues from there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, NoReturn

import meilisearch
from sqlalchemy import Select, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute, Session

from scrypath.config import Config
from scrypath.database_errors import error_text
from scrypath.declaration import SearchSpec, spec_for
from scrypath.delivery import DEFAULT_MAX_PAYLOAD_BYTES as DEFAULT_MAX_PAYLOAD_BYTES
from scrypath.delivery import (
    send_deletes,
    send_upserts,
    sized_bodies,
)
from scrypath.errors import BackfillError, ConfigurationError, ScrypathError
from scrypath.indexes import ensure_once, index_for
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.tasks import TaskRef, await_task
from scrypath.planning import Plan as DocumentPlan
from scrypath.planning import plan_records
from scrypath.projection import encode_value, is_indexable
from scrypath.recheck import MAX_ROUNDS as MAX_RECHECK_ROUNDS
from scrypath.recheck import Unsettled, recheck
from scrypath.results import DocumentId
from scrypath.telemetry import span
from scrypath.verbs import resolve_for

BackfillMode = Literal["inline", "manual"]
DEFAULT_BATCH_SIZE = 1000


@dataclass(frozen=True, slots=True)
class BackfillProgress:
    """How far a backfill got: given to the progress callback after every batch."""

    index: str
    batches: int = 0
    documents: int = 0
    deleted: int = 0
    last_key: Any = None
    elapsed: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "batches": self.batches,
            "documents": self.documents,
            "deleted": self.deleted,
            "last_key": encode_value(self.last_key),
            "elapsed": self.elapsed,
        }


@dataclass(frozen=True, slots=True)
class BackfillResult:
    """What a backfill sent: `completed` (inline: every task succeeded) or `accepted` (manual).

    `documents` counts documents sent (re-sends by a recheck included), `deleted` the ids
    sent for deletion, `last_key` the last primary key read (None for an empty table).
    """

    model: str
    index: str
    mode: BackfillMode
    status: Literal["completed", "accepted"]
    batches: int
    documents: int
    deleted: int
    last_key: Any
    tasks: tuple[TaskRef, ...]
    elapsed: float

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "index": self.index,
            "mode": self.mode,
            "status": self.status,
            "batches": self.batches,
            "documents": self.documents,
            "deleted": self.deleted,
            "last_key": encode_value(self.last_key),
            "tasks": [task.to_json() for task in self.tasks],
            "elapsed": self.elapsed,
        }


@dataclass(frozen=True, slots=True)
class Keyset:
    """Keyset pagination over a statement on the model's single-column primary key."""

    statement: Select[Any]
    key: InstrumentedAttribute[Any]

    def page(self, after: Any, limit: int) -> Select[Any]:
        """The rows after `after` (all rows when None), in key order, at most `limit`."""
        return self._after(after).order_by(self.key).limit(limit)

    def span(self, after: Any, last: Any) -> Select[Any]:
        """The rows after `after` up to and including `last`, in key order."""
        return self._after(after).where(self.key <= last).order_by(self.key)

    def _after(self, after: Any) -> Select[Any]:
        statement = self.statement.order_by(None)
        return statement if after is None else statement.where(self.key > after)


@dataclass(frozen=True, slots=True)
class Batch:
    """One page read and planned: documents by id, ids to delete, its key range."""

    after: Any
    last_key: Any
    upserts: Mapping[DocumentId, dict[str, Any]]
    deletes: tuple[DocumentId, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """A resolved backfill: where rows come from, where documents go, and how."""

    spec: SearchSpec
    config: Config
    client: meilisearch.Client
    index: str
    mode: BackfillMode
    keyset: Keyset
    sessions: Callable[[], Session]
    batch_size: int
    max_payload_bytes: int
    recheck: bool


def backfill(
    model: type[Any],
    *,
    statement: Select[Any] | None = None,
    index: str | None = None,
    mode: BackfillMode | None = None,
    session: Session | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
    after: Any = None,
    recheck: bool = False,
    progress: Callable[[BackfillProgress], None] | None = None,
    **overrides: Any,
) -> BackfillResult:
    """Send every row of `model` (or of `statement`, a `select(model)...`) to its index.

    `mode` is `inline` (the default: each batch awaited) or `manual`; `sync_mode=` is the
    same keyword, as on the sync verbs. `index` names another index than the live one (the
    live one is ensured first). `after` resumes past a primary key. `recheck` closes the race
    with writers that change rows while the backfill runs, at the cost of reading every batch
    twice. Rows are read through `session`'s connection when given (seeing its uncommitted
    rows), else through the configured `session_factory`.
    """
    plan = plan_backfill(
        model,
        statement=statement,
        index=index,
        mode=mode,
        session=session,
        batch_size=batch_size,
        max_payload_bytes=max_payload_bytes,
        recheck=recheck,
        **overrides,
    )
    if index is None and plan.config.ensure_index_on_first_sync:
        ensure_once(plan.spec, plan.config, plan.index)
    return run_backfill(plan, after=after, progress=progress)


def plan_backfill(
    model: type[Any],
    *,
    statement: Select[Any] | None = None,
    index: str | None = None,
    mode: BackfillMode | None = None,
    session: Session | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
    recheck: bool = False,
    verb: str = "backfill",
    modes: tuple[BackfillMode, ...] = ("inline", "manual"),
    **overrides: Any,
) -> Plan:
    """Check the arguments and resolve everything a backfill run needs (`verb` names the
    root verb in errors; `modes` are the modes it takes). Only an explicit `mode=` or
    `sync_mode=` counts: the configured sync mode is for the sync verbs."""
    spec = spec_for(model)
    explicit = mode is not None or "sync_mode" in overrides
    config = resolve_for(verb, mode, overrides, _OPTIONS[verb])
    chosen = _mode(spec, verb, modes, config.sync_mode if explicit else "inline")
    _check_options(spec, verb, batch_size, max_payload_bytes)
    return Plan(
        spec=spec,
        config=config,
        client=client_for(config),
        index=index or index_for(spec, config),
        mode=chosen,
        keyset=keyset_for(spec, statement),
        sessions=_sessions(session, config),
        batch_size=batch_size,
        max_payload_bytes=max_payload_bytes,
        recheck=recheck,
    )


_BACKFILL_OPTIONS = (
    "statement",
    "index",
    "mode",
    "session",
    "batch_size",
    "max_payload_bytes",
    "after",
    "recheck",
    "progress",
)
_OPTIONS = {
    "backfill": _BACKFILL_OPTIONS,
    "reindex": (
        *(option for option in _BACKFILL_OPTIONS if option not in ("statement", "index", "after")),
        "keep_old",
        "takeover",
        "allow_partial_ranking_rules",
        "grace_period",
    ),
}


def _sessions(session: Session | None, config: Config) -> Callable[[], Session]:
    """Where batches are read: `session`'s connection (its transaction, its uncommitted
    rows), else the configured factory."""
    if session is None:
        return config.require_session_factory()
    if not isinstance(session, Session):
        raise ConfigurationError(
            f"backfill(session=...): expected a SQLAlchemy Session, got {type(session).__name__}",
            key="session",
        )
    return lambda: Session(bind=session.connection(), autoflush=False)


def _mode(
    spec: SearchSpec, verb: str, modes: tuple[BackfillMode, ...], mode: object
) -> BackfillMode:
    for allowed in modes:
        if mode == allowed:
            return allowed
    expected = " or ".join(repr(allowed) for allowed in modes)
    raise ConfigurationError(
        f"{verb}(): mode must be {expected}, got {mode!r}", key="mode", model=spec.model_name
    )


def _check_options(spec: SearchSpec, verb: str, batch_size: object, max_bytes: object) -> None:
    def refuse(key: str, message: str) -> NoReturn:
        raise ConfigurationError(f"{verb}(): {message}", key=key, model=spec.model_name)

    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        refuse("batch_size", f"batch_size must be a whole number >= 1, got {batch_size!r}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 64:
        refuse("max_payload_bytes", f"max_payload_bytes must be >= 64, got {max_bytes!r}")


def keyset_for(spec: SearchSpec, statement: Select[Any] | None) -> Keyset:
    """Keyset pagination for the model, over `statement` when one is given."""
    mapper = sa_inspect(spec.model)
    if len(mapper.primary_key) != 1:
        raise ConfigurationError(
            f"backfill pages on a single-column primary key; {spec.model_name} has "
            f"{len(mapper.primary_key)} columns",
            key="model",
            model=spec.model_name,
        )
    key: InstrumentedAttribute[Any] = getattr(
        spec.model, mapper.get_property_by_column(mapper.primary_key[0]).key
    )
    if statement is None:
        return Keyset(select(spec.model), key)
    _check_statement(spec, statement)
    return Keyset(statement, key)


def _check_statement(spec: SearchSpec, statement: object) -> None:
    def refuse(message: str) -> NoReturn:
        raise ConfigurationError(f"backfill: {message}", key="statement", model=spec.model_name)

    if not isinstance(statement, Select):
        refuse(f"statement must be a select({spec.model_name}), got {type(statement).__name__}")
    entities = [item.get("entity") for item in statement.column_descriptions]
    if len(entities) != 1 or not isinstance(entities[0], type):
        refuse(f"statement must select exactly one entity, {spec.model_name}")
    if not issubclass(entities[0], spec.model):
        refuse(f"statement selects {entities[0].__name__}, not {spec.model_name}")
    limited = getattr(statement, "_limit_clause", None) is not None
    if limited or getattr(statement, "_offset_clause", None) is not None:
        refuse("statement must not have LIMIT or OFFSET; backfill pages by primary key itself")


def run_backfill(
    plan: Plan,
    *,
    after: Any = None,
    progress: Callable[[BackfillProgress], None] | None = None,
) -> BackfillResult:
    """Run a resolved backfill batch by batch; the first failure raises `BackfillError`."""
    model, mode = plan.spec.model_name, plan.mode
    with span("scrypath.backfill", model=model, index=plan.index, mode=mode) as traced:
        result = _run_backfill(plan, after, progress)
        documents = result.documents + result.deleted
        traced.set(outcome=result.status, document_count=documents, batch_count=result.batches)
        return result


def _run_backfill(
    plan: Plan, after: Any, progress: Callable[[BackfillProgress], None] | None
) -> BackfillResult:
    started = time.monotonic()
    state = BackfillProgress(plan.index, last_key=after)
    tasks: list[TaskRef] = []
    try:
        following = read_batch(plan, after)
        while following is not None:
            batch = following
            submitted = send_documents(plan, batch.upserts, batch.deletes)
            following = read_batch(plan, batch.last_key)
            sent, deleted, batch_tasks = complete_batch(plan, batch, submitted)
            tasks += batch_tasks
            state = replace(
                state,
                batches=state.batches + 1,
                documents=state.documents + sent,
                deleted=state.deleted + deleted,
                last_key=batch.last_key,
                elapsed=time.monotonic() - started,
            )
            if progress is not None:
                progress(state)
    except (ScrypathError, SQLAlchemyError, Unsettled) as error:
        raise stopped(plan, state, error) from error
    status: Literal["completed", "accepted"] = "completed" if plan.mode == "inline" else "accepted"
    return BackfillResult(
        plan.spec.model_name,
        plan.index,
        plan.mode,
        status,
        state.batches,
        state.documents,
        state.deleted,
        state.last_key,
        tuple(tasks),
        time.monotonic() - started,
    )


def read_batch(plan: Plan, after: Any) -> Batch | None:
    """Read the next page after `after` and plan it; None when no rows are left."""
    with plan.sessions() as session:
        records = session.scalars(plan.keyset.page(after, plan.batch_size)).all()
        if not records:
            return None
        last_key = getattr(records[-1], plan.keyset.key.key)
        planned = plan_records(plan.spec, records)
    return Batch(after, last_key, planned.upserts, planned.deletes)


def complete_batch(
    plan: Plan, batch: Batch, submitted: list[TaskRef]
) -> tuple[int, int, list[TaskRef]]:
    """Await a sent batch and recheck it; returns documents sent, ids deleted and tasks."""
    tasks = await_all(plan, submitted)
    sent, deleted = len(batch.upserts), len(batch.deletes)
    if plan.recheck:
        more_sent, more_deleted, more_tasks = recheck_batch(plan, batch)
        sent, deleted, tasks = sent + more_sent, deleted + more_deleted, tasks + more_tasks
    return sent, deleted, tasks


def send_documents(
    plan: Plan, upserts: Mapping[DocumentId, dict[str, Any]], deletes: Sequence[DocumentId]
) -> list[TaskRef]:
    """Send documents in size-bounded requests and the deletes in one request."""
    context = {"model": plan.spec.model_name, "mode": plan.mode}
    tasks = [
        send_upserts(plan.client, plan.index, plan.spec.document_id, body, **context)
        for body in payloads(upserts, plan.max_payload_bytes, plan.spec)
    ]
    if deletes:
        tasks.append(send_deletes(plan.client, plan.index, list(deletes), **context))
    return tasks


def await_all(plan: Plan, tasks: list[TaskRef]) -> list[TaskRef]:
    """Wait for each task in inline mode (polling at a steady pace); manual mode returns."""
    if plan.mode == "manual":
        return tasks
    context = {"model": plan.spec.model_name, "mode": plan.mode}
    waiting = replace(plan.config, max_poll_interval=plan.config.poll_interval)
    return [
        await_task(plan.client, task, waiting, timeout=plan.config.bulk_task_timeout, **context)
        for task in tasks
    ]


def payloads(
    documents: Mapping[DocumentId, dict[str, Any]], limit: int, spec: SearchSpec
) -> Iterator[bytes]:
    """Request bodies for the documents, none over `limit` bytes: one body when it fits."""
    for _, body in sized_bodies(documents, limit, model=spec.model_name):
        yield body


def recheck_batch(plan: Plan, batch: Batch) -> tuple[int, int, list[TaskRef]]:
    """Re-read the batch's key range and re-send what changed since it was read (see
    `scrypath.recheck`); returns documents and deletions re-sent, and their tasks."""
    tasks: list[TaskRef] = []

    def send(changed: DocumentPlan) -> None:
        tasks.extend(await_all(plan, send_documents(plan, changed.upserts, changed.deletes)))

    sent = DocumentPlan(batch.upserts, batch.deletes)
    try:
        resent = recheck(lambda: read_span(plan, batch.after, batch.last_key), sent, send)
    except Unsettled:
        raise Unsettled(
            f"rows between keys {batch.after!r} and {batch.last_key!r} kept changing through "
            f"{MAX_RECHECK_ROUNDS} rechecks; run again when writes are quieter"
        ) from None
    return len(resent.upserts), len(resent.deletes), tasks


def read_span(plan: Plan, after: Any, last: Any) -> DocumentPlan:
    """The plan of the rows after `after` up to `last`, read afresh."""
    with plan.sessions() as session:
        records = session.scalars(plan.keyset.span(after, last)).all()
        return plan_records(plan.spec, records)


def count_indexable(plan: Plan) -> int:
    """How many rows of the plan's statement belong in the index (streamed when a
    `should_index` hook has to decide)."""
    if plan.spec.should_index is None:
        counted = plan.keyset.statement.order_by(None).subquery()
        with plan.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(counted)) or 0)
    total, after = 0, None
    while True:
        with plan.sessions() as session:
            records = session.scalars(plan.keyset.page(after, plan.batch_size)).all()
            if not records:
                return total
            total += sum(1 for record in records if is_indexable(record, plan.spec))
            after = getattr(records[-1], plan.keyset.key.key)


def stopped(plan: Plan, state: BackfillProgress, error: BaseException) -> BackfillError:
    """The error that says how far a failed backfill got and how to resume it."""
    if isinstance(error, ScrypathError):
        reason = error.reason
    else:
        reason = "unsettled" if isinstance(error, Unsettled) else "database"
    resume = (
        f"resume with backfill({plan.spec.model_name}, after={state.last_key!r})"
        if state.last_key is not None
        else f"nothing was committed; run backfill({plan.spec.model_name}) again"
    )
    return BackfillError(
        f"backfill of {plan.spec.model_name} into {plan.index!r} stopped after "
        f"{state.batches} batches ({state.documents} documents, {state.deleted} deletions): "
        f"{error_text(error)}; {resume}",
        model=plan.spec.model_name,
        index=plan.index,
        batches=state.batches,
        documents=state.documents,
        deleted=state.deleted,
        last_key=state.last_key,
        cause=reason,
    )
