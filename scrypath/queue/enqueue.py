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
from scrypath.delivery import DEFAULT_MAX_PAYLOAD_BYTES, sized_bodies
from scrypath.errors import BackendError, ConfigurationError
from scrypath.queue.backoff import Backoff
from scrypath.queue.database import (
    database_time,
    outbox_call,
    outbox_engine,
    require_installed,
    utcnow,
)
from scrypath.queue.jobs import JobError, JobRef, JobState, Operation, exhausted, job_error
from scrypath.queue.payload import Encoded, encode_deletes, encode_upserts, model_reference
from scrypath.queue.table import jobs
from scrypath.results import DocumentId

Row = dict[str, Any]

MAX_JOB_BYTES = DEFAULT_MAX_PAYLOAD_BYTES
"""The largest upsert payload one job holds: what one request may carry."""


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
    now: dt.datetime | None = None,
) -> list[Row]:
    """The rows for one plan: upsert jobs (one, or as many as the request size limit needs)
    and one delete job. Times are the database's at insert unless `now` pins them."""
    require_importable(spec)
    limit = MAX_JOB_BYTES
    parts: list[tuple[Operation, Encoded]] = [
        ("upsert", encode_upserts(ids, body))
        for ids, body in sized_bodies(upserts, limit, model=spec.model_name)
    ]
    if deletes:
        parts.append(("delete", encode_deletes(deletes)))
    return [_row(spec, config, index, operation, encoded, now) for operation, encoded in parts]


def require_importable(spec: SearchSpec) -> None:
    """Refuse queue work a worker could never load: a model declared in `__main__`."""
    if spec.model.__module__ == "__main__":
        raise ConfigurationError(
            f"{spec.model_name} is declared in __main__ (the script being run), so a worker "
            "process cannot import it and would cancel its jobs as an unknown model; declare "
            "searchable models in an importable module and import them from the script",
            key="model",
            model=spec.model_name,
        )


def _row(
    spec: SearchSpec,
    config: Config,
    index: str,
    operation: Operation,
    encoded: Encoded,
    now: dt.datetime | None,
) -> Row:
    row: Row = {
        "operation": operation,
        "model": model_reference(spec.model),
        "index_uid": index,
        "payload": encoded.payload,
        "document_ids": encoded.document_ids,
        "document_count": encoded.document_count,
        "state": JobState.AVAILABLE.value,
        "attempt": 0,
        "max_attempts": config.queue_max_attempts,
        "errors": [],
    }
    if now is not None:
        row.update(inserted_at=now, scheduled_at=now)
    return row


def enqueue(session: Session, rows: Sequence[Row]) -> tuple[JobRef, ...]:
    """Add `rows` to the session's transaction in one insert; nothing is committed here."""
    if not rows:
        return ()
    connection = session.connection()
    require_installed(connection)
    return insert_rows(connection, rows)


def insert_rows(
    connection: Connection, rows: Sequence[Row], *, delay: float = 0.0
) -> tuple[JobRef, ...]:
    """One bulk insert of `rows` on `connection`; the job references, in row order. Rows
    without times get the database's, due `delay` seconds from now."""
    statement = _insert(connection)
    if "scheduled_at" not in rows[0]:
        statement = statement.values(
            inserted_at=database_time(connection),
            scheduled_at=database_time(connection, after=delay),
        )
    with outbox_call(connection.engine, "enqueue jobs"):
        ids = connection.execute(statement, list(rows)).scalars().all()
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
    delay = Backoff.from_config(config).delay(1)
    failed = [_as_failed(row, entry) for row in rows]
    engine = outbox_engine(config)
    with outbox_call(engine, "record failed work"), engine.begin() as connection:
        require_installed(connection)
        return insert_rows(connection, failed, delay=delay)


def _as_failed(row: Row, entry: JobError) -> Row:
    errors = [entry.to_json()]
    state = JobState.RETRYABLE
    if row["max_attempts"] <= 1:
        state = JobState.DISCARDED
        errors.append(exhausted(entry, row["max_attempts"]).to_json())
    return {**row, "state": state.value, "attempt": 1, "attempted_at": entry.at, "errors": errors}
