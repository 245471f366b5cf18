"""The task queue and its worker thread.

One re-entrant lock guards the whole state. The worker takes it to pick a task and keeps
it while the task runs, so a reader never sees a half-applied task; route handlers take it
only for the state access itself, never around network I/O.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from .errors import MeiliError
from .faults import FaultControl
from .operations import execute, failed_details
from .seam import StoreFactory
from .state import State
from .tasks import Task
from .timefmt import now_ns


class Scheduler:
    def __init__(self, new_store: StoreFactory) -> None:
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self.state = State(new_store)
        self.faults = FaultControl(self)
        self._held = False
        self._stopping = False
        self._worker: threading.Thread | None = None

    def start(self) -> None:
        with self.lock:
            if self._worker is not None:
                return
            self._stopping = False
            self._worker = threading.Thread(
                target=self._loop, name="fake-meilisearch-tasks", daemon=True
            )
            self._worker.start()

    def stop(self) -> None:
        with self._changed:
            worker, self._worker = self._worker, None
            self._stopping = True
            self._changed.notify_all()
        if worker is not None:
            worker.join()

    def register(
        self,
        kind: str,
        index_uid: str | None,
        details: dict[str, Any] | None,
        payload: Any = None,
        custom_metadata: str | None = None,
    ) -> Task:
        """Enqueue a task; the worker runs it when its turn comes."""
        with self._changed:
            task = self.state.enqueue(
                kind,
                index_uid,
                now_ns(),
                details=details,
                payload=payload,
                custom_metadata=custom_metadata,
            )
            self._changed.notify_all()
            return task

    def set_held(self, held: bool) -> None:
        with self._changed:
            self._held = held
            self._changed.notify_all()

    def step(self) -> bool:
        with self._changed:
            return self._run_next()

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Block until no task is enqueued or processing; TimeoutError after `timeout`."""
        with self._changed:
            idle = self._changed.wait_for(lambda: not self.state.has_pending(), timeout)
        if not idle:
            raise TimeoutError(f"tasks still pending after {timeout} seconds")

    def reset(self) -> None:
        """Forget every index and task and every fault rule."""
        with self._changed:
            self.state = State(self.state.new_store)
            self.faults.clear()
            self._changed.notify_all()

    def _loop(self) -> None:
        with self._changed:
            while True:
                self._changed.wait_for(self._has_work)
                if self._stopping:
                    return
                self._run_next()

    def _has_work(self) -> bool:
        return self._stopping or (not self._held and self.state.next_enqueued() is not None)

    def _run_next(self) -> bool:
        task = self.state.next_enqueued()
        if task is None:
            return False
        self._run(task)
        self._changed.notify_all()
        return True

    def _run(self, task: Task) -> None:
        state = self.state
        running = replace(
            task, status="processing", batch_uid=state.next_batch_uid, started_at=now_ns()
        )
        state.next_batch_uid += 1
        state.tasks[task.uid] = running
        state.processing = task.uid
        try:
            final = self._outcome(state, running)
        finally:
            state.processing = None
        state.tasks[task.uid] = replace(final, finished_at=now_ns(), payload=None)

    def _outcome(self, state: State, running: Task) -> Task:
        try:
            injected = self.faults.take_task_failure(running)
            if injected is not None:
                raise injected
            details = execute(state, running, running.started_at or now_ns())
        except MeiliError as error:
            return _failed(running, error)
        except Exception as error:  # a bug fails its task instead of killing the worker
            return _failed(running, MeiliError("internal", f"{type(error).__name__}: {error}"))
        return replace(running, status="succeeded", details=details)


def _failed(task: Task, error: MeiliError) -> Task:
    return replace(
        task, status="failed", error=error.to_json(), details=failed_details(task.details)
    )
