from __future__ import annotations

import datetime as dt
import itertools
import logging
from typing import Any

import pytest
from sqlalchemy import insert, update

from scrypath.config import Config
from scrypath.declaration import spec_for
from scrypath.errors import ConfigurationError
from scrypath.operator.failed import failed_sync_work
from scrypath.projection import project
from scrypath.queue import JobEvent, JobState, queue_counts
from scrypath.queue import batch as batch_module
from scrypath.queue.table import jobs
from scrypath.sync import delete_record, sync_record, sync_records
from tests.conftest import Models
from tests.queue.support import all_jobs, document_tasks, documents, job_row, worker_for


def committed(models: Models, *records: Any, delete: tuple[Any, ...] = ()) -> list[Any]:
    """Save `records`, delete the rows of `delete`, and enqueue both in one commit."""
    with models.session() as session:
        session.add_all(records)
        session.flush()
        for record in records:
            sync_record(record, session=session)
        for record in delete:
            session.delete(session.get(type(record), record.id))
            delete_record(record, session=session)
        session.commit()
    return list(records)


def index_of(models: Models, config: Config, model: Any) -> str:
    return spec_for(model).index_name(config.index_prefix)


def test_a_drain_leaves_the_index_equal_to_the_database(
    outbox: Models, queue_config: Config, meilisearch: Any
) -> None:
    posts = committed(outbox, *(outbox.Post(id=n, title=f"post {n}") for n in range(1, 11)))
    with outbox.session() as session:
        for post in posts[:3]:
            session.merge(post).title = "edited"
        session.flush()
        sync_records([session.get(outbox.Post, n) for n in (1, 2, 3)], session=session)
        gone = session.get(outbox.Post, 10)
        session.delete(gone)
        delete_record(gone, session=session)
        session.commit()
    report = worker_for(outbox.database.engine).drain(handle_signals=False)
    assert report.outcomes == {"completed": 8, "superseded": 4}
    spec = spec_for(outbox.Post)
    with outbox.session() as session:
        expected = {post.id: project(post, spec) for post in session.query(outbox.Post)}
    assert documents(meilisearch, index_of(outbox, queue_config, outbox.Post)) == expected
    assert {job.state for job in all_jobs(outbox.database.engine)} == {JobState.COMPLETED}


def test_five_updates_to_one_record_make_one_write_with_the_latest_snapshot(
    outbox: Models, queue_config: Config, meilisearch: Any
) -> None:
    (post,) = committed(outbox, outbox.Post(id=1, title="v0"))
    for version in range(1, 5):
        with outbox.session() as session:
            session.merge(post).title = f"v{version}"
            session.flush()
            sync_record(session.get(outbox.Post, 1), session=session)
            session.commit()
    worker_for(outbox.database.engine).drain(handle_signals=False)
    index = index_of(outbox, queue_config, outbox.Post)
    writes = document_tasks(meilisearch, index)
    assert len(writes) == 1
    assert writes[0]["details"]["receivedDocuments"] == 1
    assert documents(meilisearch, index)[1]["title"] == "v4"
    found = all_jobs(outbox.database.engine)
    newest = found[-1].id
    assert [job.superseded_by for job in found] == [newest] * 4 + [None]
    assert {job.state for job in found} == {JobState.COMPLETED}


def test_a_batch_sends_one_request_per_index_and_operation(
    outbox: Models, queue_config: Config, meilisearch: Any
) -> None:
    posts = [outbox.Post(id=n, title=f"p{n}") for n in range(1, 9)]
    authors = [outbox.Author(id=n, name=f"a{n}") for n in range(1, 4)]
    committed(outbox, *posts, *authors)
    committed(outbox, delete=tuple(posts[:2]))
    worker_for(outbox.database.engine, batch_size=100).drain(handle_signals=False)
    post_writes = document_tasks(meilisearch, index_of(outbox, queue_config, outbox.Post))
    author_writes = document_tasks(meilisearch, index_of(outbox, queue_config, outbox.Author))
    assert [task["type"] for task in post_writes] == [
        "documentAdditionOrUpdate",
        "documentDeletion",
    ]
    assert post_writes[0]["details"]["receivedDocuments"] == 6
    assert [task["type"] for task in author_writes] == ["documentAdditionOrUpdate"]


