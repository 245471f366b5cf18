"""`sync_status`: the backend's, the queue's and the index's views, against the fake and a
real outbox (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, insert

from scrypath.config import Config, configure
from scrypath.errors import OutboxUnavailableError
from scrypath.indexes import ensure_index
from scrypath.operator.status import queue_status, status_summary, sync_status
from scrypath.queue import install
from scrypath.queue.database import forget_installed
from scrypath.queue.table import jobs
from tests.conftest import Models
from tests.operator.support import index_of, saved
from tests.queue.support import job_row, worker_for


def ago(seconds: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=seconds)


def test_a_held_task_is_pending_until_it_succeeds(
    models: Models, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    ensure_index(models.Post)
    meilisearch_fake.faults.hold_tasks()
    saved(models, models.Post(id=1, title="held"), sync_mode="manual")
    held = sync_status(models.Post)
    assert (held.backend.pending, held.backend.processing, held.backend.failed) == (1, 0, 0)
    assert held.index_view.exists is True
    meilisearch_fake.faults.release_tasks()
    meilisearch_fake.wait_idle()
    done = sync_status(models.Post)
    assert (done.backend.pending, done.backend.failed) == (0, 0)
    assert done.backend.last_succeeded_uid is not None
    assert done.backend.last_succeeded_at is not None
    assert done.backend.last_succeeded_at.endswith("Z")
    assert done.index_view.documents == 1


def test_a_task_held_in_processing_is_seen_processing(
    models: Models, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    if not hasattr(meilisearch_fake.faults, "hold_processing"):
        pytest.skip("this fake cannot hold a task in processing")
    ensure_index(models.Post)
    index = index_of(models.Post, scrypath_config)
    meilisearch_fake.faults.hold_processing(1, index_uid=index)
    saved(models, models.Post(id=1, title="slow"), sync_mode="manual")
    meilisearch_fake.faults.wait_processing()
    try:
        busy = sync_status(models.Post)
        assert (busy.backend.pending, busy.backend.processing) == (1, 1)
        assert busy.index_view.is_indexing is True
    finally:
        meilisearch_fake.faults.release_processing()
    meilisearch_fake.wait_idle()
    done = sync_status(models.Post)
    assert (done.backend.pending, done.backend.processing) == (0, 0)
    assert done.index_view.is_indexing is False


def test_failed_backend_tasks_are_counted(
    models: Models, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    ensure_index(models.Post)
    meilisearch_fake.faults.fail_next_tasks(2, code="internal")
    saved(models, models.Post(id=1, title="a"), sync_mode="manual")
    saved(models, models.Post(id=2, title="b"), sync_mode="manual")
    meilisearch_fake.wait_idle()
    assert sync_status(models.Post).backend.failed == 2


def test_without_an_outbox_the_queue_is_not_observed(
    models: Models, scrypath_config: Config
) -> None:
    report = sync_status(models.Post)
    assert report.queue.observed is False
    assert (report.queue.pending, report.queue.retrying, report.queue.failed) == (0, 0, 0)
    assert report.queue.oldest_pending_age_seconds is None
    assert report.index_view.exists is False
    assert report.index_view.documents is None


def test_an_outbox_not_installed_is_not_observed(models: Models, scrypath_config: Config) -> None:
    forget_installed()
    configure(outbox_url=models.database.engine)
    assert sync_status(models.Post).queue.observed is False


def test_the_queue_view_counts_each_state_and_the_sync_lag(
    outbox: Models, queue_config: Config
) -> None:
    configure(outbox_url=outbox.database.engine)
    index = index_of(outbox.Post, queue_config)
    rows = [
        job_row(outbox, index_uid=index, inserted_at=ago(120), scheduled_at=ago(120)),
        job_row(outbox, index_uid=index, state="scheduled", inserted_at=ago(30)),
        job_row(outbox, index_uid=index, state="executing", inserted_at=ago(10)),
        job_row(outbox, index_uid=index, state="retryable", inserted_at=ago(900)),
        job_row(outbox, index_uid=index, state="discarded", inserted_at=ago(900)),
        job_row(outbox, index_uid=f"{index}__reindex", state="cancelled"),
        job_row(outbox, index_uid=index, state="completed", completed_at=ago(60)),
        job_row(outbox, index_uid=index, state="completed", completed_at=ago(5)),
        job_row(outbox, index_uid="another_index", inserted_at=ago(5000)),
        job_row(outbox, index_uid="another_index", state="completed", completed_at=ago(1)),
    ]
    with outbox.database.engine.begin() as connection:
        connection.execute(insert(jobs), [{"completed_at": None, **row} for row in rows])
    queue = sync_status(outbox.Post).queue
    assert queue.observed is True
    assert (queue.pending, queue.retrying, queue.failed) == (3, 1, 2)
    assert queue.oldest_pending_age_seconds is not None
    assert 115 <= queue.oldest_pending_age_seconds < 3600
    assert queue.last_succeeded_at is not None
    last = dt.datetime.fromisoformat(queue.last_succeeded_at.removesuffix("Z"))
    assert abs((last - ago(5)).total_seconds()) < 60


def test_a_queued_write_is_pending_until_the_worker_delivers_it(
    outbox: Models, queue_config: Config
) -> None:
    configure(outbox_url=outbox.database.engine)
    saved(outbox, outbox.Post(id=1, title="queued"))
    waiting = sync_status(outbox.Post)
    assert waiting.queue.pending == 1
    assert waiting.queue.oldest_pending_age_seconds is not None
    assert waiting.queue.last_succeeded_at is None
    worker_for(outbox.database.engine).drain(handle_signals=False)
    done = sync_status(outbox.Post)
    assert (done.queue.pending, done.queue.oldest_pending_age_seconds) == (0, None)
    assert done.queue.last_succeeded_at is not None
    assert done.index_view.documents == 1


def test_the_json_is_versioned_and_ordered(outbox: Models, queue_config: Config) -> None:
    configure(outbox_url=outbox.database.engine)
    data = sync_status(outbox.Post).to_json()
    assert list(data) == ["version", "model", "index", "backend", "queue", "index_view"]
    assert data["version"] == 1
    assert data["model"] == "Post"
    assert list(data["backend"]) == [
        "pending",
        "processing",
        "failed",
        "last_succeeded_uid",
        "last_succeeded_at",
    ]
    assert list(data["queue"]) == [
        "observed",
        "pending",
        "retrying",
        "failed",
        "last_succeeded_at",
        "oldest_pending_age_seconds",
    ]
    assert list(data["index_view"]) == ["exists", "documents", "is_indexing"]
    json.dumps(data)


def test_a_summary_has_one_report_per_model(models: Models, scrypath_config: Config) -> None:
    reports = status_summary([models.Post, models.Author])
    assert [report.model for report in reports] == ["Post", "Author"]


def test_no_secret_in_the_status_or_its_error(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    text = json.dumps(sync_status(models.Post).to_json())
    if meilisearch.api_key:
        assert meilisearch.api_key not in text
    password = "pw-that-must-not-leak"
    configure(outbox_url=f"postgresql+psycopg://scrypath:{password}@127.0.0.1:1/nowhere")
    with pytest.raises(OutboxUnavailableError) as raised:
        sync_status(models.Post)
    assert password not in str(raised.value)
    assert password not in repr(raised.value.context)


def test_status_reads_stay_fast_over_a_large_completed_history() -> None:
    """The queue view uses the state indexes: 100k completed jobs must not be scanned."""
    engine = create_engine("sqlite://")
    install(engine)
    now = ago(0)
    row = {
        "operation": "upsert",
        "model": "app:Post",
        "index_uid": "posts",
        "payload": "[]",
        "document_ids": "[1]",
        "document_count": 1,
        "state": "completed",
        "attempt": 1,
        "max_attempts": 8,
        "inserted_at": now,
        "scheduled_at": now,
        "errors": [],
    }
    completed = [{**row, "completed_at": now - dt.timedelta(seconds=n)} for n in range(100_000)]
    with engine.begin() as connection:
        connection.execute(insert(jobs), completed)
        connection.execute(insert(jobs), [{**row, "state": "available"}] * 5)
    config = Config(outbox_url=engine)
    queue_status(config, ("posts", "posts__reindex"))
    started = time.perf_counter()
    queue = queue_status(config, ("posts", "posts__reindex"))
    assert time.perf_counter() - started < 0.2
    assert queue.pending == 5
    engine.dispose()
    forget_installed()
