"""Where a model's sync stands: the backend's view and the queue's view, kept apart.

- **backend**: Meilisearch's task log for the index's document tasks (pending, failed, the
  last that succeeded), counted from the log's own totals, one small request each;
- **queue**: the outbox's jobs for the index and its rebuild target, when an outbox is
  configured and installed, with the sync lag (the age of the oldest pending job) on the
  database's clock; every count is an indexed query, so a large history of completed jobs
  costs nothing;
- **index**: its document count and whether Meilisearch is indexing it.

Read-only: nothing is written anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from scrypath.config import Config, resolve
from scrypath.declaration import spec_for
from scrypath.errors import IndexNotFoundError
from scrypath.indexes import index_for
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.rebuild_marker import target_name
from scrypath.operator.task_log import count_tasks
from scrypath.queue.database import database_now, read_installed
from scrypath.queue.jobs import JobState
from scrypath.queue.table import jobs
from scrypath.telemetry import operator_command

PENDING_STATES = (JobState.AVAILABLE, JobState.SCHEDULED, JobState.EXECUTING)
FAILED_STATES = (JobState.DISCARDED, JobState.CANCELLED)
UNSETTLED_STATES = (*PENDING_STATES, JobState.RETRYABLE, *FAILED_STATES)


@dataclass(frozen=True, slots=True)
class BackendStatus:
    """Meilisearch's task log for the index's document tasks."""

    pending: int
    processing: int
    failed: int
    last_succeeded_uid: int | None
    last_succeeded_at: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "pending": self.pending,
            "processing": self.processing,
            "failed": self.failed,
            "last_succeeded_uid": self.last_succeeded_uid,
            "last_succeeded_at": self.last_succeeded_at,
        }


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """The outbox's jobs for the index; all zero and `observed=False` without an outbox."""

    observed: bool
    pending: int
    retrying: int
    failed: int
    last_succeeded_at: str | None
    oldest_pending_age_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "observed": self.observed,
            "pending": self.pending,
            "retrying": self.retrying,
            "failed": self.failed,
            "last_succeeded_at": self.last_succeeded_at,
            "oldest_pending_age_seconds": self.oldest_pending_age_seconds,
        }


UNOBSERVED = QueueStatus(False, 0, 0, 0, None, None)


@dataclass(frozen=True, slots=True)
class IndexView:
    """The index itself; counts are None when it does not exist."""

    exists: bool
    documents: int | None
    is_indexing: bool | None

    @classmethod
    def of_stats(cls, stats: Mapping[str, Any]) -> IndexView:
        """The view of an existing index from its stats object (odd values read as unknown)."""
        documents = stats.get("numberOfDocuments")
        indexing = stats.get("isIndexing")
        return cls(
            True,
            documents if isinstance(documents, int) else None,
            indexing if isinstance(indexing, bool) else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {"exists": self.exists, "documents": self.documents, "is_indexing": self.is_indexing}


@dataclass(frozen=True, slots=True)
class SyncStatusReport:
    """`sync_status`: the backend's, the queue's and the index's views of one model's sync."""

    model: str
    index: str
    backend: BackendStatus
    queue: QueueStatus
    index_view: IndexView

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "model": self.model,
            "index": self.index,
            "backend": self.backend.to_json(),
            "queue": self.queue.to_json(),
            "index_view": self.index_view.to_json(),
        }


@operator_command("sync_status")
def sync_status(model: type[Any], **overrides: Any) -> SyncStatusReport:
    """Where `model`'s sync stands, read-only."""
    spec = spec_for(model)
    config = resolve(**overrides)
    index = index_for(spec, config)
    context = {"model": spec.model_name}
    return SyncStatusReport(
        spec.model_name,
        index,
        backend_status(config, index, **context),
        queue_status(config, (index, target_name(index))),
        index_view(config, index, **context),
    )


def status_summary(models: Iterable[type[Any]], **overrides: Any) -> tuple[SyncStatusReport, ...]:
    """`sync_status` of each model, in the order given (for one line per model)."""
    return tuple(sync_status(model, **overrides) for model in models)


