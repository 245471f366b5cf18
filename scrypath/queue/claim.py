"""Claiming due jobs under a lease, safely for each database's concurrency model.

A claim is one `UPDATE ... WHERE id IN (SELECT ...) RETURNING` statement, in its own
transaction: it moves up to `limit` due jobs (oldest first) to `executing`, counts the
attempt and stamps the lease. A job is due when it waits and its `scheduled_at` has passed,
or when it is executing under a lease that expired (its worker died or stalled mid-batch).
Every time is the database's (see `scrypath.queue.database.database_time`).

- **PostgreSQL**: the inner SELECT takes `FOR UPDATE SKIP LOCKED`, so concurrent workers
  skip each other's rows and never claim the same job.
- **SQLite**: one writer at a time; the single statement runs under the database write lock,
  so two claims cannot interleave.

A lease is only as good as its last renewal: `renew` returns the jobs the worker still
holds, and a worker sends nothing for a job it no longer holds.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Connection, and_, or_, select, update

from scrypath.queue.database import database_time, require_dialect
from scrypath.queue.jobs import WAITING_STATES, Job, JobState
from scrypath.queue.table import jobs


def claim(
    connection: Connection,
    *,
    owner: str,
    limit: int,
    lease_seconds: float,
    now: dt.datetime | None = None,
) -> list[Job]:
    """Claim up to `limit` due jobs for `owner`, oldest first."""
    current = database_time(connection, now=now)
    due = select(jobs.c.id).where(_due(current)).order_by(jobs.c.id).limit(limit)
    if require_dialect(connection) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(jobs)
        .where(jobs.c.id.in_(due.scalar_subquery()))
        .values(
            state=JobState.EXECUTING.value,
            attempt=jobs.c.attempt + 1,
            attempted_at=current,
            lease_owner=owner,
            lease_expires_at=database_time(connection, after=lease_seconds, now=now),
        )
        .returning(*jobs.c)
    )
    rows = connection.execute(statement).mappings().all()
    return sorted((Job.from_row(row) for row in rows), key=lambda job: job.id)


def _due(now: ColumnElement[dt.datetime]) -> ColumnElement[bool]:
    waiting = and_(
        jobs.c.state.in_([state.value for state in WAITING_STATES]),
        jobs.c.scheduled_at <= now,
    )
    orphaned = and_(jobs.c.state == JobState.EXECUTING.value, jobs.c.lease_expires_at < now)
    return or_(waiting, orphaned)


def renew(
    connection: Connection,
    *,
    owner: str,
    ids: list[int],
    lease_seconds: float,
    now: dt.datetime | None = None,
) -> set[int]:
    """Extend `owner`'s lease on `ids` (still executing); the ids it still holds."""
    if not ids:
        return set()
    statement = (
        update(jobs)
        .where(
            jobs.c.id.in_(ids),
            jobs.c.lease_owner == owner,
            jobs.c.state == JobState.EXECUTING.value,
        )
        .values(lease_expires_at=database_time(connection, after=lease_seconds, now=now))
        .returning(jobs.c.id)
    )
    return {int(job_id) for job_id in connection.execute(statement).scalars()}
