"""Sync calls: their spans, their metric points (task waits included), failures by class."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.trace import StatusCode

from scrypath.config import Config
from scrypath.errors import ScrypathError, TaskFailedError, TransportError
from scrypath.sync import delete_documents, sync_record, sync_records
from tests.conftest import Models
from tests.telemetry.conftest import Telemetry


def saved(models: Models, *records: Any) -> list[Any]:
    with models.session() as session:
        session.add_all(records)
        session.commit()
    return list(records)


def test_an_inline_sync_is_one_span_and_its_task_wait_is_timed(
    models: Models, scrypath_config: Config, telemetry: Telemetry
) -> None:
    posts = saved(models, models.Post(id=1, title="a"), models.Post(id=2, title="b"))
    result = sync_records(posts)
    assert result.task is not None
    sync = telemetry.span("scrypath.sync")
    assert dict(sync.attributes or {}) == {
        "scrypath.model": "Post",
        "scrypath.index": result.index,
        "scrypath.mode": "inline",
        "scrypath.document_count": 2,
        "scrypath.outcome": "completed",
        "scrypath.task.uid": result.task.uid,
    }
    assert sync.status.status_code == StatusCode.UNSET
    assert [span.name for span in telemetry.spans()] == ["scrypath.sync"]
    waits = [
        point
        for point in telemetry.points("scrypath.task.wait.duration")
        if point.attributes.get("scrypath.operation") == "upsert"
    ]
    (wait,) = waits
    assert wait.attributes == {
        "scrypath.model": "Post",
        "scrypath.mode": "inline",
        "scrypath.operation": "upsert",
        "scrypath.outcome": "succeeded",
    }
    assert wait.value[0] == 1 and wait.value[1] > 0


def test_sync_calls_and_documents_are_counted_by_mode_and_outcome(
    models: Models, scrypath_config: Config, telemetry: Telemetry
) -> None:
    posts = saved(models, *(models.Post(id=n, title=f"t{n}") for n in range(1, 4)))
    sync_records(posts)
    sync_record(posts[0], mode="manual")
    delete_documents(models.Post, [3])
    calls = {
        (p.attributes["scrypath.mode"], p.attributes["scrypath.outcome"]): p.value
        for p in telemetry.points("scrypath.sync.calls")
    }
    assert calls == {("inline", "completed"): 2, ("manual", "accepted"): 1}
    documents = {
        (p.attributes["scrypath.mode"], p.attributes["scrypath.outcome"]): p.value
        for p in telemetry.points("scrypath.sync.documents")
    }
    assert documents == {("inline", "completed"): 4, ("manual", "accepted"): 1}
    for point in telemetry.points("scrypath.sync.calls"):
        assert set(point.attributes) == {"scrypath.model", "scrypath.mode", "scrypath.outcome"}
        assert point.unit == "{call}"


def test_a_failed_task_marks_the_span_and_the_count_with_its_class(
    models: Models, scrypath_config: Config, meilisearch_fake: Any, telemetry: Telemetry
) -> None:
    (post,) = saved(models, models.Post(id=1, title="t"))
    sync_record(post)
    meilisearch_fake.faults.fail_next_tasks(1, code="invalid_document_fields")
    with pytest.raises(TaskFailedError):
        sync_record(post)
    failed = telemetry.spans("scrypath.sync")[-1]
    assert failed.attributes is not None
    assert failed.attributes["scrypath.outcome"] == "failed"
    assert failed.attributes["scrypath.reason"] == "task_failed"
    assert failed.attributes["scrypath.reason_class"] == "backend_rejected"
    assert failed.attributes["error.type"] == "TaskFailedError"
    assert failed.status.status_code == StatusCode.ERROR
    assert failed.status.description == "task_failed"
    assert failed.events == ()  # no exception event: its message could quote values
    (point,) = [
        p
        for p in telemetry.points("scrypath.sync.calls")
        if p.attributes["scrypath.outcome"] == "failed"
    ]
    assert point.attributes["scrypath.reason_class"] == "backend_rejected"
    assert point.value == 1
    waits = telemetry.points("scrypath.task.wait.duration")
    outcomes = {p.attributes["scrypath.outcome"] for p in waits}
    assert outcomes == {"succeeded", "failed"}
    assert all(p.unit == "s" for p in waits)


def test_a_server_side_failure_is_classed_transport(
    models: Models, scrypath_config: Config, meilisearch_fake: Any, telemetry: Telemetry
) -> None:
    (post,) = saved(models, models.Post(id=1, title="t"))
    sync_record(post)
    meilisearch_fake.faults.fail_next_tasks(1, code="no_space_left_on_device")
    with pytest.raises(TaskFailedError):
        sync_record(post)
    failed = telemetry.spans("scrypath.sync")[-1]
    assert failed.attributes is not None
    assert failed.attributes["scrypath.reason_class"] == "transport"


def test_an_unreachable_server_is_a_transport_failure(
    models: Models, offline_config: Config, telemetry: Telemetry
) -> None:
    (post,) = saved(models, models.Post(id=1, title="t"))
    with pytest.raises(TransportError):
        sync_record(post)
    (span,) = telemetry.spans("scrypath.sync")
    assert span.attributes is not None
    assert (span.attributes["scrypath.reason"], span.attributes["scrypath.reason_class"]) == (
        "transport",
        "transport",
    )


def test_a_refused_call_before_any_request_records_no_sync(
    models: Models, offline_config: Config, telemetry: Telemetry
) -> None:
    with pytest.raises(ScrypathError):
        sync_records([models.Post(id=1, title="a"), models.Note(id=1, slug="s", text="x")])
    assert telemetry.spans("scrypath.sync") == []
    assert telemetry.points("scrypath.sync.calls") == []


def test_queue_mode_is_accepted_and_counted_without_a_task(
    models: Models, scrypath_config: Config, telemetry: Telemetry
) -> None:
    from scrypath.queue import install

    install(models.database.engine)
    with models.session() as session:
        post = models.Post(id=1, title="t")
        session.add(post)
        result = sync_record(post, mode="queue", session=session)
        session.commit()
    assert result.status == "accepted"
    span = telemetry.span("scrypath.sync")
    assert span.attributes is not None
    assert (span.attributes["scrypath.mode"], span.attributes["scrypath.outcome"]) == (
        "queue",
        "accepted",
    )
    assert "scrypath.task.uid" not in span.attributes
    assert telemetry.points("scrypath.task.wait.duration") == []