def backend_status(config: Config, index: str, **context: Any) -> BackendStatus:
    """The index's document tasks: pending, processing, failed, and the last success."""
    client = client_for(config)

    def count(*statuses: str) -> tuple[int, dict[str, Any] | None]:
        return count_tasks(client, index_uids=[index], statuses=statuses, **context)

    pending, _ = count("enqueued", "processing")
    processing, _ = count("processing")
    failed, _ = count("failed")
    _, last = count("succeeded")
    uid = last.get("uid") if last else None
    finished = last.get("finishedAt") if last else None
    return BackendStatus(
        pending,
        processing,
        failed,
        uid if isinstance(uid, int) else None,
        finished if isinstance(finished, str) else None,
    )


def index_view(config: Config, index: str, **context: Any) -> IndexView:
    """The index's document count and indexing flag, or `exists=False`."""
    try:
        with backend_call(**{"operation": "read index stats", "index": index, **context}):
            stats = client_for(config).http.get(f"indexes/{index}/stats")
    except IndexNotFoundError:
        return IndexView(False, None, None)
    return IndexView.of_stats(stats)


def queue_status(config: Config, indexes: Sequence[str]) -> QueueStatus:
    """The outbox's view of `indexes`; `UNOBSERVED` when no outbox is configured or installed."""
    return read_installed(
        config,
        "read the queue status",
        lambda connection: _read_queue(connection, indexes),
        UNOBSERVED,
    )


def _read_queue(connection: Connection, indexes: Sequence[str]) -> QueueStatus:
    pending, retrying, failed = tally_jobs(_state_counts(connection, indexes))
    oldest = _oldest_pending(connection, indexes)
    age = None if oldest is None else pending_age(database_now(connection), oldest)
    last = _last_completed(connection, indexes)
    return QueueStatus(
        True, pending, retrying, failed, None if last is None else iso_utc(last), age
    )


def tally_jobs(counts: Mapping[str, int]) -> tuple[int, int, int]:
    """Pending, retrying and failed jobs from a count per job state, as every report sums them."""
    pending = sum(counts.get(state.value, 0) for state in PENDING_STATES)
    failed = sum(counts.get(state.value, 0) for state in FAILED_STATES)
    return pending, counts.get(JobState.RETRYABLE.value, 0), failed


def pending_age(now: dt.datetime, oldest: dt.datetime) -> float:
    """Seconds since the oldest pending job was inserted, never negative (clocks may skew)."""
    return max(0.0, (now - oldest).total_seconds())


def of_indexes(indexes: Sequence[str]) -> ColumnElement[bool]:
    """Jobs of `indexes`, in a form no index on `index_uid` can serve, so the planner reads
    through a state index (few unsettled rows) instead of every job the index ever had."""
    return jobs.c.index_uid.concat("").in_(list(indexes))


def _state_counts(connection: Connection, indexes: Sequence[str]) -> dict[str, int]:
    """Jobs per unsettled state; the completed history is never scanned."""
    statement = (
        select(jobs.c.state, func.count())
        .where(jobs.c.state.in_([state.value for state in UNSETTLED_STATES]))
        .where(of_indexes(indexes))
        .group_by(jobs.c.state)
    )
    return {str(state): int(count) for state, count in connection.execute(statement)}


def _oldest_pending(connection: Connection, indexes: Sequence[str]) -> dt.datetime | None:
    statement = (
        select(func.min(jobs.c.inserted_at))
        .where(jobs.c.state.in_([state.value for state in PENDING_STATES]))
        .where(of_indexes(indexes))
    )
    oldest: dt.datetime | None = connection.execute(statement).scalar()
    return oldest


def _last_completed(connection: Connection, indexes: Sequence[str]) -> dt.datetime | None:
    """The newest completion, walking the (state, completed_at) index from its end."""
    statement = (
        select(jobs.c.completed_at)
        .where(jobs.c.state == JobState.COMPLETED.value)
        .where(jobs.c.index_uid.in_(list(indexes)))
        .where(jobs.c.completed_at.is_not(None))
        .order_by(jobs.c.completed_at.desc())
        .limit(1)
    )
    last: dt.datetime | None = connection.execute(statement).scalar()
    return last


def iso_utc(moment: dt.datetime) -> str:
    """A naive UTC time as ISO-8601 with a trailing `Z` (always to the microsecond, so the
    strings sort as the times do)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"
