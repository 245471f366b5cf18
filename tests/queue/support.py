"""Fixtures and helpers for the outbox: an installed outbox on each database, scrypath set to
queue mode against the provisioned Meilisearch, and helpers to read jobs and documents back.

`tests/queue/conftest.py` exposes the fixtures here; tests elsewhere import them by name."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from scrypath.caches import reset_caches
from scrypath.config import Config, configure, reset_configuration, resolve
from scrypath.indexes import ensure_index
from scrypath.queue import Job, Worker, install
from scrypath.queue.database import forget_installed
from scrypath.queue.payload import model_reference
from scrypath.queue.table import jobs
from scrypath.sync import sync_record
from tests.conftest import Models
from tests.queue.worker_app import AppBase, QueueItem

REPO = Path(__file__).resolve().parents[2]

FAST = {
    "poll_interval": 0.002,
    "max_poll_interval": 0.01,
    "queue_backoff_base": 0.001,
    "queue_backoff_cap": 0.004,
    "task_timeout": 10.0,
}


@pytest.fixture
def outbox(models: Models) -> Iterator[Models]:
    """The test's models, with the outbox installed in their database."""
    forget_installed()
    install(models.database.engine)
    yield models
    forget_installed()


@pytest.fixture
def queue_config(scrypath_config: Config) -> Iterator[Config]:
    """scrypath in queue mode on the provisioned Meilisearch, with fast polls and backoff."""
    configure(sync_mode="queue", **FAST)
    yield resolve()


def worker_for(engine: Engine, **options: Any) -> Worker:
    """A worker on `engine` that polls fast and draws its jitter from a fixed seed."""
    options.setdefault("poll_interval", 0.01)
    options.setdefault("rng", random.Random(7))
    return Worker(engine, **options)


def all_jobs(engine: Engine) -> list[Job]:
    with engine.connect() as connection:
        rows = connection.execute(select(jobs).order_by(jobs.c.id)).mappings().all()
    return [Job.from_row(row) for row in rows]


def documents(meilisearch: Any, index: str) -> dict[Any, dict[str, Any]]:
    found: dict[Any, dict[str, Any]] = {}
    offset = 0
    while True:
        page = meilisearch.client.http.get(f"indexes/{index}/documents?limit=1000&offset={offset}")
        for document in page["results"]:
            found[document["id"]] = document
        offset += len(page["results"])
        if offset >= page["total"] or not page["results"]:
            return found


def document_tasks(meilisearch: Any, index: str) -> list[dict[str, Any]]:
    """The index's document tasks, oldest first."""
    answer = meilisearch.client.http.get(f"tasks?indexUids={index}&limit=1000")
    kinds = ("documentAdditionOrUpdate", "documentDeletion")
    return [task for task in reversed(answer["results"]) if task["type"] in kinds]


def payload_of(job: Job) -> Any:
    return json.loads(job.payload)


def job_row(models: Models, **changes: Any) -> dict[str, Any]:
    """A raw outbox row for the Post model, with `changes` applied."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    row = {
        "operation": "upsert",
        "model": model_reference(models.Post),
        "index_uid": "anything",
        "payload": json.dumps([{"id": 1, "title": "t"}]),
        "document_ids": "[1]",
        "document_count": 1,
        "state": "available",
        "attempt": 0,
        "max_attempts": 8,
        "inserted_at": now,
        "scheduled_at": now,
        "errors": [],
    }
    return {**row, **changes}


@dataclass(frozen=True)
class OutboxDatabase:
    """A database a worker subprocess can open by URL, with the outbox installed."""

    backend: str
    url: str
    engine: Engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[OutboxDatabase]:
    """A file or server database reachable from other processes (not the in-memory one)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'outbox.db'}"
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("PRAGMA journal_mode=WAL"))
        yield from _installed("sqlite", url, engine)
        return
    yield from postgres_schema(request.getfixturevalue("postgres_url"))


def postgres_schema(base_url: str) -> Iterator[OutboxDatabase]:
    schema = f"scrypath_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    url = f"{base_url}{separator}options=-csearch_path%3D{schema}"
    try:
        yield from _installed("postgresql", url, create_engine(url))
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _installed(backend: str, url: str, engine: Engine) -> Iterator[OutboxDatabase]:
    forget_installed()
    install(engine)
    try:
        yield OutboxDatabase(backend, url, engine)
    finally:
        engine.dispose()
        forget_installed()


@pytest.fixture
def fresh_config() -> Iterator[None]:
    reset_configuration()
    reset_caches()
    yield
    reset_configuration()
    reset_caches()


@pytest.fixture
def app_items(shared_database: OutboxDatabase, queue_config: Config) -> Iterator[OutboxDatabase]:
    """The QueueItem table in a shared database, its index ready, queue mode configured."""
    AppBase.metadata.create_all(shared_database.engine)
    ensure_index(QueueItem)
    yield shared_database


def enqueue_items(engine: Any, count: int, revision: int = 1) -> None:
    with Session(engine) as session:
        for n in range(1, count + 1):
            item = QueueItem(id=n, title=f"item {n} r{revision}", revision=revision)
            session.add(item)
            session.flush()
            sync_record(item, session=session)
        session.commit()


def worker_command(url: str, *options: str) -> list[str]:
    runner = "import sys; from scrypath.cli import main; sys.exit(main())"
    return [
        sys.executable,
        "-c",
        runner,
        "worker",
        "--database",
        url,
        "--import",
        "tests.queue.worker_app",
        "--log-format",
        "json",
        *options,
    ]


def worker_environment(config: Config, **extra: str) -> dict[str, str]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SCRYPATH_MEILISEARCH_URL": config.meilisearch_url or "",
        "SCRYPATH_INDEX_PREFIX": config.index_prefix or "",
        "SCRYPATH_POLL_INTERVAL": "0.005",
        "SCRYPATH_MAX_POLL_INTERVAL": "0.02",
        **extra,
    }
    if config.meilisearch_api_key:
        environment["SCRYPATH_MEILISEARCH_API_KEY"] = config.meilisearch_api_key
    return environment


def executing(engine: Any) -> int:
    statement = select(func.count()).select_from(jobs).where(jobs.c.state == "executing")
    with engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


def wait_for(predicate: Any, deadline: float, what: str) -> None:
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)
