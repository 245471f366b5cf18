"""The heavy run: 4 worker processes drain 10k jobs from one PostgreSQL outbox.

FOR UPDATE SKIP LOCKED means no two workers ever claim the same job: every job is claimed
once (attempt 1), completed once (one completion event across all workers' logs, by the
worker whose lease the row records), and none is lost (the index holds every document).

The test holds an exclusive lock on the outbox table until all four workers wait on their
first claim, so every worker takes part however unevenly the processes start; the run
would prove nothing about parallel claims if one worker drained everything alone.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from scrypath.config import Config
from scrypath.declaration import spec_for
from scrypath.indexes import ensure_index
from scrypath.projection import project
from scrypath.queue import Job, JobState
from scrypath.queue.database import TABLE_NAME, utcnow
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
BATCH = 250
START_DEADLINE = 120.0


@pytest.fixture
def postgres_outbox(postgres_url: str) -> Iterator[OutboxDatabase]:
    yield from postgres_schema(postgres_url)


@dataclass(frozen=True, slots=True)
class WorkerRun:
    """One worker process and the files its summary (stdout) and job events (stderr) go to."""

    process: subprocess.Popen[bytes]
    summary: Path
    log: Path

    def report(self) -> dict[str, Any]:
        """The worker's final `--json` summary."""
        report: dict[str, Any] = json.loads(self.summary.read_text().strip().splitlines()[-1])
        return report

    def events(self) -> list[dict[str, Any]]:
        lines = self.log.read_text().splitlines()
        found = [json.loads(line) for line in lines if line.startswith("{")]
        return [event for event in found if event.get("event") == "job"]


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


@contextmanager
def claims_held(database: OutboxDatabase) -> Iterator[Connection]:
    """An exclusive lock on the outbox table: every claim waits until the block ends."""
    with database.engine.connect() as connection, connection.begin():
        connection.execute(text(f"LOCK TABLE {TABLE_NAME} IN ACCESS EXCLUSIVE MODE"))
        yield connection


def waiting_sessions(connection: Connection) -> int:
    """How many other sessions wait for a lock on the outbox table."""
    statement = text(
        "SELECT count(DISTINCT pid) FROM pg_locks "
        "WHERE relation = to_regclass(:table) AND NOT granted"
    )
    return int(connection.execute(statement, {"table": TABLE_NAME}).scalar_one())


def start_workers(database: OutboxDatabase, config: Config, directory: Path) -> list[WorkerRun]:
    environment = worker_environment(config)
    command = worker_command(database.url, "--once", "--json", "--batch-size", str(BATCH))
    runs = []
    for n in range(WORKERS):
        summary, log = directory / f"worker-{n}.json", directory / f"worker-{n}.log"
        with summary.open("w") as out, log.open("w") as err:
            process = subprocess.Popen(command, env=environment, stdout=out, stderr=err)
        runs.append(WorkerRun(process, summary, log))
    return runs


def wait_until_all_wait(connection: Connection, runs: list[WorkerRun]) -> None:
    """Until every worker waits on its first claim; fails early when a worker exits."""
    deadline = time.monotonic() + START_DEADLINE
    while waiting_sessions(connection) < WORKERS:
        for run in runs:
            if run.process.poll() is not None:
                pytest.fail(f"a worker exited before claiming:\n{run.log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"only {waiting_sessions(connection)} of {WORKERS} workers started")
        time.sleep(0.05)


@contextmanager
def reaped(runs: list[WorkerRun]) -> Iterator[list[WorkerRun]]:
    """The runs; if the block fails, every process still alive is killed."""
    try:
        yield runs
    except BaseException:
        for run in runs:
            if run.process.poll() is None:
                run.process.kill()
                run.process.wait()
        raise


def assert_every_worker_took_part(reports: list[dict[str, Any]]) -> None:
    """Each summary: a distinct worker that claimed at least one full batch, completed all it
    claimed and nothing else; together they claimed every job."""
    assert len({report["worker"] for report in reports}) == WORKERS
    for report in reports:
        claimed = report["claimed"]
        assert claimed >= BATCH
        assert -(-claimed // BATCH) <= report["batches"] <= claimed
        assert report["outcomes"] == {
            "completed": claimed,
            "superseded": 0,
            "retryable": 0,
            "discarded": 0,
            "cancelled": 0,
        }
        assert report["swept"] == 0
    assert sum(report["claimed"] for report in reports) == JOBS


def assert_rows_settled_once(jobs: list[Job], names: set[str]) -> None:
    """Every job completed on its first attempt, under the lease of one of the workers."""
    assert len(jobs) == JOBS
    assert {job.state for job in jobs} == {JobState.COMPLETED}
    assert {job.attempt for job in jobs} == {1}
    assert {job.lease_owner for job in jobs} == names


def assert_events_match_leases(
    runs: list[WorkerRun], reports: list[dict[str, Any]], jobs: list[Job]
) -> Counter[int]:
    """Each worker logged one completion per job it claimed, exactly the jobs whose rows
    name it as lease owner; returns how often each job was completed."""
    completed: Counter[int] = Counter()
    for run, report in zip(runs, reports, strict=True):
        events = run.events()
        assert {event["outcome"] for event in events} == {"completed"}
        assert {event["worker"] for event in events} == {report["worker"]}
        assert {event["attempt"] for event in events} == {1}
        ids = [event["job_id"] for event in events]
        assert len(ids) == report["claimed"]
        assert set(ids) == {job.id for job in jobs if job.lease_owner == report["worker"]}
        completed.update(ids)
    return completed


def test_four_worker_processes_complete_every_job_exactly_once(
    postgres_outbox: OutboxDatabase, queue_config: Config, meilisearch: Any, tmp_path: Path
) -> None:
    AppBase.metadata.create_all(postgres_outbox.engine)
    ensure_index(QueueItem)
    enqueue_single_record_jobs(postgres_outbox, queue_config)
    with claims_held(postgres_outbox) as lock:
        runs = start_workers(postgres_outbox, queue_config, tmp_path)
        with reaped(runs):
            wait_until_all_wait(lock, runs)
    with reaped(runs):
        for run in runs:
            assert run.process.wait(timeout=300) == 0, run.log.read_text()

    reports = [run.report() for run in runs]
    assert_every_worker_took_part(reports)
    found = all_jobs(postgres_outbox.engine)
    assert_rows_settled_once(found, {report["worker"] for report in reports})
    completed = assert_events_match_leases(runs, reports, found)
    assert set(completed) == {job.id for job in found}
    assert set(completed.values()) == {1}
    index = spec_for(QueueItem).index_name(queue_config.index_prefix)
    stored = documents(meilisearch, index)
    assert {key: doc["title"] for key, doc in stored.items()} == {
        n: f"item {n}" for n in range(1, JOBS + 1)
    }
    shares = ", ".join(str(report["claimed"]) for report in reports)
    print(
        f"\n{JOBS} jobs, {WORKERS} worker processes: {len(completed)} completed exactly once, "
        f"all {len(reports)} workers took part (claimed {shares}), none lost"
    )
