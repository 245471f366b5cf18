"""The heavy run: 4 worker processes drain 10k jobs from one PostgreSQL outbox.

FOR UPDATE SKIP LOCKED means no two workers ever claim the same job: every job is claimed
once (attempt 1), completed once (one completion event across all workers' logs), and none
is lost (the index holds every document).
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from scrypath.config import Config
from scrypath.declaration import spec_for
from scrypath.indexes import ensure_index
from scrypath.projection import project
from scrypath.queue import JobState
from scrypath.queue.database import utcnow
from scrypath.queue.enqueue import insert_rows, job_rows
from tests.queue.support import (
    OutboxDatabase,
    all_jobs,
    documents,
    postgres_schema,
    worker_command,
    worker_environment,
)
from tests.queue.worker_app import AppBase, QueueItem

pytestmark = [pytest.mark.postgres, pytest.mark.heavy]

JOBS = 10_000
WORKERS = 4


@pytest.fixture
def postgres_outbox() -> Iterator[OutboxDatabase]:
    yield from postgres_schema()


def enqueue_single_record_jobs(database: OutboxDatabase, config: Config) -> None:
    """10k single-document upsert jobs, as queue mode writes them, in one transaction."""
    spec = spec_for(QueueItem)
    index = spec.index_name(config.index_prefix)
    now = utcnow()
    items = [QueueItem(id=n, title=f"item {n}", revision=1) for n in range(1, JOBS + 1)]
    rows = [
        row
        for item in items
        for row in job_rows(spec, config, index, {item.id: project(item, spec)}, (), now=now)
    ]
    with Session(database.engine) as session:
        session.add_all(items)
        session.flush()
        insert_rows(session.connection(), rows)
        session.commit()


def completions(log: str) -> list[int]:
    events = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [
        event["job_id"]
        for event in events
        if event.get("event") == "job" and event["outcome"] in ("completed", "superseded")
    ]


def test_four_worker_processes_complete_every_job_exactly_once(
    postgres_outbox: OutboxDatabase, queue_config: Config, meilisearch: Any, tmp_path: Path
) -> None:
    AppBase.metadata.create_all(postgres_outbox.engine)
    ensure_index(QueueItem)
    enqueue_single_record_jobs(postgres_outbox, queue_config)
    environment = worker_environment(queue_config)
    logs = [tmp_path / f"worker-{n}.log" for n in range(WORKERS)]
    processes = []
    for log in logs:
        with log.open("w") as stream:
            command = worker_command(postgres_outbox.url, "--once", "--batch-size", "250")
            processes.append(
                subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=stream)
            )
    for process in processes:
        assert process.wait(timeout=300) == 0
    completed = [job_id for log in logs for job_id in completions(log.read_text())]
    counted = Counter(completed)
    assert len(counted) == JOBS
    assert set(counted.values()) == {1}
    found = all_jobs(postgres_outbox.engine)
    assert {job.state for job in found} == {JobState.COMPLETED}
    assert {job.attempt for job in found} == {1}
    workers_used = {job.lease_owner for job in found}
    index = spec_for(QueueItem).index_name(queue_config.index_prefix)
    assert len(documents(meilisearch, index)) == JOBS
    print(
        f"\n{JOBS} jobs, {WORKERS} worker processes: {len(counted)} completed exactly once, "
        f"{len(workers_used)} workers took part, none lost"
    )
