"""The queue worker: batch and delivery spans, settled jobs, lost attempts, outbox gauges."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from sqlalchemy import create_engine, insert

from scrypath.config import Config
from scrypath.errors import ConfigurationError, OutboxUnavailableError
from scrypath.queue import batch as batch_module
from scrypath.queue.table import jobs
from scrypath.sync import sync_record
from scrypath.telemetry import observe_outbox
from tests.conftest import Models
from tests.queue.support import job_row, worker_for
from tests.telemetry.conftest import Telemetry


def enqueued(models: Models, *records: Any) -> None:
    with models.session() as session:
        session.add_all(records)
        session.flush()
        for record in records:
            sync_record(record, session=session)
        session.commit()


def settled(telemetry: Telemetry) -> dict[tuple[str, str], int]:
    return {
        (p.attributes["scrypath.outcome"], p.attributes.get("scrypath.reason_class", "")): p.value
        for p in telemetry.points("scrypath.queue.jobs.settled")
    }


def test_a_batch_is_a_span_with_one_delivery_span_per_index(
    outbox: Models, queue_config: Config, telemetry: Telemetry
) -> None:
    enqueued(outbox, outbox.Post(id=1, title="a"), outbox.Post(id=2, title="b"))
    worker = worker_for(outbox.database.engine, name="w1")
    worker.drain(handle_signals=False)
    batch = telemetry.span("scrypath.worker.batch")
    assert dict(batch.attributes or {}) == {
        "scrypath.worker": "w1",
        "scrypath.job_count": 2,
        "scrypath.outcome": "completed",
    }
    deliver = telemetry.span("scrypath.worker.deliver")
    assert deliver.parent is not None and deliver.parent.span_id == batch.context.span_id
    assert deliver.attributes is not None
    assert deliver.attributes["scrypath.model"] == "Post"
    assert deliver.attributes["scrypath.mode"] == "queue"
    assert deliver.attributes["scrypath.job_count"] == 2
    waits = telemetry.points("scrypath.task.wait.duration")
    assert {p.attributes["scrypath.mode"] for p in waits} == {"queue"}
    assert settled(telemetry) == {("completed", ""): 2}
    (point,) = telemetry.points("scrypath.queue.jobs.settled")
    assert point.attributes == {
        "scrypath.model": "Post",
        "scrypath.operation": "upsert",
        "scrypath.outcome": "completed",
    }


def test_an_idle_poll_makes_no_span(
    outbox: Models, queue_config: Config, telemetry: Telemetry
) -> None:
    worker_for(outbox.database.engine).drain(handle_signals=False)
    assert telemetry.spans("scrypath.worker.batch") == []


def test_a_failed_delivery_counts_a_retryable_job_by_class(
    outbox: Models, queue_config: Config, meilisearch_fake: Any, telemetry: Telemetry
) -> None:
    enqueued(outbox, outbox.Post(id=1, title="a"))
    worker = worker_for(outbox.database.engine)
    worker.run_batch()  # ensures the index first
    enqueued_again = outbox.Post(id=2, title="b")
    enqueued(outbox, enqueued_again)
    meilisearch_fake.faults.fail_next_tasks(1, code="invalid_document_fields")
    worker.run_batch()
    assert settled(telemetry) == {("completed", ""): 1, ("retryable", "backend_rejected"): 1}
    last = telemetry.spans("scrypath.worker.batch")[-1]
    assert last.attributes is not None and last.attributes["scrypath.outcome"] == "failed"


def test_a_lost_attempt_is_a_structured_warning_and_a_count(
    outbox: Models,
    queue_config: Config,
    telemetry: Telemetry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    past = dt.datetime(2000, 1, 1)
    stranded = job_row(
        outbox,
        state="executing",
        attempt=1,
        max_attempts=3,
        lease_owner="dead-worker",
        lease_expires_at=past,
    )
    with outbox.database.engine.begin() as connection:
        connection.execute(insert(jobs), [stranded])
    caplog.set_level(logging.INFO, logger="scrypath")
    worker_for(outbox.database.engine, name="w2").drain(handle_signals=False)
    (record,) = [
        r
        for r in caplog.records
        if getattr(r, "scrypath_event", {}).get("event") == "job_attempt_lost"
    ]
    assert record.name == "scrypath.queue"
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "\n" not in record.getMessage()
    fields = record.scrypath_event  # type: ignore[attr-defined]
    assert fields["reason"] == "lease_expired"
    assert fields["reason_class"] == "unknown"
    assert (fields["attempt"], fields["max_attempts"], fields["worker"]) == (1, 3, "w2")
    (lost,) = telemetry.points("scrypath.queue.attempts.lost")
    assert lost.value == 1
    assert lost.attributes == {"scrypath.model": "Post"}


def test_a_failure_that_cannot_be_recorded_is_one_structured_line(
    outbox: Models,
    queue_config: Config,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    enqueued(outbox, outbox.Post(id=1, title="a"))

    def broken_delivery(*args: Any) -> Any:
        raise RuntimeError("the batch broke")

    def lost_database(*args: Any, **kwargs: Any) -> None:
        raise OutboxUnavailableError("the outbox database failed to record a failure")

    monkeypatch.setattr(batch_module, "deliver", broken_delivery)
    monkeypatch.setattr(batch_module.Batcher, "_fail", lost_database)
    caplog.set_level(logging.INFO, logger="scrypath")
    worker_for(outbox.database.engine).run_batch()
    (record,) = [r for r in caplog.records if "could not record" in r.getMessage()]
    assert record.exc_info is None and record.levelno == logging.ERROR
    fields = record.scrypath_event  # type: ignore[attr-defined]
    assert fields["event"] == "job_failure_unrecorded"
    assert (fields["reason"], fields["reason_class"]) == ("outbox_unavailable", "transport")


def test_observed_outbox_reports_depth_per_model_and_state_and_the_sync_lag(
    outbox: Models, queue_config: Config, telemetry: Telemetry
) -> None:
    old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)
    rows = [
        job_row(outbox, inserted_at=old, scheduled_at=old),
        job_row(outbox),
        job_row(outbox, state="discarded"),
    ]
    with outbox.database.engine.begin() as connection:
        connection.execute(insert(jobs), rows)
    observation = observe_outbox(outbox.database.engine, name="main")
    depth = {
        p.attributes["scrypath.state"]: p.value for p in telemetry.points("scrypath.queue.depth")
    }
    assert depth == {
        "available": 2,
        "scheduled": 0,
        "executing": 0,
        "retryable": 0,
        "completed": 0,
        "discarded": 1,
        "cancelled": 0,
    }
    (lag,) = telemetry.points("scrypath.queue.oldest_pending.age")
    assert lag.attributes == {"scrypath.outbox": "main", "scrypath.model": "Post"}
    assert lag.unit == "s"
    assert 590 <= lag.value <= 1200
    worker_for(outbox.database.engine).drain(handle_signals=False)
    (lag,) = telemetry.points("scrypath.queue.oldest_pending.age")
    assert lag.value == 0.0
    observation.close()
    assert telemetry.points("scrypath.queue.depth") == []


def test_outbox_names_are_checked_and_unique(
    outbox: Models, queue_config: Config, telemetry: Telemetry
) -> None:
    observe_outbox(outbox.database.engine)
    with pytest.raises(ConfigurationError, match="already observed"):
        observe_outbox(outbox.database.engine)
    with pytest.raises(ConfigurationError):
        observe_outbox(outbox.database.engine, name="")


def test_an_unreadable_outbox_is_skipped_with_a_warning(
    telemetry: Telemetry, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine("sqlite://")  # no outbox table
    observe_outbox(engine, name="empty")
    caplog.set_level(logging.INFO, logger="scrypath")
    assert telemetry.points("scrypath.queue.depth") == []
    warnings = [
        r.scrypath_event  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "scrypath.telemetry"
    ]
    assert warnings and warnings[0]["event"] == "metrics_outbox_unreadable"
    assert warnings[0]["reason"] == "outbox_unavailable"
    engine.dispose()


def test_the_worker_command_observes_its_outbox_while_it_runs(
    app_items: Any, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrypath.cli import main
    from scrypath.cli import worker as worker_command
    from tests.queue.support import enqueue_items

    seen: list[list[Any]] = []
    real = worker_command.observe_outbox

    def observed(*args: Any, **kwargs: Any) -> Any:
        observation = real(*args, **kwargs)
        seen.append(telemetry.points("scrypath.queue.depth"))
        return observation

    monkeypatch.setattr(worker_command, "observe_outbox", observed)
    enqueue_items(app_items.engine, 2)
    assert main(["worker", "--outbox-url", app_items.url, "--once"]) == 0
    (during,) = seen
    available = [p for p in during if p.attributes["scrypath.state"] == "available"]
    assert [p.value for p in available] == [2]
    assert available[0].attributes["scrypath.outbox"] == "default"
    assert telemetry.points("scrypath.queue.depth") == []  # closed once the run ended
    assert settled(telemetry) == {("completed", ""): 2}
