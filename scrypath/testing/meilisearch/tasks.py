"""Task records and their two wire views (summarized on enqueue, full on read).

A `Task` is immutable: every change of status produces a new record, so a reader never
sees a half-updated task. The operation's content (documents, settings...) rides along
in `payload`, is never shown, and is dropped once the task has finished.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .timefmt import iso_duration, rfc3339

KINDS = (
    "documentAdditionOrUpdate",
    "documentEdition",
    "documentDeletion",
    "settingsUpdate",
    "indexCreation",
    "indexDeletion",
    "indexUpdate",
    "indexSwap",
    "taskCancelation",
    "taskDeletion",
    "dumpCreation",
    "snapshotCreation",
    "export",
    "upgradeDatabase",
    "indexCompaction",
    "networkTopologyChange",
    "dsrUpdate",
    "dsrClear",
)
STATUSES = ("enqueued", "processing", "succeeded", "failed", "canceled")
FINISHED = frozenset({"succeeded", "failed", "canceled"})
PENDING = frozenset({"enqueued", "processing"})


@dataclass(frozen=True, slots=True)
class Task:
    """One asynchronous operation, as the task queue records it."""

    uid: int
    kind: str
    index_uid: str | None
    enqueued_at: int
    details: dict[str, Any] | None
    payload: Any = field(default=None, compare=False, repr=False)
    status: str = "enqueued"
    batch_uid: int | None = None
    canceled_by: int | None = None
    error: dict[str, Any] | None = None
    started_at: int | None = None
    finished_at: int | None = None
    custom_metadata: str | None = None


def summary_view(task: Task) -> dict[str, Any]:
    """The body of a 202 response: the task as it was enqueued."""
    view: dict[str, Any] = {
        "taskUid": task.uid,
        "indexUid": task.index_uid,
        "status": task.status,
        "type": task.kind,
        "enqueuedAt": rfc3339(task.enqueued_at),
    }
    if task.custom_metadata is not None:
        view["customMetadata"] = task.custom_metadata
    return view


def task_view(task: Task) -> dict[str, Any]:
    """The task as `GET /tasks/{uid}` shows it."""
    view: dict[str, Any] = {
        "uid": task.uid,
        "batchUid": task.batch_uid,
        "indexUid": task.index_uid,
        "status": task.status,
        "type": task.kind,
        "canceledBy": task.canceled_by,
    }
    if task.details is not None:
        view["details"] = task.details
    view["error"] = task.error
    view["duration"] = _duration(task)
    view["enqueuedAt"] = rfc3339(task.enqueued_at)
    view["startedAt"] = _stamp(task.started_at)
    view["finishedAt"] = _stamp(task.finished_at)
    if task.custom_metadata is not None:
        view["customMetadata"] = task.custom_metadata
    return view


def _duration(task: Task) -> str | None:
    if task.started_at is None or task.finished_at is None:
        return None
    return iso_duration(task.finished_at - task.started_at)


def _stamp(ns: int | None) -> str | None:
    return None if ns is None else rfc3339(ns)
