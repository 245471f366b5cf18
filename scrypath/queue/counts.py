"""How many jobs are in each state: what the operator `status` reads.

Counts are dense (every state present, zero included), in lifecycle order, versioned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from scrypath.config import resolve
from scrypath.queue.database import outbox_call, outbox_engine, require_installed
from scrypath.queue.jobs import FINAL_STATES, JOB_STATES
from scrypath.queue.table import jobs


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """Jobs per state, every state listed; `index` is the index counted, or None for all."""

    states: Mapping[str, int]
    index: str | None = None
    version: int = 1

    @property
    def total(self) -> int:
        return sum(self.states.values())

    @property
    def pending(self) -> int:
        """Jobs not yet settled for good (waiting or executing)."""
        final = {str(state) for state in FINAL_STATES}
        return sum(count for state, count in self.states.items() if state not in final)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "index": self.index,
            "states": dict(self.states),
            "total": self.total,
        }


def queue_counts(
    engine: Engine | None = None, *, index: str | None = None, **overrides: Any
) -> QueueCounts:
    """Count the outbox's jobs per state (of one index, when given)."""
    bound = engine if engine is not None else outbox_engine(resolve(**overrides))
    with outbox_call(bound, "count jobs"), bound.connect() as connection:
        require_installed(connection)
        return count_jobs(connection, index=index)


def count_jobs(connection: Connection, *, index: str | None = None) -> QueueCounts:
    """`queue_counts` on an open connection."""
    statement = select(jobs.c.state, func.count()).group_by(jobs.c.state)
    if index is not None:
        statement = statement.where(jobs.c.index_uid == index)
    found = {str(state): int(count) for state, count in connection.execute(statement)}
    dense = {str(state): found.get(str(state), 0) for state in JOB_STATES}
    return QueueCounts(MappingProxyType(dense), index)
