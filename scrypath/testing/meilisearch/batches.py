"""Batches: the processing steps of the task queue, derived from the tasks that carry them.

The fake runs one task per processing step, so a batch holds the task that started it,
plus the tasks a cancelation canceled (they take the cancelation's `batchUid`, as in
Meilisearch). Batches are not stored apart: deleting every task of a batch deletes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .task_query import TaskFilter, in_bounds
from .tasks import Task
from .timefmt import iso_duration, rfc3339

STRATEGY = "scrypath's fake Meilisearch processes one task per batch"
"""The `batchStrategy` of every batch: why it holds what it holds."""


@dataclass(frozen=True, slots=True)
class Batch:
    """One processing step and its tasks, oldest first."""

    uid: int
    tasks: tuple[Task, ...]

    @property
    def lead(self) -> Task:
        """The task that was processed: canceled tasks only join their cancelation's batch."""
        return next((t for t in self.tasks if t.status != "canceled"), self.tasks[0])

    @property
    def processing(self) -> bool:
        return any(task.status == "processing" for task in self.tasks)

    @property
    def started_at(self) -> int:
        return min(task.started_at or task.enqueued_at for task in self.tasks)

    @property
    def finished_at(self) -> int | None:
        if self.processing:
            return None
        return max((task.finished_at or 0 for task in self.tasks), default=None)


def collect(tasks: Iterable[Task]) -> list[Batch]:
    """Every batch that still has a task, oldest first."""
    grouped: dict[int, list[Task]] = {}
    for task in tasks:
        if task.batch_uid is not None:
            grouped.setdefault(task.batch_uid, []).append(task)
    return [
        Batch(uid, tuple(sorted(members, key=lambda t: t.uid)))
        for uid, members in sorted(grouped.items())
    ]


def matches(batch: Batch, flt: TaskFilter) -> bool:
    """Meilisearch's batch filters: a batch matches when one of its tasks does.

    `canceledBy` selects the batch of the named cancelation; the started and finished
    dates are the batch's own, the enqueued date any of its tasks'.
    """
    tasks = batch.tasks
    checks = (
        flt.batch_uids is None or batch.uid in flt.batch_uids,
        flt.uids is None or any(t.uid in flt.uids for t in tasks),
        flt.canceled_by is None or any(_canceler_in(t, flt.canceled_by) for t in tasks),
        flt.types is None or any(t.kind in flt.types for t in tasks),
        flt.statuses is None or any(t.status in flt.statuses for t in tasks),
        flt.index_uids is None or any(t.index_uid in flt.index_uids for t in tasks),
        any(in_bounds(t.enqueued_at, flt.after_enqueued_at, flt.before_enqueued_at) for t in tasks),
        in_bounds(batch.started_at, flt.after_started_at, flt.before_started_at),
        in_bounds(batch.finished_at, flt.after_finished_at, flt.before_finished_at),
    )
    return all(checks)


def _canceler_in(task: Task, uids: frozenset[int]) -> bool:
    return task.uid in uids and task.kind == "taskCancelation" and task.status == "succeeded"


def batch_view(batch: Batch) -> dict[str, Any]:
    """The batch as `GET /batches/{uid}` shows it."""
    finished = batch.finished_at
    return {
        "uid": batch.uid,
        "progress": _progress(batch) if batch.processing else None,
        "details": dict(batch.lead.details or {}),
        "stats": _stats(batch.tasks),
        "duration": None if finished is None else iso_duration(finished - batch.started_at),
        "startedAt": rfc3339(batch.started_at),
        "finishedAt": None if finished is None else rfc3339(finished),
        "batchStrategy": STRATEGY,
    }


def _stats(tasks: tuple[Task, ...]) -> dict[str, Any]:
    return {
        "totalNbTasks": len(tasks),
        "status": dict(Counter(task.status for task in tasks)),
        "types": dict(Counter(task.kind for task in tasks)),
        "indexUids": dict(Counter(t.index_uid for t in tasks if t.index_uid is not None)),
    }


def _progress(batch: Batch) -> dict[str, Any]:
    """A running batch has one step, processing its task; nothing of it is done yet."""
    step = {"currentStep": "processing tasks", "finished": 0, "total": len(batch.tasks)}
    return {"steps": [step], "percentage": 0.0}
