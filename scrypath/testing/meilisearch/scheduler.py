"""The task queue and its worker thread.

Two kinds of lock, always taken in this order:

- an index's store lock. The worker holds the target store's lock from its first change to
  the documents until the task is recorded as finished, so a search sees a write only once
  its task says `succeeded`;
- `lock`, over the state (the task and index tables). It is held only for short reads and
  writes, never while a task runs, so polls, task lists and stats keep answering during a
  long task and see it `processing`. Whoever holds `lock` never waits for a store's lock.

A task changes a draft of the index table (its own dict; index records are immutable) that
replaces the real one when the task ends: a reader sees all of a task or none of it. Tasks
that rewrite the task table (cancelations, deletions, renames, swaps) are quick and run
under `lock` instead.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from typing import Any

from .errors import MeiliError
from .faults import FaultControl
from .operations import TASK_TABLE_KINDS, execute, failed_details
from .seam import StoreFactory
from .state import State
from .tasks import Task
from .timefmt import now_ns


@dataclass(frozen=True, slots=True)
class _Run:
    """A started task, the state it belongs to, and the lock of the store it writes."""

    state: State
    task: Task
    store_lock: AbstractContextManager[Any]


class Scheduler:
    def __init__(self, new_store: StoreFactory) -> None:
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self.state = State(new_store)
        self.faults = FaultControl(self)
        self._busy = False  # a task is running (one at a time, worker or step)
        self._holding: int | None = None  # the uid held in `processing` by a fault
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

    def wake(self) -> None:
        """Have the worker look at the queue again (a hold was lifted)."""
        with self._changed:
            self._changed.notify_all()

    def step(self) -> bool:
        """Run the next enqueued task in this thread, held or not; False when none waits."""
        with self._changed:
            self._changed.wait_for(lambda: not self._busy or self._holding is not None)
            if self._holding is not None:
                raise RuntimeError(
                    f"task {self._holding} is held in processing: release it before stepping"
                )
            run = self._start(stepped=True)
        if run is None:
            return False
        self._finish(run, may_hold=False)
        return True

    def wait_held(self, timeout: float) -> int:
        """The uid of the task held in `processing`, once one is; TimeoutError after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: self._holding is not None, timeout)
            if self._holding is None:
                raise TimeoutError(f"no task held in processing after {timeout} seconds")
            return self._holding

    def release_held(self) -> bool:
        with self._changed:
            held, self._holding = self._holding, None
            self._changed.notify_all()
            return held is not None

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Block until no task is enqueued or processing; TimeoutError after `timeout`."""
        with self._changed:
            idle = self._changed.wait_for(lambda: not self.state.has_pending(), timeout)
        if not idle:
            raise TimeoutError(f"tasks still pending after {timeout} seconds")

    def reset(self) -> None:
        """Forget every index and task and every fault rule.

        A task still running finishes on the forgotten state, where nobody sees it.
        """
        with self._changed:
            self.state = State(self.state.new_store)
            self.faults.clear()
            self._changed.notify_all()

    def _loop(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(self._ready)
                if self._stopping:
                    return
                run = self._start(stepped=False)
            if run is not None:
                self._finish(run, may_hold=True)

    def _ready(self) -> bool:
        if self._stopping:
            return True
        task = None if self._busy else self.state.next_enqueued()
        return task is not None and not self.faults.is_held(task)

    def _start(self, *, stepped: bool) -> _Run | None:
        """Mark the next task `processing` (the caller holds `lock`)."""
        state = self.state
        task = state.next_enqueued()
        if task is None:
            return None
        if stepped:
            self.faults.take_hold(task)
        running = replace(
            task, status="processing", batch_uid=state.next_batch_uid, started_at=now_ns()
        )
        state.next_batch_uid += 1
        state.tasks[task.uid] = running
        state.processing = task.uid
        self._busy = True
        return _Run(state, running, _store_lock(state, running))

    def _finish(self, run: _Run, *, may_hold: bool) -> None:
        try:
            if may_hold and self.faults.take_processing_hold(run.task):
                self._hold(run.task)
            if run.task.kind in TASK_TABLE_KINDS:
                with self._changed:
                    _settle(run.state, self._outcome(run.state, run.task))
            else:
                self._run_on_draft(run)
        finally:
            with self._changed:
                if run.state.processing == run.task.uid:
                    run.state.processing = None
                self._busy = False
                self._changed.notify_all()

    def _run_on_draft(self, run: _Run) -> None:
        with run.store_lock:
            draft = run.state.draft()
            final = self._outcome(draft, run.task)
            with self._changed:
                if final.status == "succeeded":
                    run.state.indexes = draft.indexes
                _settle(run.state, final)

    def _hold(self, task: Task) -> None:
        """Keep `task` in `processing` until released (or the scheduler stops)."""
        with self._changed:
            self._holding = task.uid
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._holding != task.uid or self._stopping)
            if self._holding == task.uid:
                self._holding = None

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


def _store_lock(state: State, task: Task) -> AbstractContextManager[Any]:
    """The lock of the store the task may write: one readers can already reach."""
    index = state.indexes.get(task.index_uid or "")
    return nullcontext() if index is None else index.store.lock


def _settle(state: State, final: Task) -> None:
    state.tasks[final.uid] = replace(final, finished_at=now_ns(), payload=None)
    state.processing = None


def _failed(task: Task, error: MeiliError) -> Task:
    return replace(
        task, status="failed", error=error.to_json(), details=failed_details(task.details)
    )
