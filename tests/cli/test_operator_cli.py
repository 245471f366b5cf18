"""`scrypath status | failed | retry | reconcile` end to end: the fake Meilisearch, a real
outbox on SQLite and PostgreSQL, the exact human lines, one JSON document, exit 0 or 1."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scrypath.config import configure
from scrypath.declaration import registry
from scrypath.indexes import ensure_index
from scrypath.operator.failed import failed_sync_work
from scrypath.operator.status import sync_status
from scrypath.queue.table import jobs
from scrypath.sync import sync_record
from tests.cli import operator_support
from tests.cli.operator_support import (
    PRODUCT,
    REVIEW,
    App,
    add_documents,
    error_entry,
    failed_task,
    insert_job,
    run,
    settle,
)
from tests.queue.support import FAST, worker_for

app = operator_support.app
shared_database = operator_support.shared_database

CLASSES = "transport=1, validation=1, backend_rejected=1, queue_exhausted=1, unknown=0"


def job_state(app: App, job_id: int) -> str:
    with app.engine.connect() as connection:
        return str(connection.execute(select(jobs.c.state).where(jobs.c.id == job_id)).scalar())


def failing_jobs(app: App) -> dict[str, int]:
    """A retrying, a discarded and a cancelled job, oldest first."""
    return {
        "retrying": insert_job(
            app,
            "retryable",
            attempt=2,
            errors=[error_entry("transport", "transport", "Meilisearch did not answer")],
        ),
        "discarded": insert_job(
            app,
            "discarded",
            attempt=8,
            errors=[error_entry("queue_exhausted", "max_attempts", "gave up after 8 attempts")],
        ),
        "cancelled": insert_job(
            app,
            "cancelled",
            attempt=1,
            errors=[error_entry("validation", "invalid_payload", "the payload is not a list")],
        ),
    }


# --- status -----------------------------------------------------------------------------------


def test_status_shows_the_backend_the_queue_and_the_index_then_ok(
    app: App, meilisearch: Any, meilisearch_fake: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    index = app.index()
    ensure_index(app.product)
    succeeded = add_documents(meilisearch, index, [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
    settle(meilisearch, succeeded)
    failed_task(meilisearch, meilisearch_fake, index)
    insert_job(app, "available")
    insert_job(app, "completed")
    failing_jobs(app)
    meilisearch_fake.faults.hold_tasks()
    add_documents(meilisearch, index, [{"id": 3, "name": "held"}])

    code, out, err = run(capsys, "status", PRODUCT)

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Sync status for {PRODUCT} (index={index})"
    assert lines[1].startswith(
        f"Backend: pending=1, processing=0, failed=1, last_succeeded_uid={succeeded}, "
        "last_succeeded_at=20"
    )
    assert lines[2].startswith("Queue: pending=1, retrying=1, failed=2, last_succeeded_at=20")
    assert ", oldest_pending_age_seconds=" in lines[2]
    assert lines[3].startswith("Index: exists=yes, documents=2, is_indexing=")
    assert lines[4:] == [f"OK: status read for {PRODUCT} (index={index})"]


def test_status_and_reconcile_see_a_task_processing_and_one_waiting_behind_it(
    app: App, meilisearch: Any, meilisearch_fake: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    index = app.index()
    ensure_index(app.product)
    meilisearch_fake.faults.hold_processing(1, index_uid=index)
    running = add_documents(meilisearch, index, [{"id": 1, "name": "running"}])
    assert meilisearch_fake.faults.wait_processing() == running
    add_documents(meilisearch, index, [{"id": 2, "name": "waiting"}])

    code, out, _ = run(capsys, "status", PRODUCT)
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("Backend: pending=2, processing=1, failed=0, ")
    assert lines[3] == "Index: exists=yes, documents=0, is_indexing=yes"

    code, out, _ = run(capsys, "reconcile", PRODUCT)
    assert code == 0
    assert (
        "Drift signals: pending_backend_work=yes, pending_queue_work=no, failed_sync_work=no, "
        "reindex_visibility_available=no, reindex_in_progress=no, reindex_cutover_pending=no"
    ) in out.splitlines()
    assert "Recommended actions: none" in out.splitlines()
    meilisearch_fake.faults.release_processing()


def test_status_says_when_the_queue_is_not_observed(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(outbox_url=None)
    code, out, _ = run(capsys, "status", PRODUCT)
    assert code == 0
    assert "Queue: not observed (no outbox is configured and installed)" in out.splitlines()
    assert "Index: exists=no, documents=none, is_indexing=none" in out.splitlines()


def test_status_json_is_exactly_the_reports_document(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_index(app.product)
    failing_jobs(app)
    code, out, err = run(capsys, "status", PRODUCT, "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    expected = sync_status(app.product).to_json()
    assert list(document) == list(expected)
    assert document["version"] == 1
    assert document == expected


def test_status_without_a_model_prints_one_line_per_declared_model(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_index(app.product)
    insert_job(app, "available")
    code, out, err = run(capsys, "status", "--import", "tests.cli.operator_app")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(
        f"- model={PRODUCT} index={app.index()} backend_pending=0 backend_failed=0 "
        "queue_pending=1 queue_retrying=0 queue_failed=0 oldest_pending_age_seconds="
    )
    assert lines[0].endswith(" exists=yes documents=0")
    review = app.index(app.module.Review)
    assert lines[1].startswith(f"- model={REVIEW} index={review} backend_pending=0 ")
    assert lines[1].endswith(" exists=no documents=none")
    assert lines[2:] == ["OK: status read for 2 model(s)"]

    code, out, _ = run(capsys, "status", "--json")
    document = json.loads(out)
    assert code == 0
    assert list(document) == ["version", "models"]
    assert [report["model"] for report in document["models"]] == [
        sync_status(app.product).to_json()["model"],
        sync_status(app.module.Review).to_json()["model"],
    ]


def test_status_and_failed_without_any_declared_model_are_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with registry.isolated(empty=True):
        for command in ("status", "failed"):
            code, out, err = run(capsys, command)
            assert (code, out) == (1, "")
            assert err.startswith(f"scrypath {command}: error [configuration]: no searchable model")
            assert err.count("\n") == 1


# --- failed -----------------------------------------------------------------------------------


def test_failed_lists_every_row_newest_first_with_the_class_rollup(
    app: App, meilisearch: Any, meilisearch_fake: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_index(app.product)
    ids = failing_jobs(app)
    task = failed_task(meilisearch, meilisearch_fake, app.index())

    code, out, err = run(capsys, "failed", PRODUCT)

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:4] == [
        f"Failed work for {PRODUCT} (index={app.index()})",
        "Failed work: 4",
        "Failed work by class:",
        f"  {CLASSES}",
    ]
    rows = [line for line in lines if line.startswith("- id=")]
    assert rows[0].startswith(
        f"- id=task:{task} source=meilisearch state=failed operation=upsert retryable=no "
        "reason_class=backend_rejected reason="
    )
    assert [row.split()[1] for row in rows[1:]] == [
        f"id=job:{ids[name]}" for name in ("cancelled", "discarded", "retrying")
    ]
    assert rows[3] == (
        f"- id=job:{ids['retrying']} source=outbox state=retrying operation=upsert "
        "retryable=yes reason_class=transport reason=Meilisearch did not answer"
    )
    details = [line for line in lines if line.startswith("  index=")]
    assert len(details) == 4
    assert details[3].startswith(f"  index={app.index()} failed_at=20")
    assert " attempt=2 max_attempts=8 recovery=" in details[3]
    assert lines[-1] == f"OK: 4 failed or retrying row(s) listed for {PRODUCT}"


def test_a_job_whose_task_failed_is_listed_once_as_the_job(
    app: App, meilisearch_fake: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(sync_mode="queue", queue_max_attempts=1, **FAST)
    ensure_index(app.product)
    with Session(app.engine) as session:
        product = app.product(id=7, name="rejected")
        session.add(product)
        session.flush()
        sync_record(product, session=session)
        session.commit()
    meilisearch_fake.faults.fail_next_tasks(1, code="invalid_document_id", index_uid=app.index())
    report = worker_for(app.engine).drain(handle_signals=False)
    assert report.outcomes.get("discarded") == 1

    code, out, _ = run(capsys, "failed", PRODUCT)

    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("- id=")]
    assert len(rows) == 1 and "Failed work: 1" in out.splitlines()
    assert rows[0].startswith("- id=job:1 source=outbox state=failed operation=upsert ")


def test_failed_no_class_summary_hides_the_rollup(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    failing_jobs(app)
    code, out, _ = run(capsys, "failed", PRODUCT, "--no-class-summary")
    assert code == 0
    assert "Failed work: 3" in out.splitlines()
    assert "Failed work by class:" not in out
    assert "transport=" not in out.replace("reason_class=transport", "")

    code, out, _ = run(capsys, "failed", PRODUCT, "--no-class-summary", "--json")
    assert json.loads(out)["reason_class_counts"] is None


def test_failed_json_is_the_reports_document_with_dense_counts(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    failing_jobs(app)
    code, out, err = run(capsys, "failed", PRODUCT, "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document == failed_sync_work(app.product, reason_class_counts=True).to_json()
    assert document["version"] == 1
    assert document["total"] == 3
    assert document["reason_class_counts"] == {
        "version": 1,
        "total": 3,
        "transport": 1,
        "validation": 1,
        "backend_rejected": 0,
        "queue_exhausted": 1,
        "unknown": 0,
    }


def test_failed_past_the_task_limit_is_an_error_never_a_partial_list(
    app: App, meilisearch: Any, meilisearch_fake: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_index(app.product)
    for _ in range(3):
        failed_task(meilisearch, meilisearch_fake, app.index())
    code, out, err = run(capsys, "failed", PRODUCT, "--limit", "2")
    assert (code, out) == (1, "")
    assert err.startswith("scrypath failed: error [task_history_limit]: ")
    assert "2" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "failed", PRODUCT, "--limit", "3")
    assert code == 0 and "Failed work: 3" in out


def test_failed_without_a_model_totals_every_model(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    failing_jobs(app)
    code, out, _ = run(capsys, "failed")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Failed work: 3"
    assert lines[1] == (
        f"- model={PRODUCT} index={app.index()} failed=3 retryable=2 "
        "transport=1 validation=1 backend_rejected=0 queue_exhausted=1 unknown=0"
    )
    assert lines[2].startswith(f"- model={REVIEW} index={app.index(app.module.Review)} failed=0 ")
    assert lines[3] == "OK: failed work read for 2 model(s)"
    document = json.loads(run(capsys, "failed", "--json")[1])
    assert list(document) == ["version", "models"]
    assert [report["total"] for report in document["models"]] == [3, 0]


@pytest.mark.parametrize("limit", ["0", "-1", "x", ""])
def test_a_bad_limit_exits_1(limit: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "failed", PRODUCT, "--limit", limit)
    assert (code, out) == (1, "")
    assert "--limit" in err


# --- retry ------------------------------------------------------------------------------------


def test_retry_requeues_the_chosen_job(app: App, capsys: pytest.CaptureFixture[str]) -> None:
    ids = failing_jobs(app)
    code, out, err = run(capsys, "retry", "--id", f"job:{ids['discarded']}")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"OK: job:{ids['discarded']} requeued (model=Product, index={app.index()}); the "
        "worker will send the rows as the database holds them now"
    ]
    assert job_state(app, ids["discarded"]) == "available"
    assert job_state(app, ids["retrying"]) == "retryable"

    code, out, _ = run(capsys, "retry", "--id", f"job:{ids['retrying']}", "--json")
    document = json.loads(out)
    assert code == 0
    assert list(document) == ["version", "id", "source", "index", "model", "job", "status"]
    assert document["id"] == f"job:{ids['retrying']}"
    assert document["status"] == "requeued"

    # what the failed report calls not retryable, retry refuses the same way
    code, out, err = run(capsys, "retry", "--id", f"job:{ids['cancelled']}")
    assert (code, out) == (1, "")
    assert err.startswith("scrypath retry: error [not_retryable]: ")
    assert "backfill" in err and len(err.splitlines()) == 1


def test_retry_refusals_are_one_line_each(
    app: App, meilisearch: Any, meilisearch_fake: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_index(app.product)
    task = failed_task(meilisearch, meilisearch_fake, app.index())
    done = insert_job(app, "completed")
    elsewhere = insert_job(app, "discarded", index="another_products")
    cases = {
        (): "configuration",
        ("--id", ""): "configuration",
        ("--id", "job:abc"): "configuration",
        ("--id", f"task:{task}"): "not_retryable",
        ("--id", f"job:{done}"): "not_retryable",
        ("--id", "job:987654"): "work_not_found",
        ("--id", f"job:{elsewhere}"): "index_mismatch",
    }
    for argv, reason in cases.items():
        code, out, err = run(capsys, "retry", *argv)
        assert (code, out) == (1, ""), argv
        assert err.startswith(f"scrypath retry: error [{reason}]: "), (argv, err)
        assert err.count("\n") == 1
    _, _, err = run(capsys, "retry", "--id", f"task:{task}")
    assert "backfill" in err
    assert job_state(app, elsewhere) == "discarded"


# --- reconcile --------------------------------------------------------------------------------


def test_reconcile_reports_and_changes_nothing(
    app: App, meilisearch: Any, meilisearch_fake: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_index(app.product)
    retrying = insert_job(
        app, "retryable", attempt=1, errors=[error_entry("transport", "transport", "no answer")]
    )
    failed_task(meilisearch, meilisearch_fake, app.index())

    code, out, err = run(capsys, "reconcile", PRODUCT)

    assert (code, err) == (0, "")
    lines = out.splitlines()
    index = app.index()
    assert lines[0] == f"Reconcile report for {PRODUCT} (index={index})"
    assert lines[1].startswith("Backend: pending=0, processing=0, failed=1, ")
    assert lines[2].startswith("Queue: pending=0, retrying=1, failed=0, ")
    assert "Failed work: 2" in lines
    assert "  transport=1, validation=0, backend_rejected=1, queue_exhausted=0, unknown=0" in lines
    assert (
        f"Reindex: live_index={index}, target_index={index}__reindex, marker=no, lock=no, "
        "target_exists=no, target_pending=0, target_failed=0, target_succeeded=0, "
        "cutover=not_started"
    ) in lines
    assert lines[-3:] == [
        "Drift signals: pending_backend_work=no, pending_queue_work=yes, failed_sync_work=yes, "
        "reindex_visibility_available=no, reindex_in_progress=no, reindex_cutover_pending=no",
        f"Recommended actions: retry job:{retrying}, backfill",
        f"OK: reconcile report for {PRODUCT} (index={index}); nothing was changed",
    ]
    assert job_state(app, retrying) == "retryable"


def test_reconcile_applies_a_recommended_retry_and_says_so(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_index(app.product)
    retrying = insert_job(
        app, "retryable", attempt=1, errors=[error_entry("transport", "transport", "no answer")]
    )
    code, out, err = run(
        capsys, "reconcile", PRODUCT, "--action", "retry", "--id", f"job:{retrying}"
    )
    assert (code, err) == (0, "")
    applied = [line for line in out.splitlines() if line.startswith("Applied: ")]
    assert applied == [
        f"Applied: retry job:{retrying}: id=job:{retrying} source=outbox index={app.index()} "
        "model=Product status=requeued"
    ]
    assert out.splitlines()[-1] == f"OK: applied retry for {PRODUCT} (index={app.index()})"
    assert job_state(app, retrying) == "available"


def test_reconcile_refuses_an_action_the_report_does_not_recommend(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_index(app.product)
    retrying = insert_job(app, "retryable", attempt=1)
    for argv in (("--action", "reindex"), ("--action", "retry", "--id", "job:987654")):
        code, out, err = run(capsys, "reconcile", PRODUCT, *argv)
        assert (code, out) == (1, ""), argv
        assert err.startswith("scrypath reconcile: error [action_not_recommended]: "), err
        assert err.count("\n") == 1
    assert job_state(app, retrying) == "retryable"


@pytest.mark.parametrize(
    "argv",
    [("--action", "retry"), ("--id", "job:1"), ("--action", "backfill", "--id", "job:1")],
    ids=["retry-without-id", "id-without-action", "id-with-backfill"],
)
def test_reconcile_id_goes_with_retry_only(
    argv: tuple[str, ...], app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "reconcile", PRODUCT, *argv)
    assert (code, out) == (1, "")
    assert err.startswith("scrypath reconcile: error [configuration]: ")


def test_reconcile_embeds_the_contract_verdict_on_request(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_index(app.product)
    code, out, _ = run(capsys, "reconcile", PRODUCT)
    assert code == 0 and "Index contract" not in out
    code, out, err = run(capsys, "reconcile", PRODUCT, "--include-index-contract-drift")
    assert (code, err) == (0, "")
    assert f"Index contract OK for {PRODUCT} (index={app.index()})" in out.splitlines()
    assert "Recommended actions: none" in out.splitlines()

    code, out, _ = run(capsys, "reconcile", PRODUCT, "--include-index-contract-drift", "--json")
    document = json.loads(out)
    assert document["version"] == 1
    assert document["contract_drift"]["match"] is True


def test_reconcile_with_drift_requested_fails_whole_when_the_index_is_missing(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "reconcile", PRODUCT, "--include-index-contract-drift")
    assert (code, out) == (1, "")
    assert err.startswith("scrypath reconcile: error [index_not_found]: ")


def test_reconcile_json_is_one_document(app: App, capsys: pytest.CaptureFixture[str]) -> None:
    ensure_index(app.product)
    insert_job(app, "retryable", attempt=1)
    code, out, err = run(capsys, "reconcile", PRODUCT, "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["version"] == 1
    assert list(document["signals"]) == [
        "pending_backend_work",
        "pending_queue_work",
        "failed_sync_work",
        "reindex_visibility_available",
        "reindex_in_progress",
        "reindex_cutover_pending",
    ]
