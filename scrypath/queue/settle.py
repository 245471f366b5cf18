"""Writing a job's outcome, only while the worker still holds its lease.

Every update is conditional on the job still executing under this worker's lease: if the
lease expired and another worker took the job over, the late outcome is dropped, so a job
is settled exactly once. Times are the database's.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from dataclasses import replace

from sqlalchemy import Connection, Update, update

from scrypath.queue.backoff import Backoff
from scrypath.queue.database import database_time
from scrypath.queue.jobs import Job, JobError, JobState, exhausted
from scrypath.queue.table import jobs


def complete(
    connection: Connection, owner: str, ids: Iterable[int], now: dt.datetime | None = None
) -> set[int]:
    """Mark `ids` completed; the ids this worker still held."""
    return _finish(connection, owner, list(ids), now, superseded_by=None)


def supersede(
    connection: Connection,
    owner: str,
    replaced: Mapping[int, int],
    now: dt.datetime | None = None,
) -> set[int]:
    """Complete each job of `replaced` as superseded by the job it maps to."""
    done: set[int] = set()
    by_newer: dict[int, list[int]] = {}
    for job_id, newer in replaced.items():
        by_newer.setdefault(newer, []).append(job_id)
    for newer, ids in by_newer.items():
        done |= _finish(connection, owner, ids, now, superseded_by=newer)
    return done


def _finish(
    connection: Connection,
    owner: str,
    ids: list[int],
    now: dt.datetime | None,
    superseded_by: int | None,
) -> set[int]:
    if not ids:
        return set()
    statement = (
        _held(owner, ids)
        .values(
            state=JobState.COMPLETED.value,
            completed_at=database_time(connection, now=now),
            lease_expires_at=None,
            superseded_by=superseded_by,
        )
        .returning(jobs.c.id)
    )
    return {int(job_id) for job_id in connection.execute(statement).scalars()}


def fail(
    connection: Connection,
    owner: str,
    job: Job,
    entry: JobError,
    backoff: Backoff,
    rng: random.Random | None = None,
    now: dt.datetime | None = None,
) -> tuple[JobState, JobError, dt.datetime | None] | None:
    """Record a failed attempt: retryable after a backoff (counted from `now`, default the
    database's time), or discarded when exhausted.

    Returns the new state, the error it was recorded with and the next attempt time, or None
    when the lease was lost.
    """
    if job.attempt >= job.max_attempts:
        return discard(connection, owner, job, entry, exhausted(entry, job.max_attempts))
    delay = backoff.delay(job.attempt, rng)
    values = {
        "state": JobState.RETRYABLE.value,
        "scheduled_at": database_time(connection, after=delay, now=now),
        "lease_expires_at": None,
        "errors": _errors(job, (entry,)),
    }
    statement = _held(owner, [job.id]).values(**values).returning(jobs.c.scheduled_at)
    retry_at = connection.execute(statement).scalar()
    return None if retry_at is None else (JobState.RETRYABLE, entry, retry_at)


def discard(
    connection: Connection, owner: str, job: Job, *entries: JobError, attempt: int | None = None
) -> tuple[JobState, JobError, None] | None:
    """Give up on a job without another attempt; the last entry says why. `attempt`
    corrects the count when the claim that found the job attempted nothing."""
    values = _stopped(connection, JobState.DISCARDED, job, entries)
    if attempt is not None:
        values["attempt"] = attempt
    if not _apply(connection, owner, job, values):
        return None
    return (JobState.DISCARDED, entries[-1], None)


def cancel(connection: Connection, owner: str, job: Job, entry: JobError) -> bool:
    """Cancel a job that can never succeed (an invalid payload, say): it is never retried."""
    values = _stopped(connection, JobState.CANCELLED, job, (entry,))
    return _apply(connection, owner, job, values)


def record(connection: Connection, owner: str, job: Job, entry: JobError) -> Job | None:
    """Add `entry` to a job still held (an attempt that was lost, say); the updated job."""
    errors = (*job.errors, entry)
    values: dict[str, object] = {"errors": [error.to_json() for error in errors]}
    if not _apply(connection, owner, job, values):
        return None
    return replace(job, errors=errors)


def _stopped(
    connection: Connection, state: JobState, job: Job, entries: tuple[JobError, ...]
) -> dict[str, object]:
    return {
        "state": state.value,
        "completed_at": database_time(connection),
        "lease_expires_at": None,
        "errors": _errors(job, entries),
    }


def _errors(job: Job, entries: tuple[JobError, ...]) -> list[dict[str, object]]:
    return [error.to_json() for error in (*job.errors, *entries)]


def _apply(connection: Connection, owner: str, job: Job, values: dict[str, object]) -> bool:
    statement = _held(owner, [job.id]).values(**values)
    return bool(connection.execute(statement).rowcount)


def _held(owner: str, ids: list[int]) -> Update:
    return update(jobs).where(
        jobs.c.id.in_(ids),
        jobs.c.lease_owner == owner,
        jobs.c.state == JobState.EXECUTING.value,
    )
