"""Deleting completed jobs once their retention period is over.

Only completed jobs are swept: discarded and cancelled jobs are failed work an operator
still has to see. Deletes run in small chunks so a large backlog never holds a long lock.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, select

from scrypath.queue.database import database_time, outbox_call
from scrypath.queue.jobs import JobState
from scrypath.queue.table import jobs

CHUNK = 1000


def sweep_completed(
    engine: Engine, *, retention_seconds: float, now: dt.datetime | None = None
) -> int:
    """Delete jobs completed more than `retention_seconds` ago (on the database's clock);
    how many were deleted."""
    total = 0
    while True:
        with outbox_call(engine, "sweep completed jobs"), engine.begin() as connection:
            cutoff = database_time(connection, after=-retention_seconds, now=now)
            expired = (
                select(jobs.c.id)
                .where(jobs.c.state == JobState.COMPLETED.value, jobs.c.completed_at < cutoff)
                .order_by(jobs.c.id)
                .limit(CHUNK)
            )
            statement = delete(jobs).where(jobs.c.id.in_(expired.scalar_subquery()))
            deleted = connection.execute(statement).rowcount
        total += deleted
        if deleted < CHUNK:
            return total
