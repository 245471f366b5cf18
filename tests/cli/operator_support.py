"""The operator CLI tests' application: `tests.cli.operator_app` loaded afresh against a
shared outbox database (SQLite file, or a PostgreSQL schema), plus helpers that put work in
each state on both sides (outbox jobs, Meilisearch tasks)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from scrypath.cli import main
from scrypath.config import Config
from scrypath.declaration import registry, spec_for
from scrypath.queue.jobs import JobError, ReasonClass
from scrypath.queue.table import jobs
from tests.cli.operator_app import DATABASE_VARIABLE
from tests.queue import support
from tests.queue.support import OutboxDatabase

shared_database = support.shared_database
APP_MODULE = "tests.cli.operator_app"
PRODUCT = f"{APP_MODULE}:Product"
REVIEW = f"{APP_MODULE}:Review"


@dataclass(frozen=True)
class App:
    """The loaded application, its database and this test's index prefix."""

    module: ModuleType
    database: OutboxDatabase
    config: Config

    @property
    def engine(self) -> Engine:
        return self.database.engine

    @property
    def url(self) -> str:
        return self.database.url

    @property
    def product(self) -> Any:
        return self.module.Product

    def index(self, model: Any = None) -> str:
        return spec_for(model or self.product).index_name(self.config.index_prefix)


@pytest.fixture
def app(
    shared_database: OutboxDatabase,
    scrypath_config: Config,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[App]:
    """The application imported as `--import` would, configuring its outbox from the
    environment; its models are the only ones declared during the test."""
    monkeypatch.setenv(DATABASE_VARIABLE, shared_database.url)
    with registry.isolated(empty=True):
        module = _load_app()
        module.AppBase.metadata.create_all(shared_database.engine)
        yield App(module, shared_database, scrypath_config)


def _load_app() -> ModuleType:
    if APP_MODULE in sys.modules:
        return importlib.reload(sys.modules[APP_MODULE])
    return importlib.import_module(APP_MODULE)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`scrypath argv...` in process: its exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def error_entry(
    reason_class: ReasonClass,
    reason: str,
    message: str,
    *,
    attempt: int = 1,
    at: dt.datetime | None = None,
    code: str | None = None,
    task: int | None = None,
) -> dict[str, Any]:
    return JobError(at or now(), attempt, reason_class, reason, message, code, task).to_json()


def insert_job(
    app: App,
    state: str,
    *,
    index: str | None = None,
    operation: str = "upsert",
    ids: Sequence[int] = (1,),
    attempt: int = 0,
    max_attempts: int = 8,
    errors: Sequence[dict[str, Any]] = (),
    at: dt.datetime | None = None,
) -> int:
    """One outbox job for Product in `state`, written as the worker would leave it."""
    at = at or now()
    payload = [{"id": n, "name": f"product {n}"} for n in ids] if operation == "upsert" else ids
    finished = state in ("completed", "discarded", "cancelled")
    row = {
        "operation": operation,
        "model": PRODUCT,
        "index_uid": index or app.index(),
        "payload": json.dumps(list(payload)),
        "document_ids": json.dumps(list(ids)),
        "document_count": len(ids),
        "state": state,
        "attempt": attempt,
        "max_attempts": max_attempts,
        "inserted_at": at - dt.timedelta(seconds=30),
        "scheduled_at": at,
        "attempted_at": at if attempt else None,
        "completed_at": at if finished else None,
        "errors": list(errors),
    }
    with app.engine.begin() as connection:
        key = connection.execute(insert(jobs).values(**row)).inserted_primary_key
    assert key is not None
    return int(key[0])


def add_documents(meilisearch: Any, index: str, documents: list[dict[str, Any]]) -> int:
    """Send documents straight to Meilisearch (no job behind it); the task's uid."""
    task = meilisearch.client.index(index).add_documents(documents, primary_key="id")
    return int(task.task_uid)


def settle(meilisearch: Any, uid: int) -> dict[str, Any]:
    meilisearch.client.wait_for_task(uid, timeout_in_ms=30_000)
    task: dict[str, Any] = meilisearch.client.http.get(f"tasks/{uid}")
    return task


def failed_task(
    meilisearch: Any, fake: Any, index: str, *, code: str = "invalid_document_id"
) -> int:
    """A failed document task on `index` that no outbox job knows about."""
    fake.faults.fail_next_tasks(1, code=code, index_uid=index)
    uid = add_documents(meilisearch, index, [{"id": 99, "name": "rejected"}])
    assert settle(meilisearch, uid)["status"] == "failed"
    return uid
