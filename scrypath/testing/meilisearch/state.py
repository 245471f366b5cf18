"""Everything the fake holds: indexes, tasks and the queue of enqueued task uids.

`State` has no lock of its own: the scheduler's lock guards every access, from route
handlers and from the task worker alike. A running task changes a `draft` instead, which
the scheduler puts in place when the task ends.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import MeiliError
from .indexes import Index
from .seam import StoreFactory
from .settings import default_settings
from .tasks import PENDING, Task

# Meilisearch runs cancelations first, then deletions, then everything else in uid order.
LANES = ("taskCancelation", "taskDeletion", "other")


def _lanes() -> dict[str, deque[int]]:
    return {lane: deque() for lane in LANES}


@dataclass(slots=True)
class State:
    new_store: StoreFactory
    indexes: dict[str, Index] = field(default_factory=dict)
    tasks: dict[int, Task] = field(default_factory=dict)
    lanes: dict[str, deque[int]] = field(default_factory=_lanes)
    next_task_uid: int = 0
    next_batch_uid: int = 0
    processing: int | None = None

    def draft(self) -> State:
        """A copy for one task to change: its own index table, and no tasks.

        Index records are immutable, so copying the table is enough; stores are shared.
        """
        return State(self.new_store, indexes=dict(self.indexes))

    def require_index(self, uid: str) -> Index:
        index = self.indexes.get(uid)
        if index is None:
            raise MeiliError("index_not_found", f"Index `{uid}` not found.")
        return index

    def new_index(self, uid: str, primary_key: str | None, now: int) -> Index:
        """A fresh, empty index (not yet stored in `indexes`)."""
        settings = default_settings()
        store = self.new_store(primary_key or "")
        store.reconfigure(settings)
        return Index(uid, primary_key, now, now, store, settings)

    def with_primary_key(self, index: Index, primary_key: str) -> Index:
        """The same (empty) index with a new primary key and a store keyed by it."""
        store = self.new_store(primary_key)
        store.reconfigure(index.settings)
        return replace(index, primary_key=primary_key, store=store)

    def enqueue(self, kind: str, index_uid: str | None, now: int, **extra: Any) -> Task:
        task = Task(self.next_task_uid, kind, index_uid, now, **extra)
        self.next_task_uid += 1
        self.tasks[task.uid] = task
        lane = kind if kind in self.lanes else "other"
        self.lanes[lane].append(task.uid)
        return task

    def next_enqueued(self) -> Task | None:
        """The task the worker runs next, skipping uids that left the queue (canceled)."""
        for lane in LANES:
            queue = self.lanes[lane]
            while queue:
                task = self.tasks.get(queue[0])
                if task is not None and task.status == "enqueued":
                    return task
                queue.popleft()
        return None

    def has_pending(self) -> bool:
        return self.processing is not None or self.next_enqueued() is not None

    def is_indexing(self, index_uid: str) -> bool:
        task = None if self.processing is None else self.tasks.get(self.processing)
        return task is not None and task.index_uid == index_uid and task.status in PENDING

    def relabel_tasks(self, renames: dict[str, str], skip_uid: int) -> None:
        """Point finished tasks at indexes' new uids (after a swap or a rename).

        Enqueued tasks keep the uid they were sent to, as Meilisearch leaves them: a
        write accepted for `a` before a swap lands in the index named `a` after it.
        """
        for uid, task in self.tasks.items():
            pending = task.status in ("enqueued", "processing")
            if uid != skip_uid and not pending and task.index_uid in renames:
                self.tasks[uid] = replace(task, index_uid=renames[task.index_uid])
