"""Claiming due jobs under a lease, safely for each database's concurrency model.

A claim is one `UPDATE ... WHERE id IN (SELECT ...) RETURNING` statement, in its own
transaction: it moves up to `limit` due jobs (oldest first) to `executing`, counts the
attempt and stamps the lease. A job is due when it waits and its `scheduled_at` has passed,
or when it is executing under a lease that expired (its worker died mid-batch).

- **PostgreSQL**: the inner SELECT takes `FOR UPDATE SKIP LOCKED`, so concurrent workers
  skip each other's rows and never claim the same job.
- **SQLite**: one writer at a time; the single statement runs under the database write lock,
  so two claims cannot interleave.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Connection, and_, or_, select, update

from scrypath.queue.database import require_dialect
from scrypath.queue.jobs import WAITING_STATES, Job, JobState
from scrypath.queue.table import jobs


def claim(
    connection: Connection, *, owner: str, limit: int, lease_seconds: float, now: dt.datetime
) -> list[Job]:
    """Claim up to `limit` due jobs for `owner`, oldest first."""
    due = select(jobs.c.id).where(_due(now)).order_by(jobs.c.id).limit(limit)
    if require_dialect(connection) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(jobs)
        .where(jobs.c.id.in_(due.scalar_subquery()))
        .values(
            state=JobState.EXECUTING.value,
            attempt=jobs.c.attempt + 1,
            attempted_at=now,
            lease_owner=owner,
            lease_expires_at=now + dt.timedelta(seconds=lease_seconds),
        )
        .returning(*jobs.c)
    )
    rows = connection.execute(statement).mappings().all()
    return sorted((Job.from_row(row) for row in rows), key=lambda job: job.id)


def _due(now: dt.datetime) -> ColumnElement[bool]:
    waiting = and_(
        jobs.c.state.in_([state.value for state in WAITING_STATES]),
        jobs.c.scheduled_at <= now,
    )
    orphaned = and_(jobs.c.state == JobState.EXECUTING.value, jobs.c.lease_expires_at < now)
    return or_(waiting, orphaned)


def renew(
    connection: Connection, *, owner: str, ids: list[int], lease_seconds: float, now: dt.datetime
) -> int:
    """Extend `owner`'s lease on `ids` (still executing); how many it still holds."""
    if not ids:
        return 0
    statement = (
        update(jobs)
        .where(
            jobs.c.id.in_(ids),
            jobs.c.lease_owner == owner,
            jobs.c.state == JobState.EXECUTING.value,
        )
        .values(lease_expires_at=now + dt.timedelta(seconds=lease_seconds))
    )
    return connection.execute(statement).rowcount
