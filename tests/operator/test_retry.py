"""`retry_sync_work`: one chosen row re-queued, or refused with a typed reason.

A retried job goes back to the worker, which delivers what the database holds now: the
index ends with the current row, never the job's older snapshot. Task rows, jobs of
another index, settled or waiting jobs, unknown and malformed ids are refused, and a
refusal changes nothing.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from sqlalchemy import insert, select, update

import scrypath
from scrypath.config import Config, configure
from scrypath.declaration import spec_for
from scrypath.errors import (
    ConfigurationError,
    IndexMismatchError,
    NotRetryableError,
    WorkNotFoundError,
)
from scrypath.meilisearch.rebuild_marker import lock_name, target_name
from scrypath.operator import retry as retry_module
from scrypath.operator.retry import retry_sync_work
from scrypath.projection import project
from scrypath.queue import Job, JobState
from scrypath.queue.table import jobs
from scrypath.sync import sync_record
from tests.conftest import Models
from tests.queue.support import all_jobs, documents, job_row, worker_for


@pytest.fixture
def retry_config(outbox: Models, queue_config: Config) -> Config:
    """Queue mode with the outbox configured, jobs given two attempts."""
    configure(outbox_url=outbox.database.engine, queue_max_attempts=2)
    return scrypath.config.resolve()


def post_index(config: Config, models: Models) -> str:
    return spec_for(models.Post).index_name(config.index_prefix)


def write_post(models: Models, post_id: int, title: str) -> None:
    with models.session() as session:
        post = models.Post(id=post_id, title=title)
        session.add(post)
        session.flush()
        sync_record(post, session=session)
        session.commit()


def discard_first_job(models: Models, config: Config, fake: Any) -> Job:
    """Write post 1 as "old" and let every delivery attempt fail until it is discarded."""
    write_post(models, 1, "old")
    fake.faults.fail_next_tasks(
        100,
        code="internal",
        index_uid=post_index(config, models),
        task_type="documentAdditionOrUpdate",
    )
    worker_for(models.database.engine).drain(wait_for_scheduled=True, handle_signals=False)
    fake.faults.clear()
    (job,) = all_jobs(models.database.engine)
    assert job.state is JobState.DISCARDED
    return job


def insert_job(models: Models, **changes: Any) -> int:
    with models.database.engine.begin() as connection:
        inserted = connection.execute(
            insert(jobs).returning(jobs.c.id), [job_row(models, **changes)]
        )
        return int(inserted.scalar_one())


def job_by_id(models: Models, job_id: int) -> Job:
    return next(job for job in all_jobs(models.database.engine) if job.id == job_id)


def test_a_retried_discarded_job_delivers_the_row_as_it_is_now(
    outbox: Models, retry_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    discarded = discard_first_job(outbox, retry_config, meilisearch_fake)
    index = post_index(retry_config, outbox)
    assert 1 not in documents(meilisearch, index)
    assert json.loads(discarded.payload)[0]["title"] == "old"
    with outbox.session() as session:
        session.get(outbox.Post, 1).title = "new"
        session.commit()

    result = retry_sync_work(f"job:{discarded.id}")

    assert result.to_json() == {
        "version": 1,
        "id": f"job:{discarded.id}",
        "source": "outbox",
        "index": index,
        "model": "Post",
        "job": {
            "id": discarded.id,
            "operation": "upsert",
            "index": index,
            "document_count": 1,
            "state": "available",
        },
        "status": "requeued",
    }
    requeued = job_by_id(outbox, discarded.id)
    assert (requeued.state, requeued.attempt) == (JobState.AVAILABLE, 0)
    assert (requeued.lease_owner, requeued.lease_expires_at, requeued.completed_at) == (
        None,
        None,
        None,
    )
    assert requeued.errors[:-1] == discarded.errors
    entry = requeued.errors[-1]
    assert entry.reason == "operator_retry"
    assert "re-queued by an operator from state discarded after 2 attempt(s)" in entry.message
    assert requeued.scheduled_at >= discarded.scheduled_at

    report = worker_for(outbox.database.engine).drain(handle_signals=False)

    assert report.outcomes == {"completed": 1}
    assert job_by_id(outbox, discarded.id).state is JobState.COMPLETED
    with outbox.session() as session:
        current = project(session.get(outbox.Post, 1), spec_for(outbox.Post))
    assert documents(meilisearch, index)[1] == current
    assert current["title"] == "new"


def test_a_job_for_the_rebuild_target_is_retried_into_that_target(
    outbox: Models, retry_config: Config
) -> None:
    target = target_name(post_index(retry_config, outbox))
    job_id = insert_job(outbox, index_uid=target, state="retryable", attempt=1)
    result = retry_sync_work(f"job:{job_id}")
    assert (result.index, result.job.index) == (target, target)
    assert job_by_id(outbox, job_id).state is JobState.AVAILABLE


def test_a_payload_meilisearch_refused_as_too_large_can_be_retried(
    outbox: Models, retry_config: Config
) -> None:
    index = post_index(retry_config, outbox)
    job_id = insert_job(outbox, index_uid=index, state="cancelled", attempt=1)
    assert retry_sync_work(f"job:{job_id}").status == "requeued"


def test_a_job_of_another_prefix_is_refused_as_an_index_mismatch(
    outbox: Models, retry_config: Config
) -> None:
    job_id = insert_job(outbox, index_uid="old_prefix_posts", state="discarded", attempt=2)
    before = job_by_id(outbox, job_id)
    with pytest.raises(IndexMismatchError) as raised:
        retry_sync_work(f"job:{job_id}")
    error = raised.value
    assert error.reason == "index_mismatch"
    assert "'old_prefix_posts'" in error.message
    assert error.context["index"] == post_index(retry_config, outbox)
    assert error.context["job_index"] == "old_prefix_posts"
    assert job_by_id(outbox, job_id) == before


@pytest.mark.parametrize("state", ["completed", "available", "scheduled", "executing"])
def test_a_job_with_nothing_to_retry_is_refused_naming_its_state(
    outbox: Models, retry_config: Config, state: str
) -> None:
    job_id = insert_job(outbox, index_uid=post_index(retry_config, outbox), state=state)
    before = job_by_id(outbox, job_id)
    with pytest.raises(NotRetryableError) as raised:
        retry_sync_work(f"job:{job_id}")
    assert raised.value.reason == "not_retryable"
    assert f"job:{job_id} is {state}: nothing to retry" in raised.value.message
    assert raised.value.context["state"] == state
    assert job_by_id(outbox, job_id) == before


def test_a_completed_job_is_refused_after_a_real_delivery(
    outbox: Models, retry_config: Config
) -> None:
    write_post(outbox, 1, "t")
    worker_for(outbox.database.engine).drain(handle_signals=False)
    (job,) = all_jobs(outbox.database.engine)
    with pytest.raises(NotRetryableError, match="is completed: nothing to retry"):
        retry_sync_work(f"job:{job.id}")
    assert all_jobs(outbox.database.engine) == [job]


def test_a_job_whose_payload_cannot_be_replayed_is_refused_with_backfill(
    outbox: Models, retry_config: Config
) -> None:
    job_id = insert_job(
        outbox, index_uid=post_index(retry_config, outbox), state="cancelled", document_count=3
    )
    with pytest.raises(NotRetryableError) as raised:
        retry_sync_work(f"job:{job_id}")
    assert "count mismatch" in raised.value.message
    assert raised.value.context["recommended_action"] == "backfill"
    assert job_by_id(outbox, job_id).state is JobState.CANCELLED


def test_a_job_of_an_unknown_model_is_refused(outbox: Models, retry_config: Config) -> None:
    job_id = insert_job(outbox, model="nowhere.models:Gone", state="discarded")
    with pytest.raises(NotRetryableError, match="not importable or not searchable"):
        retry_sync_work(f"job:{job_id}")


def test_an_unknown_job_or_task_is_work_not_found(outbox: Models, retry_config: Config) -> None:
    with pytest.raises(WorkNotFoundError) as raised:
        retry_sync_work("job:4242")
    assert raised.value.reason == "work_not_found"
    assert raised.value.context["work_id"] == "job:4242"
    with pytest.raises(WorkNotFoundError, match="task:987654"):
        retry_sync_work("task:987654")


@pytest.mark.parametrize(
    "work_id",
    [
        "812",
        "job:",
        "job:0",
        "job:-1",
        "job:01",
        "jobs:1",
        "job:1x",
        " job:1",
        "job:1 ",
        "JOB:1",
        "task:abc",
        "job:99999999999999999999",
        "job:9223372036854775808",
        "",
        812,
        None,
    ],
)
def test_a_malformed_id_is_a_configuration_error_naming_work_id(work_id: Any) -> None:
    with pytest.raises(ConfigurationError) as raised:
        retry_sync_work(work_id)
    assert raised.value.reason == "configuration"
    assert raised.value.context["key"] == "work_id"


def failed_task(meilisearch: Any, fake: Any, index: str) -> int:
    """A document task on `index` that failed, written behind scrypath's back (no job)."""
    fake.faults.fail_next_tasks(1, code="invalid_document_fields", index_uid=index)
    answer = meilisearch.client.http.post(f"indexes/{index}/documents", [{"id": 7, "title": "x"}])
    uid = int(answer["taskUid"])
    meilisearch.client.wait_for_task(uid)
    assert meilisearch.client.http.get(f"tasks/{uid}")["status"] == "failed"
    return uid


