"""Reliability evidence: faults, retries and a killed worker lose nothing.

- 1000 queued writes drained while a fifth of the batches meet an injected fault (HTTP 503,
  a dropped connection, a failed task): the index ends equal to the database, and only
  the jobs of an index whose every task fails (a permanent fault) are discarded.
- A worker process killed with SIGKILL mid-batch: once its lease expires, another worker
  completes every job.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from scrypath.config import Config, configure
from scrypath.declaration import spec_for
from scrypath.projection import project
from scrypath.queue import JobState, Worker, queue_counts
from scrypath.queue.table import jobs
from scrypath.sync import delete_record, sync_record
from tests.conftest import Models
from tests.queue.support import (
    FAST,
    OutboxDatabase,
    all_jobs,
    documents,
    enqueue_items,
    executing,
    wait_for,
    worker_command,
    worker_environment,
    worker_for,
)
from tests.queue.worker_app import QueueItem

FAULT_RATE = 0.2


def write_thousand_jobs(models: Models) -> None:
    """600 inserts, 250 updates, 100 deletes of posts and 50 author writes: 1000 jobs."""
    rng = random.Random(11)
    with models.session() as session:
        for n in range(1, 601):
            post = models.Post(id=n, title=f"post {n}", price=float(n % 50))
            session.add(post)
            session.flush()
            sync_record(post, session=session)
        for n in range(1, 51):
            author = models.Author(id=n, name=f"author {n}")
            session.add(author)
            session.flush()
            sync_record(author, session=session)
        session.commit()
        for n in rng.sample(range(1, 601), 250):
            post = session.get(models.Post, n)
            post.title = f"post {n} edited"
            session.flush()
            sync_record(post, session=session)
        for n in rng.sample(range(1, 601), 100):
            post = session.get(models.Post, n)
            session.delete(post)
            delete_record(post, session=session)
        session.commit()


FAULT_KINDS = ("http_503", "dropped_connection", "failed_task")


def inject(fake: Any, rng: random.Random, index: str, armed: int) -> str | None:
    """With probability FAULT_RATE, arm one fault (kinds in turn) for the next write."""
    if rng.random() >= FAULT_RATE:
        return None
    kind = FAULT_KINDS[armed % len(FAULT_KINDS)]
    if kind == "http_503":
        fake.faults.respond_next(1, status=503, route="/documents", method="POST")
    elif kind == "dropped_connection":
        fake.faults.respond_next(1, route="/documents", drop_connection=True)
    else:
        fake.faults.fail_next_tasks(1, code="internal", index_uid=index)
    return kind


def drain_under_faults(
    worker: Worker, fake: Any, index: str, permanent: str
) -> tuple[Counter[str], int]:
    """Run batches until every job is settled; the faults armed and the batches run.

    A fault is armed just before a batch and disarmed after it, so each one meets the batch
    it was drawn for; the permanent fault on the `permanent` index is always armed.
    """
    rng = random.Random(2024)
    injected: Counter[str] = Counter()
    batches = 0
    for _ in range(5000):
        if not due(worker.engine):
            if not worker.counts().pending:
                return injected, batches
            time.sleep(0.005)
            continue
        fake.faults.clear()
        fake.faults.fail_next_tasks(10**6, code="internal", index_uid=permanent)
        kind = inject(fake, rng, index, sum(injected.values()))
        if kind:
            injected[kind] += 1
        batches += 1 if worker.run_batch().claimed else 0
    raise AssertionError("the queue did not drain")


def due(engine: Any) -> int:
    """Jobs a claim would take now (faults are armed only when a batch will run)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    waiting = ("available", "scheduled", "retryable")
    statement = (
        select(func.count())
        .select_from(jobs)
        .where(jobs.c.state.in_(waiting), jobs.c.scheduled_at <= now)
    )
    with engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


def test_a_thousand_writes_under_injected_faults_lose_nothing(
    outbox: Models, queue_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    write_thousand_jobs(outbox)
    engine = outbox.database.engine
    assert queue_counts(engine).states["available"] == 1000
    post_index = spec_for(outbox.Post).index_name(queue_config.index_prefix)
    author_index = spec_for(outbox.Author).index_name(queue_config.index_prefix)
    events: list[Any] = []
    worker = worker_for(engine, batch_size=10, on_event=events.append)
    injected, batches = drain_under_faults(worker, meilisearch_fake, post_index, author_index)
    meilisearch_fake.faults.clear()

    found = all_jobs(engine)
    states = Counter((job.index, job.state) for job in found)
    assert states == {
        (post_index, JobState.COMPLETED): 950,
        (author_index, JobState.DISCARDED): 50,
    }
    for job in found:
        if job.index == author_index:
            assert job.attempt == job.max_attempts
            assert job.errors[-1].reason_class == "queue_exhausted"
    spec = spec_for(outbox.Post)
    with outbox.session() as session:
        expected = {post.id: project(post, spec) for post in session.query(outbox.Post)}
    assert len(expected) == 500
    assert documents(meilisearch, post_index) == expected
    retried = sum(1 for event in events if event.outcome == "retryable")
    assert sum(injected.values()) > 0 and retried > 0
    print(
        f"\n[{outbox.database.backend}] 1000 jobs in {batches} batches, faults injected "
        f"before {sum(injected.values())} of them ({dict(injected)}); "
        f"outcomes: {dict(Counter(event.outcome for event in events))}; "
        f"post jobs completed 950/950, permanent-fault jobs discarded 50/50, "
        f"index equals database ({len(expected)} documents)"
    )


def test_a_worker_killed_mid_batch_loses_nothing_once_its_lease_expires(
    app_items: OutboxDatabase,
    queue_config: Config,
    meilisearch: Any,
    meilisearch_fake: Any,
    tmp_path: Path,
) -> None:
    engine = app_items.engine
    enqueue_items(engine, 300)
    meilisearch_fake.faults.hold_tasks()
    environment = worker_environment(
        queue_config,
        SCRYPATH_TASK_TIMEOUT="4",
        SCRYPATH_QUEUE_LEASE_SECONDS="5",
        SCRYPATH_ENSURE_INDEX_ON_FIRST_SYNC="false",
    )
    log = (tmp_path / "killed.log").open("w")
    process = subprocess.Popen(
        worker_command(app_items.url, "--once", "--batch-size", "100"),
        env=environment,
        stdout=log,
        stderr=log,
    )
    try:
        wait_for(lambda: executing(engine) > 0, time.monotonic() + 60, "a batch in flight")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        log.close()
    stranded = [job for job in all_jobs(engine) if job.state == JobState.EXECUTING]
    meilisearch_fake.faults.release_tasks()
    assert process.returncode == -signal.SIGKILL
    assert len(stranded) == 100
    configure(queue_lease_seconds=5.0, **{**FAST, "task_timeout": 4.0})
    rescuer = Worker(engine, name="rescuer", poll_interval=0.05)
    rescuer.drain(wait_for_scheduled=True, handle_signals=False)
    found = {job.id: job for job in all_jobs(engine)}
    assert {job.state for job in found.values()} == {JobState.COMPLETED}
    for job in stranded:
        assert (found[job.id].lease_owner, found[job.id].attempt) == ("rescuer", 2)
    index = spec_for(QueueItem).index_name(queue_config.index_prefix)
    stored = documents(meilisearch, index)
    assert sorted(stored) == list(range(1, 301))
    assert {document["title"] for document in stored.values()} == {
        f"item {n} r1" for n in range(1, 301)
    }
