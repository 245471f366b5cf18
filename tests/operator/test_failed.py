"""`failed_sync_work`: outbox jobs and failed Meilisearch tasks, one row each, end to end
against the fake and a real outbox (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import insert

from scrypath.config import Config, configure, resolve
from scrypath.errors import TaskHistoryLimitError
from scrypath.indexes import ensure_index
from scrypath.operator.failed import failed_sync_work
from scrypath.operator.reasons import REASON_CLASSES
from scrypath.operator.status import sync_status
from scrypath.queue import JobState
from scrypath.queue.table import jobs
from tests.conftest import Models
from tests.operator.support import index_of, saved
from tests.queue.support import all_jobs, job_row, worker_for


def bad_write(meilisearch: Any, index: str) -> int:
    """A failed document task on `index` that no job sent; its uid."""
    body = json.dumps([{"id": "bad id!"}]).encode()
    answer = meilisearch.client.http.post(f"indexes/{index}/documents", body, "application/json")
    meilisearch.fake.wait_idle()
    return int(answer["taskUid"])


@pytest.fixture
def queued(outbox: Models, queue_config: Config, meilisearch_fake: Any) -> Models:
    """Queue mode with the outbox configured, the Post index ready."""
    configure(outbox_url=outbox.database.engine)
    ensure_index(outbox.Post)
    return outbox


def failing_job(models: Models, fake: Any, **fault: Any) -> int:
    """Queue one write whose first delivery fails; the failed task's uid."""
    index = index_of(models.Post, resolve())
    saved(models, models.Post(id=1, title="t"))
    fault.setdefault("code", "internal")
    fake.faults.fail_next_tasks(1, index_uid=index, **fault)
    worker_for(models.database.engine).run_batch()
    (job,) = all_jobs(models.database.engine)
    assert job.last_error is not None and job.last_error.task is not None
    return job.last_error.task