def test_a_job_completes_only_when_its_task_succeeded(
    outbox: Models, queue_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    post, _other = committed(outbox, outbox.Post(id=1, title="a"), outbox.Post(id=2, title="b"))
    worker_for(outbox.database.engine).drain(handle_signals=False)
    committed(outbox, delete=(post,))
    committed(outbox, outbox.Author(id=1, name="x"))
    meilisearch_fake.faults.fail_next_tasks(1, code="internal", task_type="documentDeletion")
    worker_for(outbox.database.engine).run_batch()
    deletion, author = all_jobs(outbox.database.engine)[-2:]
    assert deletion.state == JobState.RETRYABLE
    assert deletion.last_error is not None
    assert (deletion.last_error.reason_class, deletion.last_error.code) == (
        "backend_rejected",
        "internal",
    )
    assert author.state == JobState.COMPLETED
    worker_for(outbox.database.engine).drain(wait_for_scheduled=True, handle_signals=False)
    assert 1 not in documents(meilisearch, index_of(outbox, queue_config, outbox.Post))
    assert all_jobs(outbox.database.engine)[-2].state == JobState.COMPLETED


def test_invalid_payloads_are_cancelled_and_never_retried(
    outbox: Models, queue_config: Config, meilisearch: Any
) -> None:
    rows = [
        job_row(outbox, model="nowhere.models:Ghost"),
        job_row(outbox, document_count=2),
        job_row(outbox, payload='[["not", "an", "object"]]'),
        job_row(outbox, payload='{"id": 1}'),
        job_row(outbox, payload="[{not json"),
        job_row(outbox, document_ids="[2]"),
        job_row(outbox, payload='[{"id": 1, "title": NaN}]'),
        job_row(outbox, operation="delete", payload='["bad id!"]', document_ids='["bad id!"]'),
    ]
    with outbox.database.engine.begin() as connection:
        connection.execute(insert(jobs), rows)
    events: list[JobEvent] = []
    worker = worker_for(outbox.database.engine, on_event=events.append)
    worker.drain(handle_signals=False)
    worker.drain(wait_for_scheduled=True, handle_signals=False)
    found = all_jobs(outbox.database.engine)
    assert {job.state for job in found} == {JobState.CANCELLED}
    assert {job.attempt for job in found} == {1}
    assert [event.outcome for event in events] == ["cancelled"] * len(rows)
    for job in found:
        (error,) = job.errors
        assert (error.reason_class, error.reason) == ("validation", "invalid_payload")
    assert "unknown model" in found[0].errors[0].message
    assert "count mismatch" in found[1].errors[0].message
    assert meilisearch.client.http.get("tasks?indexUids=anything")["results"] == []


def test_backoff_grows_between_attempts_until_the_job_is_discarded(
    outbox: Models, queue_config: Config, meilisearch_fake: Any
) -> None:
    committed(outbox, outbox.Post(id=1, title="t"))
    index = index_of(outbox, queue_config, outbox.Post)
    worker_for(outbox.database.engine).drain(handle_signals=False)
    committed(outbox, outbox.Post(id=2, title="t"))
    meilisearch_fake.faults.fail_next_tasks(100, code="internal", index_uid=index)
    events: list[JobEvent] = []
    worker = worker_for(
        outbox.database.engine,
        on_event=events.append,
        queue_max_attempts=5,
        queue_backoff_base=0.01,
        queue_backoff_cap=10.0,
    )
    with outbox.database.engine.begin() as connection:
        connection.execute(update(jobs).where(jobs.c.state == "available").values(max_attempts=5))
    worker.drain(wait_for_scheduled=True, handle_signals=False)
    retries = [event for event in events if event.outcome == "retryable"]
    waits = [
        (event.next_attempt_at - event.error.at).total_seconds()  # type: ignore[operator,union-attr]
        for event in retries
    ]
    assert len(waits) == 4
    assert all(later > earlier for earlier, later in itertools.pairwise(waits))
    for attempt, wait in enumerate(waits, start=1):
        ceiling = 0.01 * 2 ** (attempt - 1)
        assert ceiling / 2 <= wait <= ceiling
    job = all_jobs(outbox.database.engine)[-1]
    assert (job.state, job.attempt) == (JobState.DISCARDED, 5)
    assert [error.reason_class for error in job.errors] == ["backend_rejected"] * 5 + [
        "queue_exhausted"
    ]
    assert events[-1].outcome == "discarded"


def test_a_rejected_batch_is_split_so_one_bad_job_fails_alone(
    outbox: Models, queue_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    committed(outbox, outbox.Post(id=99, title="warm-up"))
    worker_for(outbox.database.engine).drain(handle_signals=False)
    committed(outbox, *(outbox.Post(id=n, title=f"p{n}") for n in range(1, 5)))
    meilisearch_fake.faults.fail_next_tasks(3, code="invalid_document_fields")
    worker_for(outbox.database.engine).run_batch()
    states = [job.state for job in all_jobs(outbox.database.engine)[1:]]
    assert states == [JobState.RETRYABLE] + [JobState.COMPLETED] * 3
    assert sorted(documents(meilisearch, index_of(outbox, queue_config, outbox.Post))) == [
        2,
        3,
        4,
        99,
    ]


def test_a_transport_failure_fails_the_whole_batch_without_splitting(
    outbox: Models, queue_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    committed(outbox, outbox.Post(id=99, title="warm-up"))
    worker_for(outbox.database.engine).drain(handle_signals=False)
    committed(outbox, *(outbox.Post(id=n, title=f"p{n}") for n in range(1, 5)))
    meilisearch_fake.faults.respond_next(1, route="/documents", drop_connection=True)
    worker_for(outbox.database.engine).run_batch()
    failed = all_jobs(outbox.database.engine)[1:]
    assert {job.state for job in failed} == {JobState.RETRYABLE}
    assert {job.last_error.reason_class for job in failed if job.last_error} == {"transport"}
    index = index_of(outbox, queue_config, outbox.Post)
    assert len(document_tasks(meilisearch, index)) == 1


def test_a_retry_never_puts_back_an_older_snapshot(
    outbox: Models, queue_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    committed(outbox, outbox.Post(id=1, title="old"))
    index = index_of(outbox, queue_config, outbox.Post)
    meilisearch_fake.faults.fail_next_tasks(
        1, code="internal", task_type="documentAdditionOrUpdate"
    )
    slow = worker_for(outbox.database.engine, queue_backoff_base=600.0, queue_backoff_cap=600.0)
    slow.run_batch()
    with outbox.session() as session:
        session.get(outbox.Post, 1).title = "new"
        session.flush()
        sync_record(session.get(outbox.Post, 1), session=session)
        session.commit()
    worker_for(outbox.database.engine).drain(handle_signals=False)
    assert documents(meilisearch, index)[1]["title"] == "new"
    with outbox.database.engine.begin() as connection:
        connection.execute(
            update(jobs).where(jobs.c.id == 1).values(scheduled_at=dt.datetime(2000, 1, 1))
        )
    events: list[JobEvent] = []
    worker_for(outbox.database.engine, on_event=events.append).drain(handle_signals=False)
    assert [(event.job_id, event.outcome, event.superseded_by) for event in events] == [
        (1, "superseded", 2)
    ]
    assert documents(meilisearch, index)[1]["title"] == "new"


def test_a_delete_on_a_missing_index_completes(outbox: Models, queue_config: Config) -> None:
    with outbox.session() as session:
        delete_record(outbox.Post(id=1, title="t"), session=session)
        session.commit()
    worker_for(outbox.database.engine, ensure_index_on_first_sync=False).drain(handle_signals=False)
    assert [job.state for job in all_jobs(outbox.database.engine)] == [JobState.COMPLETED]


def test_an_unexpected_error_makes_the_batch_retryable_as_unknown(
    outbox: Models, queue_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed(outbox, outbox.Post(id=1, title="t"))

    def broken(*args: Any) -> Any:
        raise RuntimeError("a bug in delivery")

    monkeypatch.setattr(batch_module, "deliver", broken)
    worker_for(outbox.database.engine).run_batch()
    (job,) = all_jobs(outbox.database.engine)
    assert job.state == JobState.RETRYABLE
    assert job.last_error is not None
    assert (job.last_error.reason_class, job.last_error.reason) == ("unknown", "unexpected")


def test_stop_finishes_the_batch_in_flight_and_claims_nothing_new(
    outbox: Models, queue_config: Config
) -> None:
    committed(outbox, *(outbox.Post(id=n, title="t") for n in range(1, 7)))
    worker = worker_for(outbox.database.engine, batch_size=2)
    worker_events: list[JobEvent] = []

    def stop_after_first(event: JobEvent) -> None:
        worker_events.append(event)
        worker.stop()

    worker.on_event = stop_after_first
    report = worker.run(handle_signals=False)
    assert (report.batches, report.claimed) == (1, 2)
    assert len(worker_events) == 2
    counts = queue_counts(outbox.database.engine)
    assert (counts.states["completed"], counts.states["available"]) == (2, 4)


def test_events_are_logged_as_data_and_a_failing_hook_stops_nothing(
    outbox: Models, queue_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    committed(outbox, outbox.Post(id=1, title="a"), outbox.Post(id=2, title="b"))

    def broken_hook(event: JobEvent) -> None:
        raise ValueError("hook bug")

    caplog.set_level(logging.INFO, logger="scrypath.queue")
    worker_for(outbox.database.engine, on_event=broken_hook).drain(handle_signals=False)
    events = [
        record.scrypath_event for record in caplog.records if hasattr(record, "scrypath_event")
    ]
    assert [(event["outcome"], event["state"]) for event in events] == [
        ("completed", "completed")
    ] * 2
    assert {event["job_id"] for event in events} == {1, 2}
    assert sum("hook raised" in record.getMessage() for record in caplog.records) == 2
    assert {job.state for job in all_jobs(outbox.database.engine)} == {JobState.COMPLETED}


def test_counts_are_dense_in_lifecycle_order(outbox: Models, queue_config: Config) -> None:
    committed(outbox, outbox.Post(id=1, title="t"))
    counts = queue_counts(outbox.database.engine)
    assert list(counts.states) == [
        "available",
        "scheduled",
        "executing",
        "retryable",
        "completed",
        "discarded",
        "cancelled",
    ]
    assert counts.to_json() == {
        "version": 1,
        "index": None,
        "states": {**dict.fromkeys(counts.states, 0), "available": 1},
        "total": 1,
    }
    assert queue_counts(outbox.database.engine, index="elsewhere").total == 0


def test_completed_jobs_are_swept_after_retention_and_failures_kept(
    outbox: Models, queue_config: Config
) -> None:
    committed(outbox, outbox.Post(id=1, title="t"))
    with outbox.database.engine.begin() as connection:
        connection.execute(insert(jobs), [job_row(outbox, document_count=3)])
    worker = worker_for(outbox.database.engine)
    assert worker.drain(handle_signals=False).swept == 0
    assert worker_for(outbox.database.engine, queue_retention_seconds=1e-6).sweep() == 1
    assert [job.state for job in all_jobs(outbox.database.engine)] == [JobState.CANCELLED]


def test_bad_worker_options_fail_fast(outbox: Models, queue_config: Config) -> None:
    engine = outbox.database.engine
    for options in (
        {"concurrency": 0},
        {"batch_size": -1},
        {"batch_size": True},
        {"poll_interval": 0},
        {"sweep_interval": float("nan")},
        {"queue_max_attempts": -3},
        {"queue_backoff_base": 0},
        {"queue_backoff_base": 10.0, "queue_backoff_cap": 1.0},
        {"queue_lease_seconds": 5.0, "task_timeout": 30.0},
    ):
        with pytest.raises(ConfigurationError):
            worker_for(engine, **options)


def test_a_job_whose_final_attempt_was_stranded_is_discarded_not_resent(
    outbox: Models, queue_config: Config, meilisearch: Any
) -> None:
    past = dt.datetime(2000, 1, 1)
    stranded = job_row(
        outbox,
        state="executing",
        attempt=3,
        max_attempts=3,
        lease_owner="dead-worker",
        lease_expires_at=past,
    )
    with outbox.database.engine.begin() as connection:
        connection.execute(insert(jobs), [stranded])
    events: list[JobEvent] = []
    worker_for(outbox.database.engine, on_event=events.append).drain(handle_signals=False)
    (job,) = all_jobs(outbox.database.engine)
    assert (job.state, job.attempt) == (JobState.DISCARDED, 3)
    assert job.last_error is not None
    assert (job.last_error.reason_class, job.last_error.reason) == (
        "queue_exhausted",
        "lease_expired",
    )
    assert [event.outcome for event in events] == ["discarded"]
    assert meilisearch.client.http.get("tasks?indexUids=anything")["results"] == []


def test_leases_are_renewed_before_every_task_wait(
    outbox: Models, queue_config: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    renewals: list[int] = []
    real_renew = batch_module.renew

    def counting_renew(*args: Any, **kwargs: Any) -> Any:
        renewals.append(1)
        return real_renew(*args, **kwargs)

    monkeypatch.setattr(batch_module, "renew", counting_renew)
    posts = committed(outbox, outbox.Post(id=1, title="kept"), outbox.Post(id=2, title="gone"))
    committed(outbox, delete=(posts[1],))
    report = worker_for(outbox.database.engine).drain(handle_signals=False)
    assert report.outcomes["completed"] >= 2
    # one renewal once the index is ready, then one before each of the two task waits
    assert len(renewals) >= 3


def test_a_job_too_large_for_meilisearch_is_cancelled_not_retried(
    outbox: Models, queue_config: Config, meilisearch_fake: Any
) -> None:
    committed(outbox, outbox.Post(id=1, title="huge"))
    meilisearch_fake.faults.respond_next(1, status=413, route="/documents", method="POST")
    events: list[JobEvent] = []
    report = worker_for(outbox.database.engine, on_event=events.append).drain(
        wait_for_scheduled=True, handle_signals=False
    )
    (job,) = all_jobs(outbox.database.engine)
    assert (job.state, job.attempt) == (JobState.CANCELLED, 1)
    assert job.last_error is not None
    assert (job.last_error.reason_class, job.last_error.reason) == (
        "backend_rejected",
        "payload_too_large",
    )
    assert "no retry can succeed" in job.last_error.message
    assert report.outcomes == {"cancelled": 1}
    assert [event.outcome for event in events] == ["cancelled"]


def test_a_split_request_is_shown_as_its_jobs_never_as_an_orphan_task(
    outbox: Models, queue_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    committed(outbox, outbox.Post(id=99, title="warm-up"))
    worker_for(outbox.database.engine).drain(handle_signals=False)
    committed(outbox, *(outbox.Post(id=n, title=f"p{n}") for n in range(1, 5)))
    meilisearch_fake.faults.fail_next_tasks(3, code="invalid_document_fields")
    worker_for(outbox.database.engine).run_batch()
    jobs_now = all_jobs(outbox.database.engine)[1:]
    assert [job.state for job in jobs_now] == [JobState.RETRYABLE] + [JobState.COMPLETED] * 3
    combined = jobs_now[1].errors[0]
    assert (combined.reason, combined.attempt) == ("split_rejected", 0)
    assert combined.task is not None
    report = failed_sync_work(outbox.Post, outbox_url=outbox.database.engine)
    assert [row.id for row in report.rows] == [f"job:{jobs_now[0].id}"]
    # the notes record no attempt: nothing is counted as lost when the job is claimed again
    worker_for(outbox.database.engine).drain(wait_for_scheduled=True, handle_signals=False)
    (retried,) = [job for job in all_jobs(outbox.database.engine) if job.id == jobs_now[0].id]
    assert retried.state == JobState.COMPLETED
    assert "lease_expired" not in [entry.reason for entry in retried.errors]


def test_an_attempt_lost_after_an_operator_requeue_is_still_recorded(
    outbox: Models, queue_config: Config, meilisearch: Any
) -> None:
    past = dt.datetime(2000, 1, 1)
    history = [
        {"at": past.isoformat(), "attempt": 1, "reason_class": "transport",
         "reason": "transport", "message": "no answer", "code": None},
        {"at": past.isoformat(), "attempt": 1, "reason_class": "unknown",
         "reason": "operator_retry", "message": "re-queued by an operator", "code": None},
    ]  # fmt: skip
    lost = job_row(
        outbox,
        state="executing",
        attempt=1,
        errors=history,
        lease_owner="dead-worker",
        lease_expires_at=past,
    )
    with outbox.database.engine.begin() as connection:
        connection.execute(insert(jobs), [lost])
    worker_for(outbox.database.engine).drain(handle_signals=False)
    (job,) = all_jobs(outbox.database.engine)
    assert [entry.reason for entry in job.errors][:3] == [
        "transport",
        "operator_retry",
        "lease_expired",
    ]
    assert job.errors[2].attempt == 1