def test_a_failed_task_is_not_retryable_and_names_backfill(
    outbox: Models, retry_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    scrypath.ensure_index(outbox.Post)
    uid = failed_task(meilisearch, meilisearch_fake, post_index(retry_config, outbox))
    with pytest.raises(NotRetryableError) as raised:
        retry_sync_work(f"task:{uid}")
    error = raised.value
    assert error.reason == "not_retryable"
    assert error.context["recommended_action"] == "backfill"
    assert error.context["model"] == "Post"
    assert "recommended action: backfill (backfill Post)" in error.message
    assert all_jobs(outbox.database.engine) == []


def test_a_failed_task_names_reindex_while_a_rebuild_is_pending(
    outbox: Models, retry_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    index = post_index(retry_config, outbox)
    scrypath.ensure_index(outbox.Post)
    meilisearch.client.wait_for_task(meilisearch.client.create_index(lock_name(index)).task_uid)
    uid = failed_task(meilisearch, meilisearch_fake, index)
    with pytest.raises(NotRetryableError) as raised:
        retry_sync_work(f"task:{uid}")
    assert raised.value.context["recommended_action"] == "reindex"
    assert "recommended action: reindex" in raised.value.message


def test_a_succeeded_task_has_nothing_to_retry(
    outbox: Models, retry_config: Config, meilisearch: Any
) -> None:
    status = scrypath.ensure_index(outbox.Post)
    with pytest.raises(NotRetryableError, match="succeeded, not failed") as raised:
        retry_sync_work(f"task:{status.settings_task.uid}")
    assert raised.value.context["recommended_action"] is None


def test_a_worker_claiming_the_job_mid_retry_wins_and_the_retry_refuses(
    outbox: Models, retry_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-queue is conditional on the state it checked: a claim in between is kept."""
    job_id = insert_job(outbox, index_uid=post_index(retry_config, outbox), state="retryable")
    checked = retry_module._check_job

    def claimed_meanwhile(job: Job, config: Config) -> Any:
        spec = checked(job, config)
        with outbox.database.engine.begin() as connection:
            connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(state="executing", attempt=1, lease_owner="other-worker")
            )
        return spec

    monkeypatch.setattr(retry_module, "_check_job", claimed_meanwhile)
    with pytest.raises(NotRetryableError, match="is executing: nothing to retry"):
        retry_sync_work(f"job:{job_id}")
    job = job_by_id(outbox, job_id)
    assert (job.state, job.attempt, job.lease_owner, job.errors) == (
        JobState.EXECUTING,
        1,
        "other-worker",
        (),
    )


def test_concurrent_retries_of_one_job_requeue_it_once(
    outbox: Models, retry_config: Config
) -> None:
    if outbox.database.backend != "postgresql":
        pytest.skip(
            "the tests' in-memory SQLite shares one connection between threads, so one "
            "thread's rollback can undo another's update; the race needs a connection per "
            "thread (PostgreSQL runs it)"
        )
    job_id = insert_job(
        outbox, index_uid=post_index(retry_config, outbox), state="discarded", attempt=2
    )
    barrier = threading.Barrier(4)
    results: list[object] = []

    def attempt() -> None:
        barrier.wait()
        try:
            results.append(retry_sync_work(f"job:{job_id}"))
        except NotRetryableError as error:
            results.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    requeued = [result for result in results if isinstance(result, retry_module.RetryResult)]
    refused = [result for result in results if isinstance(result, NotRetryableError)]
    assert (len(requeued), len(refused)) == (1, 3)
    job = job_by_id(outbox, job_id)
    assert [entry.reason for entry in job.errors] == ["operator_retry"]
    with outbox.database.engine.connect() as connection:
        state = connection.execute(select(jobs.c.state).where(jobs.c.id == job_id)).scalar_one()
    assert state == "available"
