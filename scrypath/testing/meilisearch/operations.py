"""What each task kind does when the worker runs it, and the task-management tasks.

An executor changes the state and returns the task's final `details`, or raises a
`MeiliError` that fails the task (the state is then left as it was).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from . import doc_operations, index_operations
from .errors import MeiliError
from .state import State
from .tasks import FINISHED, Task

Executor = Callable[[State, Task, int], "dict[str, Any] | None"]

TASK_TABLE_KINDS = frozenset({"taskCancelation", "taskDeletion", "indexUpdate", "indexSwap"})
"""Kinds whose executor rewrites the task table; every other one sees only the indexes."""


def cancel_tasks(state: State, task: Task, now: int) -> dict[str, Any] | None:
    """Cancel the matched tasks that have not run yet; they point at this task."""
    matched: tuple[int, ...] = task.payload
    canceled = 0
    for uid in matched:
        target = state.tasks.get(uid)
        if target is None or target.status != "enqueued" or target.kind == "taskCancelation":
            continue
        state.tasks[uid] = replace(
            target,
            status="canceled",
            canceled_by=task.uid,
            batch_uid=task.batch_uid,
            finished_at=now,
            details=failed_details(target.details),
            payload=None,
        )
        canceled += 1
    return {**(task.details or {}), "canceledTasks": canceled}


def delete_tasks(state: State, task: Task, now: int) -> dict[str, Any] | None:
    """Forget the matched tasks that have finished; pending ones are kept."""
    matched: tuple[int, ...] = task.payload
    deleted = 0
    for uid in matched:
        target = state.tasks.get(uid)
        if target is not None and target.status in FINISHED:
            del state.tasks[uid]
            deleted += 1
    return {**(task.details or {}), "deletedTasks": deleted}


def failed_details(details: dict[str, Any] | None) -> dict[str, Any] | None:
    """A task's details once it failed or was canceled: pending counters become 0."""
    if details is None:
        return None
    counters = ("indexedDocuments", "deletedDocuments", "canceledTasks", "deletedTasks")
    return {key: 0 if key in counters and v is None else v for key, v in details.items()}


EXECUTORS: dict[str, Executor] = {
    "documentAdditionOrUpdate": doc_operations.add_documents,
    "documentDeletion": doc_operations.delete_documents,
    "settingsUpdate": index_operations.update_settings,
    "indexCreation": index_operations.create_index,
    "indexUpdate": index_operations.update_index,
    "indexDeletion": index_operations.delete_index,
    "indexSwap": index_operations.swap_indexes,
    "taskCancelation": cancel_tasks,
    "taskDeletion": delete_tasks,
}


def execute(state: State, task: Task, now: int) -> dict[str, Any] | None:
    executor = EXECUTORS.get(task.kind)
    if executor is None:
        raise MeiliError("internal", f"Tasks of type `{task.kind}` are not supported.")
    return executor(state, task, now)