def test_a_failed_task_with_no_job_is_a_task_row(
    models: Models, scrypath_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    ensure_index(models.Post)
    uid = bad_write(meilisearch, index_of(models.Post, scrypath_config))
    (row,) = failed_sync_work(models.Post).rows
    assert (row.id, row.source, row.state, row.operation) == (
        f"task:{uid}",
        "meilisearch",
        "failed",
        "upsert",
    )
    assert (row.retryable, row.reason_class) == (False, "backend_rejected")
    assert row.reason.startswith(f"task {uid} failed: ")
    assert (row.attempt, row.max_attempts) == (None, None)
    assert row.failed_at is not None and row.failed_at.endswith("Z")
    assert "backfill" in row.recovery
    assert dict(row.metadata) == {
        "task_uid": uid,
        "type": "documentAdditionOrUpdate",
        "code": "invalid_document_id",
    }


def test_a_retrying_job_is_shown_once_not_also_as_its_task(
    queued: Models, meilisearch_fake: Any
) -> None:
    task = failing_job(queued, meilisearch_fake)
    assert sync_status(queued.Post).backend.failed == 1
    (row,) = failed_sync_work(queued.Post).rows
    (job,) = all_jobs(queued.database.engine)
    assert (row.id, row.source, row.state, row.retryable) == (
        f"job:{job.id}",
        "outbox",
        "retrying",
        True,
    )
    assert (row.reason_class, row.attempt, row.max_attempts) == ("transport", 1, 8)
    assert row.metadata["tasks"] == [task]
    assert row.metadata["job_state"] == "retryable"
    assert f"job:{job.id}" in row.recovery


def test_a_discarded_job_is_queue_exhausted(queued: Models, meilisearch_fake: Any) -> None:
    configure(queue_max_attempts=1)
    task = failing_job(queued, meilisearch_fake, code="invalid_document_fields")
    (row,) = failed_sync_work(queued.Post).rows
    assert (row.state, row.retryable, row.reason_class) == ("failed", True, "queue_exhausted")
    assert row.metadata["job_state"] == "discarded"
    assert row.metadata["tasks"] == [task]


def test_a_job_cancelled_for_an_invalid_payload_cannot_be_retried(
    queued: Models, queue_config: Config
) -> None:
    index = index_of(queued.Post, queue_config)
    with queued.database.engine.begin() as connection:
        connection.execute(insert(jobs), [job_row(queued, index_uid=index, payload="[{not json")])
    worker_for(queued.database.engine).run_batch()
    (row,) = failed_sync_work(queued.Post).rows
    assert row.metadata["job_state"] == "cancelled"
    assert (row.state, row.retryable, row.reason_class) == ("failed", False, "validation")
    assert "backfill" in row.recovery


def test_a_job_cancelled_as_too_large_is_retryable(queued: Models, meilisearch_fake: Any) -> None:
    saved(queued, queued.Post(id=1, title="t"))
    meilisearch_fake.faults.respond_next(1, status=413, route="/documents", method="POST")
    worker_for(queued.database.engine).run_batch()
    (row,) = failed_sync_work(queued.Post).rows
    assert row.metadata["job_state"] == "cancelled"
    assert (row.retryable, row.reason_class) == (True, "backend_rejected")
    assert "payload limit" in row.recovery


def test_a_task_whose_job_later_completed_is_not_failed_work(
    queued: Models, meilisearch_fake: Any
) -> None:
    failing_job(queued, meilisearch_fake)
    worker_for(queued.database.engine).drain(wait_for_scheduled=True, handle_signals=False)
    assert all_jobs(queued.database.engine)[0].state == JobState.COMPLETED
    assert sync_status(queued.Post).backend.failed == 1
    assert failed_sync_work(queued.Post).rows == ()


def test_the_rebuild_targets_failed_tasks_are_listed(
    models: Models, scrypath_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    index = index_of(models.Post, scrypath_config)
    uid = bad_write(meilisearch, f"{index}__reindex")
    (row,) = failed_sync_work(models.Post).rows
    assert (row.id, row.index) == (f"task:{uid}", f"{index}__reindex")
    assert "reindex" in row.recovery


def test_a_history_past_the_limit_is_an_error(
    models: Models, scrypath_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    index = index_of(models.Post, scrypath_config)
    for _ in range(3):
        bad_write(meilisearch, index)
    with pytest.raises(TaskHistoryLimitError) as raised:
        failed_sync_work(models.Post, limit=2)
    assert raised.value.context["limit"] == 2
    assert len(failed_sync_work(models.Post, limit=3).rows) == 3


def test_counts_are_dense_from_the_rows_and_newest_first(
    queued: Models, meilisearch: Any, meilisearch_fake: Any, queue_config: Config
) -> None:
    failing_job(queued, meilisearch_fake)
    index = index_of(queued.Post, queue_config)
    first = bad_write(meilisearch, index)
    second = bad_write(meilisearch, index)
    report = failed_sync_work(queued.Post, reason_class_counts=True)
    assert [row.id for row in report.rows][:2] == [f"task:{second}", f"task:{first}"]
    assert report.rows[-1].id.startswith("job:")
    data = report.to_json()
    assert list(data) == ["version", "model", "index", "total", "rows", "reason_class_counts"]
    assert data["total"] == len(data["rows"]) == 3
    counts = data["reason_class_counts"]
    assert list(counts) == ["version", "total", *REASON_CLASSES]
    assert counts["total"] == len(report.rows)
    assert sum(counts[name] for name in REASON_CLASSES) == counts["total"]
    assert (counts["transport"], counts["backend_rejected"]) == (1, 2)
    assert list(data["rows"][0]) == [
        "id",
        "source",
        "operation",
        "state",
        "retryable",
        "reason",
        "reason_class",
        "failed_at",
        "attempt",
        "max_attempts",
        "index",
        "recovery",
        "metadata",
    ]
    assert failed_sync_work(queued.Post).to_json()["reason_class_counts"] is None


def test_no_failed_work_gives_dense_zero_counts(
    models: Models, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    report = failed_sync_work(models.Post, reason_class_counts=True)
    assert report.rows == ()
    assert report.to_json()["reason_class_counts"] == {
        "version": 1,
        "total": 0,
        **dict.fromkeys(REASON_CLASSES, 0),
    }


def test_no_api_key_in_reasons_or_json(
    queued: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    key = meilisearch.api_key
    if key is None:
        key = "sk-operator-key-that-must-not-leak"
        configure(meilisearch_api_key=key)
    failing_job(queued, meilisearch_fake, message=f"refused with key {key}")
    ensure_index(queued.Post)
    meilisearch_fake.faults.fail_next_tasks(1, code="internal", message=f"again {key}")
    saved(queued, queued.Post(id=2, title="manual"), sync_mode="manual")
    meilisearch_fake.wait_idle()
    report = failed_sync_work(queued.Post, reason_class_counts=True)
    assert len(report.rows) == 2
    text = json.dumps(report.to_json())
    assert key not in text
    assert "***" in text


def test_an_error_entry_keeps_its_task_and_old_entries_stay_readable() -> None:
    import datetime as dt

    from scrypath.queue.jobs import JobError

    entry = JobError(dt.datetime(2024, 1, 1), 2, "transport", "task_failed", "m", "internal", 41)
    assert JobError.from_json(entry.to_json()) == entry
    old = {k: v for k, v in entry.to_json().items() if k != "task"}
    assert JobError.from_json(old).task is None
    assert JobError.from_json({**old, "task": True}).task is None
    assert JobError.from_json({**old, "task": "41"}).task is None


def test_a_reason_never_shows_the_outbox_password_or_the_api_key() -> None:
    from scrypath.operator.failed import _safe, _secrets

    config = Config(
        meilisearch_api_key="sk-reason-key-123456",
        outbox_url="postgresql+psycopg://app:db-pw-that-must-not-leak@db.example/app",
    )
    secrets = _secrets(config)
    text = _safe(
        "connect to app:db-pw-that-must-not-leak@db failed;\nkey sk-reason-key-123456 refused",
        secrets,
    )
    assert "db-pw-that-must-not-leak" not in text
    assert "sk-reason-key-123456" not in text
    assert "\n" not in text and "***" in text
    assert len(_safe("x" * 5000, secrets)) == 300
