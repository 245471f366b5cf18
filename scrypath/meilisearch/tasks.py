"""Waiting for Meilisearch tasks, with a deadline and gently growing polls."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from scrypath.config import Config
from scrypath.errors import TaskFailedError, TaskTimeoutError
from scrypath.meilisearch.boundary import backend_call, scrub
from scrypath.telemetry import task_wait

TERMINAL_STATUSES = frozenset({"succeeded", "failed", "canceled"})


@dataclass(frozen=True, slots=True)
class TaskRef:
    """A task Meilisearch accepted: enough to find it again."""

    uid: int
    index: str | None
    type: str | None = None
    status: str = "enqueued"

    def to_json(self) -> dict[str, Any]:
        return {"uid": self.uid, "index": self.index, "type": self.type, "status": self.status}


def task_ref(summary: Any) -> TaskRef:
    """A `TaskRef` from the client's `TaskInfo` or the raw 202 body."""
    if isinstance(summary, dict):
        return TaskRef(
            int(summary["taskUid"]),
            summary.get("indexUid"),
            summary.get("type"),
            summary.get("status", "enqueued"),
        )
    return TaskRef(
        int(summary.task_uid),
        getattr(summary, "index_uid", None),
        getattr(summary, "type", None),
        getattr(summary, "status", "enqueued"),
    )


def wait_for_task(
    client: Any,
    task: TaskRef,
    *,
    timeout: float,
    poll_interval: float = 0.05,
    max_poll_interval: float = 0.5,
    **context: Any,
) -> dict[str, Any]:
    """Poll until the task is terminal; return its view, or raise a typed error.

    A timeout says the task may still finish: Meilisearch keeps processing it
    whether or not anyone waits.
    """
    deadline = time.monotonic() + timeout
    interval = poll_interval
    context = {"index": task.index, "task": task.uid, **context}
    while True:
        with backend_call(**context):
            view: dict[str, Any] = client.http.get(f"tasks/{task.uid}")
        if view.get("status") in TERMINAL_STATUSES:
            return _settled(view, context)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TaskTimeoutError(
                f"task {task.uid} was still {view.get('status')} after {timeout:g}s;"
                " Meilisearch may still finish it",
                status=view.get("status"),
                **context,
            )
        time.sleep(min(interval, remaining))
        interval = next_poll_interval(interval, poll_interval, max_poll_interval)


def next_poll_interval(current: float, first: float, maximum: float) -> float:
    """The pause after `current`: half as long again, never below `first` nor above the
    larger of the two bounds, so quick tasks are seen quickly and slow ones cost few polls."""
    return min(max(current, first) * 1.5, max(first, maximum))


def _settled(view: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    if view["status"] == "succeeded":
        return view
    error = view.get("error") or {}
    code = error.get("code")
    if view["status"] == "canceled":
        message = f"task {view['uid']} was canceled (by task {view.get('canceledBy')})"
    else:
        message = f"task {view['uid']} failed: {scrub(str(error.get('message', 'no message')))}"
    raise TaskFailedError(message, code=code, task_status=view["status"], **context)


def await_task(
    client: Any,
    task: TaskRef,
    config: Config,
    *,
    timeout: float | None = None,
    **context: Any,
) -> TaskRef:
    """Wait for `task` with the configured polling (and `task_timeout`, unless `timeout`
    is given); returns it with its final status."""
    with task_wait(task.uid, {"index": task.index, **context}) as waited:
        view = wait_for_task(
            client,
            task,
            timeout=config.task_timeout if timeout is None else timeout,
            poll_interval=config.poll_interval,
            max_poll_interval=config.max_poll_interval,
            **context,
        )
        waited.set(outcome=view["status"])
    return TaskRef(task.uid, task.index, view.get("type", task.type), view["status"])
