"""Writing a job's outcome, only while the worker still holds its lease.

Every update is conditional on the job still executing under this worker's lease: if the
lease expired and another worker took the job over, the late outcome is dropped, so a job
is settled exactly once.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, Update, update

from scrypath.queue.backoff import Backoff
from scrypath.queue.jobs import Job, JobError, JobState, exhausted
from scrypath.queue.table import jobs


def complete(connection: Connection, owner: str, ids: Iterable[int], now: dt.datetime) -> set[int]:
    """Mark `ids` completed; the ids this worker still held."""
    return _finish(connection, owner, list(ids), now, superseded_by=None)


def supersede(
    connection: Connection, owner: str, replaced: Mapping[int, int], now: dt.datetime
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
    connection: Connection, owner: str, ids: list[int], now: dt.datetime, superseded_by: int | None
) -> set[int]:
    if not ids:
        return set()
    statement = (
        _held(owner, ids)
        .values(
            state=JobState.COMPLETED.value,
            completed_at=now,
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
) -> tuple[JobState, JobError, dt.datetime | None] | None:
    """Record a failed attempt: retryable after a backoff, or discarded when exhausted.

    Returns the new state, the error it was recorded with and the next attempt time, or None
    when the lease was lost.
    """
    if job.attempt >= job.max_attempts:
        final = exhausted(entry, job.max_attempts)
        values = _stopped(JobState.DISCARDED, job, (entry, final), entry.at)
        return (JobState.DISCARDED, final, None) if _apply(connection, owner, job, values) else None
    retry_at = backoff.next_at(job.attempt, entry.at, rng)
    values = {
        "state": JobState.RETRYABLE.value,
        "scheduled_at": retry_at,
        "lease_expires_at": None,
        "errors": _errors(job, (entry,)),
    }
    return (JobState.RETRYABLE, entry, retry_at) if _apply(connection, owner, job, values) else None


def discard(connection: Connection, owner: str, job: Job, entry: JobError) -> bool:
    """Give up on a job without another attempt (its final attempt's lease expired); its
    attempt count stays at the maximum, since the reclaim itself attempted nothing."""
    values = {
        **_stopped(JobState.DISCARDED, job, (entry,), entry.at),
        "attempt": job.max_attempts,
    }
    return _apply(connection, owner, job, values)


def cancel(connection: Connection, owner: str, job: Job, entry: JobError) -> bool:
    """Cancel a job whose payload is invalid: it is never retried."""
    values = _stopped(JobState.CANCELLED, job, (entry,), entry.at)
    return _apply(connection, owner, job, values)


def _stopped(
    state: JobState, job: Job, entries: tuple[JobError, ...], now: dt.datetime
) -> dict[str, object]:
    return {
        "state": state.value,
        "completed_at": now,
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
