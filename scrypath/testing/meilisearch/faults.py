"""Fault injection and control of task processing, for tests of unhappy paths.

Rules are consumed in the order they were added: each matching task or request uses up
one occurrence of the first rule that matches it.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from .errors import MeiliError
from .tasks import Task

_STATUS_CODES = {
    400: "bad_request",
    401: "missing_authorization_header",
    403: "invalid_api_key",
    404: "not_found",
    413: "payload_too_large",
    415: "invalid_content_type",
}


class TaskQueue(Protocol):
    """What fault control needs from the scheduler."""

    def set_held(self, held: bool) -> None: ...

    def step(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class TaskFault:
    remaining: int
    code: str
    message: str | None
    index_uid: str | None
    task_type: str | None

    def matches(self, task: Task) -> bool:
        return (self.index_uid is None or self.index_uid == task.index_uid) and (
            self.task_type is None or self.task_type == task.kind
        )

    def error(self, task: Task) -> MeiliError:
        return MeiliError(
            self.code, self.message or f"Task `{task.uid}` failed by fault injection."
        )


@dataclass(frozen=True, slots=True)
class ResponseFault:
    remaining: int
    status: int
    route: str | None
    method: str | None
    drop_connection: bool

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.route is None:
            return True
        if any(char in self.route for char in "*?["):
            return fnmatch.fnmatchcase(path, self.route)
        return self.route in path

    def body(self) -> dict[str, Any]:
        """An error body in Meilisearch's shape for the injected status."""
        code = _STATUS_CODES.get(self.status, "internal" if self.status >= 500 else "bad_request")
        message = f"Injected HTTP {self.status} response (fault injection)."
        return MeiliError(code, message).to_json()


class FaultControl:
    """Make the fake fail on purpose: failed tasks, HTTP errors, dropped connections, delays."""

    def __init__(self, queue: TaskQueue) -> None:
        self._queue = queue
        self._lock = threading.Lock()
        self._task_faults: list[TaskFault] = []
        self._response_faults: list[ResponseFault] = []
        self._latency = 0.0

    def fail_next_tasks(
        self,
        count: int = 1,
        *,
        code: str = "internal",
        message: str | None = None,
        index_uid: str | None = None,
        task_type: str | None = None,
    ) -> None:
        """Fail the next `count` tasks (optionally only of one index or type) with `code`."""
        with self._lock:
            self._task_faults.append(TaskFault(count, code, message, index_uid, task_type))

    def respond_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        route: str | None = None,
        method: str | None = None,
        drop_connection: bool = False,
    ) -> None:
        """Answer the next `count` matching requests with `status`, or drop their connection.

        `route` is a substring of the path, or an fnmatch pattern (`/indexes/*/documents`).
        """
        with self._lock:
            fault = ResponseFault(count, status, route, method, drop_connection)
            self._response_faults.append(fault)

    def set_latency(self, seconds: float) -> None:
        """Delay every request by `seconds` before it is handled."""
        with self._lock:
            self._latency = max(0.0, seconds)

    @property
    def latency(self) -> float:
        with self._lock:
            return self._latency

    def hold_tasks(self) -> None:
        """Stop processing tasks: new tasks stay `enqueued` until release or step."""
        self._queue.set_held(True)

    def release_tasks(self) -> None:
        self._queue.set_held(False)

    def step_task(self) -> bool:
        """Process exactly one enqueued task now; False when none was waiting."""
        return self._queue.step()

    def clear(self) -> None:
        """Remove every rule and the latency, and resume task processing."""
        with self._lock:
            self._task_faults.clear()
            self._response_faults.clear()
            self._latency = 0.0
        self._queue.set_held(False)

    def take_task_failure(self, task: Task) -> MeiliError | None:
        """The injected error for `task`, if a rule claims it (uses up one occurrence)."""
        with self._lock:
            for i, fault in enumerate(self._task_faults):
                if fault.matches(task):
                    _use(self._task_faults, i)
                    return fault.error(task)
        return None

    def take_response(self, method: str, path: str) -> ResponseFault | None:
        """The injected response for a request, if a rule claims it."""
        with self._lock:
            for i, fault in enumerate(self._response_faults):
                if fault.matches(method, path):
                    _use(self._response_faults, i)
                    return fault
        return None


_Rule = TypeVar("_Rule", TaskFault, ResponseFault)


def _use(rules: list[_Rule], i: int) -> None:
    """Use up one occurrence of rule `i`, dropping it when none is left."""
    rule = rules[i]
    if rule.remaining > 1:
        rules[i] = replace(rule, remaining=rule.remaining - 1)
    else:
        del rules[i]
