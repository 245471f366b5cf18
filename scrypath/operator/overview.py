"""Every model's sync at a glance, read in a constant number of requests.

`sync_overview` gives, per model, what a dashboard line shows: the queue's counts and lag,
Meilisearch's pending document tasks, the index's document count, and how many rows
`failed_sync_work` would list. The same figures per model would cost a `sync_status` and a
`failed_sync_work` each; here they come from one `GET /stats`, one read of the pending
tasks, one read of the failed tasks, and a few grouped outbox queries for all models at
once, so a dashboard of fifty models reads as cheaply as one of five.

The counts agree with the per-model reports: the failed-work count is the report's row
count (a failed task that belongs to a job is counted once, as the job). Read-only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from scrypath.config import Config, resolve
from scrypath.declaration import spec_for
from scrypath.errors import TaskHistoryLimitError
from scrypath.indexes import index_for
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.rebuild_marker import target_name
from scrypath.operator.failed import claimed_task_uids
from scrypath.operator.status import (
    PENDING_STATES,
    UNSETTLED_STATES,
    IndexView,
    of_indexes,
    pending_age,
    tally_jobs,
)
from scrypath.operator.task_log import DEFAULT_LIMIT, count_tasks, read_tasks
from scrypath.queue.database import database_now, read_installed
from scrypath.queue.table import jobs

_UNSETTLED = tuple(state.value for state in UNSETTLED_STATES)


@dataclass(frozen=True, slots=True)
class QueueGlance:
    """The outbox's jobs of the index and its rebuild target, as `sync_status` counts them;
    all zero and `observed=False` without an installed outbox."""

    observed: bool
    pending: int
    retrying: int
    failed: int
    oldest_pending_age_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "observed": self.observed,
            "pending": self.pending,
            "retrying": self.retrying,
            "failed": self.failed,
            "oldest_pending_age_seconds": self.oldest_pending_age_seconds,
        }


UNOBSERVED = QueueGlance(False, 0, 0, 0, None)


@dataclass(frozen=True, slots=True)
class ModelGlance:
    """One model's line: `failed_work` is None when its failed-task history is past the
    limit (where `failed_sync_work` raises `TaskHistoryLimitError` rather than guess)."""

    model: str
    index: str
    queue: QueueGlance
    backend_pending: int
    index_view: IndexView
    failed_work: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "index": self.index,
            "queue": self.queue.to_json(),
            "backend_pending": self.backend_pending,
            "index_view": self.index_view.to_json(),
            "failed_work": self.failed_work,
        }


def sync_overview(
    models: Sequence[type[Any]], *, limit: int = DEFAULT_LIMIT, **overrides: Any
) -> tuple[ModelGlance, ...]:
    """Each model's glance, in the order given. `limit` bounds each model's failed-task
    history as in `failed_sync_work`; a read of all models' failed tasks past
    `limit` times their number raises `TaskHistoryLimitError` (read them one by one then)."""
    config = resolve(**overrides)
    names = [spec_for(model).model_name for model in models]
    lives = [index_for(spec_for(model), config) for model in models]
    client = client_for(config)
    stats = _index_stats(client)
    pending = _pending_tasks(client, lives)
    failed = _failed_tasks(client, lives, limit * max(1, len(lives)))
    queues = _queues(config, lives, failed)
    return tuple(
        ModelGlance(
            name,
            live,
            queues[live][0],
            pending.get(live, 0),
            _index_view(stats, live),
            None if len(failed.get(live, ())) > limit else queues[live][1],
        )
        for name, live in zip(names, lives, strict=True)
    )


def _index_stats(client: Any) -> Mapping[str, Any]:
    """Every index's stats, from one `GET /stats`."""
    with backend_call(operation="read stats"):
        answer = client.http.get("stats")
    indexes = answer.get("indexes") if isinstance(answer, dict) else None
    return indexes if isinstance(indexes, dict) else {}


