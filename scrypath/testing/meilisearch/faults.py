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

    def wake(self) -> None: ...

    def step(self) -> bool: ...

    def wait_held(self, timeout: float) -> int: ...

    def release_held(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class HoldRule:
    """Hold matching tasks; `remaining` None holds every matching task until released."""

    remaining: int | None
    index_uid: str | None
    task_type: str | None

    def matches(self, task: Task) -> bool:
        return _targets(self.index_uid, self.task_type, task)


@dataclass(frozen=True, slots=True)
class TaskFault:
    remaining: int
    code: str
    message: str | None
    index_uid: str | None
    task_type: str | None

    def matches(self, task: Task) -> bool:
        return _targets(self.index_uid, self.task_type, task)

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
    """Make the fake fail on purpose: failed tasks, HTTP errors, dropped connections, delays.

    It also holds task processing, either before a task starts (it stays `enqueued`) or
    once it has started (it stays `processing`), so that tests can look at a busy queue.
    """

    def __init__(self, queue: TaskQueue) -> None:
        self._queue = queue
        self._lock = threading.Lock()
        self._task_faults: list[TaskFault] = []
        self._response_faults: list[ResponseFault] = []
        self._holds: list[HoldRule] = []
        self._processing_holds: list[HoldRule] = []
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

    def hold_tasks(
        self,
        count: int | None = None,
        *,
        index_uid: str | None = None,
        task_type: str | None = None,
    ) -> None:
        """Keep matching tasks `enqueued`; the queue stops at the first one (tasks run in order).

        With no argument every task is held until `release_tasks()`. With `count`, or an
        index or type, only the next `count` (default: every) matching tasks are held, and
        each one that `step_task()` runs uses up one occurrence.
        """
        if count is not None and count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._holds.append(HoldRule(count, index_uid, task_type))

    def release_tasks(self) -> None:
        """Drop every `hold_tasks` rule: held tasks run in turn."""
        with self._lock:
            self._holds.clear()
        self._queue.wake()

    def step_task(self) -> bool:
        """Process exactly one enqueued task now, held or not; False when none was waiting.

        It runs the task in the caller's thread, so `hold_processing` does not stop it. It
        raises RuntimeError while a task is held in `processing`: the queue is busy.
        """
        return self._queue.step()

    def hold_processing(
        self,
        count: int = 1,
        *,
        index_uid: str | None = None,
        task_type: str | None = None,
    ) -> None:
        """Start the next `count` matching tasks, then keep each one `processing`.

        A held task has its `startedAt`, its index reports `isIndexing: true`, and nothing
        of it is applied yet; every read keeps answering. `wait_processing()` waits for it,
        `release_processing()` lets it finish.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._processing_holds.append(HoldRule(count, index_uid, task_type))

    def wait_processing(self, timeout: float = 5.0) -> int:
        """The uid of the task held in `processing`, once there is one; TimeoutError after."""
        return self._queue.wait_held(timeout)

    def release_processing(self) -> bool:
        """Let the task held in `processing` finish; False when none was held."""
        return self._queue.release_held()

    def clear(self) -> None:
        """Remove every rule and the latency, and resume task processing."""
        with self._lock:
            self._task_faults.clear()
            self._response_faults.clear()
            self._holds.clear()
            self._processing_holds.clear()
            self._latency = 0.0
        self._queue.release_held()
        self._queue.wake()

    def is_held(self, task: Task) -> bool:
        """Whether a `hold_tasks` rule keeps `task` enqueued (uses nothing up)."""
        with self._lock:
            return any(rule.matches(task) for rule in self._holds)

    def take_hold(self, task: Task) -> None:
        """`task` runs although held (a step): use up one occurrence of its hold rule."""
        with self._lock:
            _take(self._holds, task)

    def take_processing_hold(self, task: Task) -> bool:
        """Whether `task` must wait in `processing` (uses up one occurrence)."""
        with self._lock:
            return _take(self._processing_holds, task)

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


def _targets(index_uid: str | None, task_type: str | None, task: Task) -> bool:
    return (index_uid is None or index_uid == task.index_uid) and (
        task_type is None or task_type == task.kind
    )


def _take(rules: list[HoldRule], task: Task) -> bool:
    """Use up one occurrence of the first rule matching `task`; unlimited rules stay."""
    for i, rule in enumerate(rules):
        if rule.matches(task):
            _use(rules, i)
            return True
    return False


_Rule = TypeVar("_Rule", TaskFault, ResponseFault, HoldRule)


def _use(rules: list[_Rule], i: int) -> None:
    """Use up one occurrence of rule `i`, dropping it when none is left (None: unlimited)."""
    rule = rules[i]
    if rule.remaining is None:
        return
    if rule.remaining > 1:
        rules[i] = replace(rule, remaining=rule.remaining - 1)
    else:
        del rules[i]
