"""The durable outbox: queue mode's jobs, the worker that delivers them, and their counts.

- `metadata` / `install(engine)`: the outbox table, for Alembic or created directly;
- `Worker`: claims due jobs under a lease, coalesces them per index, delivers them through
  the one write primitive and waits for each task;
- `queue_counts()`: jobs per state, for operators.
"""

from scrypath.queue.backoff import Backoff
from scrypath.queue.batch import BatchReport
from scrypath.queue.counts import QueueCounts, queue_counts
from scrypath.queue.database import TABLE_NAME
from scrypath.queue.events import OUTCOMES, EventHook, JobEvent, Outcome
from scrypath.queue.jobs import (
    JOB_STATES,
    REASON_CLASSES,
    Job,
    JobError,
    JobRef,
    JobState,
    ReasonClass,
)
from scrypath.queue.sweep import sweep_completed
from scrypath.queue.table import install, jobs, metadata
from scrypath.queue.worker import Worker, WorkerReport

__all__ = [
    "JOB_STATES",
    "OUTCOMES",
    "REASON_CLASSES",
    "TABLE_NAME",
    "Backoff",
    "BatchReport",
    "EventHook",
    "Job",
    "JobError",
    "JobEvent",
    "JobRef",
    "JobState",
    "Outcome",
    "QueueCounts",
    "ReasonClass",
    "Worker",
    "WorkerReport",
    "install",
    "jobs",
    "metadata",
    "queue_counts",
    "sweep_completed",
]
