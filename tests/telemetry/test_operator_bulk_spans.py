"""Operator commands, backfill and reindex: one span each (a span per reindex step), and the
failed-work gauge fed by the failed-work report."""

from __future__ import annotations

from typing import Any

import pytest

import scrypath
from scrypath.config import Config, configure
from scrypath.errors import BackfillError, TaskFailedError, WorkNotFoundError
from scrypath.meilisearch.rebuild_marker import forget_markers
from scrypath.rebuild import STEPS
from tests.conftest import Models
from tests.telemetry.conftest import Telemetry


def saved(models: Models, *records: Any) -> list[Any]:
    with models.session() as session:
        session.add_all(records)
        session.commit()
    return list(records)


def operator_spans(telemetry: Telemetry) -> dict[str, Any]:
    return {
        span.attributes["scrypath.command"]: span
        for span in telemetry.spans("scrypath.operator")
        if span.attributes
    }


def test_every_operator_command_is_a_span_naming_its_model_and_index(
    models: Models, scrypath_config: Config, telemetry: Telemetry
) -> None:
    (post,) = saved(models, models.Post(id=1, title="t"))
    index = scrypath.sync_record(post).index
    scrypath.sync_status(models.Post)
    scrypath.failed_sync_work(models.Post)
    scrypath.index_contract_drift(models.Post)
    scrypath.reconcile_sync(models.Post)
    spans = operator_spans(telemetry)
    assert {"sync_status", "failed_sync_work", "index_contract_drift", "reconcile_sync"} <= set(
        spans
    )
    for command in ("sync_status", "failed_sync_work", "index_contract_drift"):
        attributes = spans[command].attributes
        assert attributes["scrypath.model"] == "Post"
        assert attributes["scrypath.index"] == index
        assert attributes["scrypath.outcome"] == "ok"


def test_a_refused_retry_is_a_failed_span_classed_validation(
    models: Models, scrypath_config: Config, telemetry: Telemetry
) -> None:
    with pytest.raises(WorkNotFoundError):
        scrypath.retry_sync_work("task:987654")
    span = operator_spans(telemetry)["retry_sync_work"]
    assert span.attributes["scrypath.reason"] == "work_not_found"
    assert span.attributes["scrypath.reason_class"] == "validation"
    assert "scrypath.model" not in span.attributes


def test_the_failed_work_gauge_reports_the_latest_report_by_class(
    models: Models, scrypath_config: Config, meilisearch_fake: Any, telemetry: Telemetry
) -> None:
    (post,) = saved(models, models.Post(id=1, title="t"))
    scrypath.sync_record(post)
    meilisearch_fake.faults.fail_next_tasks(1, code="invalid_document_fields")
    with pytest.raises(TaskFailedError):
        scrypath.sync_record(post)
    report = scrypath.failed_sync_work(models.Post)
    assert len(report.rows) == 1
    rows = {
        p.attributes["scrypath.reason_class"]: p.value
        for p in telemetry.points("scrypath.failed_work.rows")
    }
    assert rows == {
        "transport": 0,
        "validation": 0,
        "backend_rejected": 1,
        "queue_exhausted": 0,
        "unknown": 0,
    }
    assert {
        p.attributes["scrypath.model"] for p in telemetry.points("scrypath.failed_work.rows")
    } == {"Post"}


def test_a_backfill_is_one_span_with_its_counts(
    models: Models, scrypath_config: Config, telemetry: Telemetry
) -> None:
    saved(models, *(models.Post(id=n, title=f"t{n}") for n in range(1, 6)))
    configure(session_factory=models.database.sessions)
    result = scrypath.backfill(models.Post, batch_size=2)
    span = telemetry.span("scrypath.backfill")
    assert dict(span.attributes or {}) == {
        "scrypath.model": "Post",
        "scrypath.index": result.index,
        "scrypath.mode": "inline",
        "scrypath.outcome": "completed",
        "scrypath.document_count": 5,
        "scrypath.batch_count": 3,
    }


def test_a_failed_backfill_names_its_reason(
    models: Models, offline_config: Config, telemetry: Telemetry
) -> None:
    saved(models, models.Post(id=1, title="t"))
    configure(session_factory=models.database.sessions, ensure_index_on_first_sync=False)
    with pytest.raises(BackfillError):
        scrypath.backfill(models.Post)
    span = telemetry.span("scrypath.backfill")
    assert span.attributes is not None
    assert span.attributes["scrypath.reason"] == "backfill_failed"
    assert span.attributes["scrypath.outcome"] == "failed"


def test_a_reindex_is_a_span_with_one_child_per_step(
    models: Models, scrypath_config: Config, telemetry: Telemetry
) -> None:
    saved(models, *(models.Post(id=n, title=f"t{n}") for n in range(1, 4)))
    configure(session_factory=models.database.sessions)
    forget_markers()
    try:
        scrypath.reindex(models.Post, grace_period=0.0)
    finally:
        forget_markers()
    run = telemetry.span("scrypath.reindex")
    assert run.attributes is not None and run.attributes["scrypath.outcome"] == "ok"
    steps = telemetry.spans("scrypath.reindex.step")
    assert [span.attributes["scrypath.step"] for span in steps if span.attributes] == [
        name for name, _ in STEPS
    ]
    assert all(span.parent and span.parent.span_id == run.context.span_id for span in steps)
    (backfill_step,) = [
        s for s in steps if s.attributes and s.attributes["scrypath.step"] == "backfill"
    ]
    backfill = telemetry.span("scrypath.backfill")
    assert backfill.parent is not None
    assert backfill.parent.span_id == backfill_step.context.span_id
