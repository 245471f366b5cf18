"""The operator tools at scale: failed work and status against reading the same rows raw.

- `failed_sync_work` over 1000 failed Meilisearch tasks plus 10k failed outbox jobs, against
  a hand-written read of the same rows, in alternating rounds: the failed document tasks
  page by page, the failed jobs, and the other jobs the report reads to tell which failed
  task belongs to a job (jobs in flight, and completed jobs that failed before, since the
  oldest failed task). Target: at most 1.5x.
- `sync_status` with 100k completed jobs in a SQLite outbox (plus the failed ones): its wall
  time, which must stay under 200 ms because every queue count is an indexed query.

Both run against scrypath's fake in its own process, unless `SCRYPATH_MEILISEARCH_URL`
names a real Meilisearch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import meilisearch
from bench_server import server
from outbox_db import insert_jobs, sqlite_outbox, transport_error
from queue_models import INDEX, Base, Item
from rounds import POLL_MS, interleave, timed
from sqlalchemy import Engine, String, cast, select

import scrypath
from scrypath.operator.failed import failed_sync_work
from scrypath.operator.status import sync_status
from scrypath.queue import jobs
from scrypath.queue.payload import model_reference

FAILED_STATES = ("retryable", "discarded", "cancelled")


def outbox(directory: Path, failed_jobs: int, completed_jobs: int) -> Engine:
    """A SQLite outbox holding `failed_jobs` failed and `completed_jobs` completed jobs."""
    engine = sqlite_outbox(directory, Base.metadata)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    error = transport_error(now, attempt=1)
    rows = [_job(n, FAILED_STATES[n % 3], now, [error]) for n in range(1, failed_jobs + 1)]
    rows += [_job(n, "completed", now, []) for n in range(1, completed_jobs + 1)]
    insert_jobs(engine, rows)
    return engine


def _job(n: int, state: str, now: dt.datetime, errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "operation": "upsert",
        "model": model_reference(Item),
        "index_uid": INDEX,
        "payload": json.dumps([{"id": n, "title": "t", "body": "b", "kind": "k"}]),
        "document_ids": f"[{n}]",
        "document_count": 1,
        "state": state,
        "attempt": {"completed": 1, "retryable": 2}.get(state, 8),
        "max_attempts": 8,
        "inserted_at": now,
        "scheduled_at": now,
        "completed_at": now if state != "retryable" else None,
        "errors": errors,
    }


def failed_tasks(client: meilisearch.Client, count: int) -> None:
    """`count` failed document tasks on the index: documents whose id Meilisearch refuses."""
    index = client.index(INDEX)
    last = None
    for n in range(count):
        last = index.add_documents([{"id": f"bad id {n}", "title": "t"}], primary_key="id")
    if last is not None:
        index.wait_for_task(last.task_uid, timeout_in_ms=600_000, interval_in_ms=POLL_MS)


def raw_read(client: meilisearch.Client, engine: Engine) -> int:
    """The same rows read by hand: failed document tasks page by page, and the failed jobs."""
    found = 0
    oldest = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cursor: int | None = None
    while True:
        path = (
            f"tasks?indexUids={INDEX}&statuses=failed"
            "&types=documentAdditionOrUpdate,documentDeletion&limit=1000"
        )
        page = client.http.get(path + (f"&from={cursor}" if cursor is not None else ""))
        found += len(page["results"])
        for task in page["results"]:
            finished = dt.datetime.fromisoformat(task["finishedAt"][:26].rstrip("Z"))
            oldest = min(oldest, finished)
        cursor = page.get("next")
        if cursor is None:
            break
    failed = select(jobs).where(jobs.c.index_uid == INDEX, jobs.c.state.in_(FAILED_STATES))
    in_flight = select(jobs.c.errors).where(
        jobs.c.index_uid == INDEX, jobs.c.state.in_(("available", "scheduled", "executing"))
    )
    failed_before = select(jobs.c.errors).where(
        jobs.c.index_uid == INDEX,
        jobs.c.state == "completed",
        cast(jobs.c.errors, String) != "[]",
        jobs.c.completed_at >= oldest - dt.timedelta(hours=1),
    )
    with engine.connect() as connection:
        found += len(connection.execute(failed).mappings().all())
        for statement in (in_flight, failed_before):
            connection.execute(statement).all()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--failed-jobs", type=int, default=10_000)
    parser.add_argument("--completed-jobs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with server() as (url, key, description), tempfile.TemporaryDirectory() as directory:
        print(f"server: {description}")
        scrypath.configure(meilisearch_url=url, meilisearch_api_key=key, sync_mode="inline")
        engine = outbox(Path(directory), args.failed_jobs, args.completed_jobs)
        scrypath.configure(outbox_url=engine)
        client = meilisearch.Client(url, key)
        scrypath.ensure_index(Item)
        failed_tasks(client, args.tasks)
        limit = args.tasks + 100
        report = failed_sync_work(Item, reason_class_counts=True, limit=limit)
        expected = raw_read(client, engine)
        assert len(report.rows) == expected, (len(report.rows), expected)
        comparison = interleave(
            timed(lambda: failed_sync_work(Item, reason_class_counts=True, limit=limit)),
            timed(lambda: raw_read(client, engine)),
            args.rounds,
        )
        verdict = "within" if comparison.ratio <= 1.5 else "OVER"
        print(
            f"failed_sync_work ({len(report.rows)} rows: {args.tasks} tasks, "
            f"{args.failed_jobs} jobs): {comparison.ours_median * 1000:.0f} ms vs raw read "
            f"{comparison.baseline_median * 1000:.0f} ms -> {comparison.ratio:.2f}x "
            f"({verdict} the 1.5x target; medians of {args.rounds} interleaved rounds)"
        )
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            status = sync_status(Item)
            times.append(time.perf_counter() - started)
        median = statistics.median(times) * 1000
        verdict = "within" if median < 200 else "OVER"
        print(
            f"sync_status with {args.completed_jobs} completed and {args.failed_jobs} failed jobs "
            f"(queue failed={status.queue.failed}): {median:.1f} ms median of {args.rounds} "
            f"({verdict} the 200 ms target)"
        )


if __name__ == "__main__":
    main()
