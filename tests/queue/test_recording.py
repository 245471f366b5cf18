"""Inline failures with an outbox configured: recorded as retryable jobs, nothing lost."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scrypath.config import Config, configure
from scrypath.errors import HTTPError, TaskFailedError, TaskTimeoutError, TransportError
from scrypath.queue import JobState
from scrypath.queue.database import forget_installed
from scrypath.sync import sync_record, sync_records
from tests.conftest import Models
from tests.queue.support import FAST, all_jobs, documents, worker_for


@pytest.fixture
def recording(outbox: Models, scrypath_config: Config) -> Models:
    """Inline mode with the outbox configured for failed work."""
    configure(outbox_url=outbox.database.engine, **FAST)
    return outbox


def saved_post(models: Models, **values: Any) -> Any:
    with models.session() as session:
        post = models.Post(**{"id": 1, "title": "t", **values})
        session.add(post)
        session.commit()
    return post


def warm(models: Models) -> Any:
    """A post synced once, so the index exists and faults hit the document write."""
    post = saved_post(models)
    sync_record(post)
    return post


def test_a_transport_failure_is_recorded_and_the_worker_delivers_it(
    recording: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    post = warm(recording)
    with recording.session() as session:
        post = session.merge(post)
        post.title = "written during the outage"
        session.commit()
    meilisearch_fake.faults.respond_next(1, route="/documents", drop_connection=True)
    with pytest.raises(TransportError) as caught:
        sync_record(post)
    (job,) = all_jobs(recording.database.engine)
    assert f"recorded as job {job.id} in the outbox" in str(caught.value)
    assert caught.value.context["jobs"] == [job.id]
    assert (job.state, job.attempt) == (JobState.RETRYABLE, 1)
    assert job.errors[0].reason_class == "transport"
    worker_for(recording.database.engine).drain(wait_for_scheduled=True, handle_signals=False)
    assert all_jobs(recording.database.engine)[0].state == JobState.COMPLETED
    index = caught.value.context["index"]
    assert documents(meilisearch, index)[1]["title"] == "written during the outage"


def test_a_failed_task_is_recorded_with_its_code(recording: Models, meilisearch_fake: Any) -> None:
    post = warm(recording)
    meilisearch_fake.faults.fail_next_tasks(1, code="internal")
    with pytest.raises(TaskFailedError) as caught:
        sync_record(post)
    assert caught.value.code == "internal"
    (job,) = all_jobs(recording.database.engine)
    assert (job.errors[0].reason_class, job.errors[0].code) == ("backend_rejected", "internal")


def test_a_timeout_is_recorded(recording: Models, meilisearch_fake: Any) -> None:
    post = warm(recording)
    meilisearch_fake.faults.hold_tasks()
    with pytest.raises(TaskTimeoutError) as caught:
        sync_record(post, task_timeout=0.2)
    meilisearch_fake.faults.release_tasks()
    assert "may still finish" in str(caught.value)
    assert len(caught.value.context["jobs"]) == 1


def test_a_server_error_is_recorded_but_a_client_error_is_not(
    recording: Models, meilisearch_fake: Any
) -> None:
    post = warm(recording)
    meilisearch_fake.faults.respond_next(1, status=503, route="/documents", method="POST")
    with pytest.raises(HTTPError):
        sync_record(post)
    meilisearch_fake.faults.respond_next(1, status=400, route="/documents", method="POST")
    with pytest.raises(HTTPError) as caught:
        sync_record(post)
    assert "outbox" not in str(caught.value)
    assert "jobs" not in caught.value.context
    assert len(all_jobs(recording.database.engine)) == 1


def test_only_the_undelivered_operation_is_recorded(
    recording: Models, meilisearch_fake: Any
) -> None:
    warm(recording)
    with recording.session() as session:
        posts = [recording.Post(id=2, title="a"), recording.Post(id=3, title="b", status="draft")]
        session.add_all(posts)
        session.commit()
    meilisearch_fake.faults.fail_next_tasks(1, task_type="documentDeletion")
    with pytest.raises(TaskFailedError):
        sync_records(posts)
    (job,) = all_jobs(recording.database.engine)
    assert (job.operation, json.loads(job.document_ids)) == ("delete", [3])


def test_without_an_outbox_nothing_is_recorded(
    outbox: Models, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    post = warm(outbox)
    meilisearch_fake.faults.respond_next(1, route="/documents", drop_connection=True)
    with pytest.raises(TransportError) as caught:
        sync_record(post)
    assert "outbox" not in str(caught.value)
    assert all_jobs(outbox.database.engine) == []


def test_when_recording_fails_too_the_error_says_why(
    models: Models, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    forget_installed()
    configure(outbox_url=models.database.engine)
    post = warm(models)
    meilisearch_fake.faults.respond_next(1, route="/documents", drop_connection=True)
    with pytest.raises(TransportError) as caught:
        sync_record(post)
    assert "recording the work in the outbox failed too [outbox_not_installed]" in str(caught.value)
    assert caught.value.context["jobs"] == []
    assert isinstance(caught.value.__cause__, TransportError)
