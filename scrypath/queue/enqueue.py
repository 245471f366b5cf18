"""Writing jobs: into the caller's session (queue mode), or into the outbox after an inline
failure.

Queue mode adds its rows to the application's own transaction, in one bulk insert per call:
the application's commit makes them durable and a rollback drops them, so a committed record
always has its search work recorded and a rolled-back one never does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from scrypath.config import Config
from scrypath.declaration import SearchSpec
from scrypath.errors import BackendError, ConfigurationError
from scrypath.queue.backoff import Backoff
from scrypath.queue.database import outbox_call, outbox_engine, require_installed, utcnow
from scrypath.queue.jobs import JobError, JobRef, JobState, Operation, exhausted, job_error
from scrypath.queue.payload import Encoded, encode_deletes, encode_upserts, model_reference
from scrypath.queue.table import jobs
from scrypath.results import DocumentId

Row = dict[str, Any]


def require_session(session: object, *, model: str | None = None) -> Session:
    """The caller's Session, or a ConfigurationError saying why queue mode needs one."""
    if isinstance(session, Session):
        return session
    given = "no session" if session is None else f"a {type(session).__name__}"
    raise ConfigurationError(
        f"queue mode adds its jobs to your transaction, so it needs your SQLAlchemy Session: "
        f"pass session=session (got {given})",
        key="session",
        model=model,
    )


def job_rows(
    spec: SearchSpec,
    config: Config,
    index: str,
    upserts: Mapping[DocumentId, Mapping[str, Any]],
    deletes: Sequence[DocumentId],
    *,
    now: dt.datetime,
) -> list[Row]:
    """The rows for one plan: one job for the upserts and one for the deletes, when any."""
    parts: list[tuple[Operation, Encoded]] = []
    if upserts:
        parts.append(("upsert", encode_upserts(spec, list(upserts.values()))))
    if deletes:
        parts.append(("delete", encode_deletes(deletes)))
    return [_row(spec, config, index, operation, encoded, now) for operation, encoded in parts]


def _row(
    spec: SearchSpec,
    config: Config,
    index: str,
    operation: Operation,
    encoded: Encoded,
    now: dt.datetime,
) -> Row:
    return {
        "operation": operation,
        "model": model_reference(spec.model),
        "index_uid": index,
        "payload": encoded.payload,
        "document_ids": encoded.document_ids,
        "document_count": encoded.document_count,
        "state": JobState.AVAILABLE.value,
        "attempt": 0,
        "max_attempts": config.queue_max_attempts,
        "inserted_at": now,
        "scheduled_at": now,
        "errors": [],
    }


def enqueue(session: Session, rows: Sequence[Row]) -> tuple[JobRef, ...]:
    """Add `rows` to the session's transaction in one insert; nothing is committed here."""
    if not rows:
        return ()
    connection = session.connection()
    require_installed(connection)
    return insert_rows(connection, rows)


def insert_rows(connection: Connection, rows: Sequence[Row]) -> tuple[JobRef, ...]:
    """One bulk insert of `rows` on `connection`; the job references, in row order."""
    with outbox_call(connection.engine, "enqueue jobs"):
        ids = connection.execute(_insert(connection), list(rows)).scalars().all()
    return tuple(
        JobRef(
            int(job_id),
            row["operation"],
            row["index_uid"],
            row["document_count"],
            JobState(row["state"]),
        )
        for job_id, row in zip(sorted(ids), rows, strict=True)
    )


def _insert(connection: Connection) -> ReturningInsert[int]:
    """A bulk insert returning ids in row order, as one statement on every database.

    SQLite assigns rowids in row order within one statement, but SQLAlchemy would split an
    order-sorted insert into one statement per row there; PostgreSQL sorts in one statement.
    """
    ordered = connection.dialect.name != "sqlite"
    return insert(jobs).returning(jobs.c.id, sort_by_parameter_order=ordered)


def record_failure(config: Config, rows: Sequence[Row], error: BackendError) -> tuple[JobRef, ...]:
    """Record work an inline call could not deliver as retryable jobs, in their own commit.

    The inline attempt counts as attempt 1, so the job waits out the first backoff step.
    """
    now = utcnow()
    entry = job_error(error, attempt=1, at=now)
    retry_at = Backoff.from_config(config).next_at(1, now)
    failed = [_as_failed(row, entry, retry_at) for row in rows]
    engine = outbox_engine(config)
    with outbox_call(engine, "record failed work"), engine.begin() as connection:
        require_installed(connection)
        return insert_rows(connection, failed)


def _as_failed(row: Row, entry: JobError, retry_at: dt.datetime) -> Row:
    errors = [entry.to_json()]
    state = JobState.RETRYABLE
    if row["max_attempts"] <= 1:
        state = JobState.DISCARDED
        errors.append(exhausted(entry, row["max_attempts"]).to_json())
    return {
        **row,
        "state": state.value,
        "attempt": 1,
        "attempted_at": entry.at,
        "scheduled_at": retry_at,
        "errors": errors,
    }