def _index_view(stats: Mapping[str, Any], index: str) -> IndexView:
    found = stats.get(index)
    return IndexView.of_stats(found) if isinstance(found, dict) else IndexView(False, None, None)


def _pending_tasks(client: Any, lives: Sequence[str]) -> dict[str, int]:
    """Enqueued and processing document tasks per live index: one listing when they fit in
    one read, else one count per index (a backlog is exactly when the figures matter)."""
    statuses = ["enqueued", "processing"]
    try:
        tasks = read_tasks(client, index_uids=lives, statuses=statuses)
    except TaskHistoryLimitError:
        return {
            live: count_tasks(client, index_uids=[live], statuses=statuses)[0] for live in lives
        }
    counts: dict[str, int] = {}
    for task in tasks:
        uid = str(task.get("indexUid"))
        counts[uid] = counts.get(uid, 0) + 1
    return counts


def _failed_tasks(client: Any, lives: Sequence[str], limit: int) -> dict[str, list[dict[str, Any]]]:
    """Failed document tasks of every live index and its rebuild target, by live index."""
    owners = {name: live for live in lives for name in (live, target_name(live))}
    tasks = read_tasks(client, index_uids=list(owners), statuses=["failed"], limit=limit)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        owner = owners.get(str(task.get("indexUid")))
        if owner is not None:
            grouped.setdefault(owner, []).append(task)
    return grouped


def _queues(
    config: Config, lives: Sequence[str], failed: Mapping[str, Sequence[dict[str, Any]]]
) -> dict[str, tuple[QueueGlance, int]]:
    """Per live index: the queue's glance, and the failed-work row count."""
    unobserved = {live: (UNOBSERVED, len(failed.get(live, ()))) for live in lives}
    return read_installed(
        config,
        "read the queue overview",
        lambda connection: _read_queues(connection, lives, failed),
        unobserved,
    )


def _read_queues(
    connection: Connection, lives: Sequence[str], failed: Mapping[str, Sequence[dict[str, Any]]]
) -> dict[str, tuple[QueueGlance, int]]:
    owners = {name: live for live in lives for name in (live, target_name(live))}
    counts: dict[str, dict[str, int]] = {live: {} for live in lives}
    grouped = (
        select(jobs.c.index_uid, jobs.c.state, func.count())
        .where(jobs.c.state.in_(_UNSETTLED), of_indexes(list(owners)))
        .group_by(jobs.c.index_uid, jobs.c.state)
    )
    for index, state, count in connection.execute(grouped):
        tally = counts[owners[index]]
        tally[state] = tally.get(state, 0) + int(count)
    ages = _oldest_pending_ages(connection, owners)
    found: dict[str, tuple[QueueGlance, int]] = {}
    for live in lives:
        pending, retrying, dead = tally_jobs(counts[live])
        tasks = failed.get(live, ())
        claimed = claimed_task_uids(connection, (live, target_name(live)), tasks) if tasks else ()
        shown_tasks = sum(1 for task in tasks if task.get("uid") not in claimed)
        glance = QueueGlance(True, pending, retrying, dead, ages.get(live))
        found[live] = (glance, retrying + dead + shown_tasks)
    return found


def _oldest_pending_ages(connection: Connection, owners: Mapping[str, str]) -> dict[str, float]:
    """The age of the oldest pending job per live index, on the database's clock."""
    statement = (
        select(jobs.c.index_uid, func.min(jobs.c.inserted_at))
        .where(jobs.c.state.in_([state.value for state in PENDING_STATES]))
        .where(of_indexes(list(owners)))
        .group_by(jobs.c.index_uid)
    )
    oldest: dict[str, dt.datetime] = {}
    for index, inserted in connection.execute(statement):
        live = owners[index]
        if inserted is not None and (live not in oldest or inserted < oldest[live]):
            oldest[live] = inserted
    if not oldest:
        return {}
    now = database_now(connection)
    return {live: pending_age(now, moment) for live, moment in oldest.items()}


__all__ = ["ModelGlance", "QueueGlance", "sync_overview"]
