"""`reconcile_sync`: a report first (status, failed work, six signals in order, the rebuild
as seen from outside, recommended actions), an action only when the report recommends it,
and never a false green when the contract-drift comparison was asked for and cannot run.
"""

from __future__ import annotations

from typing import Any

import pytest

import scrypath
from scrypath.config import Config, configure
from scrypath.declaration import spec_for
from scrypath.errors import (
    ActionNotRecommendedError,
    ConfigurationError,
    IndexNotFoundError,
    TransportError,
)
from scrypath.meilisearch.rebuild_marker import lock_name, marker_name, target_name
from scrypath.operator.reconcile import DRIFT_SIGNALS, reconcile_sync
from scrypath.queue import JobState
from scrypath.sync import sync_record
from tests.conftest import Models, closed_port
from tests.queue.support import all_jobs, documents, worker_for


@pytest.fixture
def setup(outbox: Models, queue_config: Config) -> Models:
    """Queue mode, the outbox configured, rows readable for a backfill, two attempts a job."""
    configure(
        outbox_url=outbox.database.engine,
        session_factory=outbox.database.sessions,
        queue_max_attempts=2,
    )
    return outbox


def live_index(models: Models) -> str:
    return spec_for(models.Post).index_name(scrypath.config.resolve().index_prefix)


def write_post(models: Models, post_id: int, title: str) -> None:
    with models.session() as session:
        post = models.Post(id=post_id, title=title)
        session.add(post)
        session.flush()
        sync_record(post, session=session)
        session.commit()


def drain(models: Models) -> None:
    worker_for(models.database.engine).drain(wait_for_scheduled=True, handle_signals=False)


def discard_a_job(models: Models, fake: Any, post_id: int = 1) -> int:
    write_post(models, post_id, "t")
    fake.faults.fail_next_tasks(
        100, index_uid=live_index(models), task_type="documentAdditionOrUpdate"
    )
    drain(models)
    fake.faults.clear()
    job = all_jobs(models.database.engine)[-1]
    assert job.state is JobState.DISCARDED
    return job.id


def create_index(meilisearch: Any, uid: str) -> None:
    meilisearch.client.wait_for_task(meilisearch.client.create_index(uid).task_uid)


def failed_task_without_job(meilisearch: Any, fake: Any, index: str) -> int:
    fake.faults.fail_next_tasks(1, code="invalid_document_fields", index_uid=index)
    answer = meilisearch.client.http.post(f"indexes/{index}/documents", [{"id": 9, "title": "x"}])
    meilisearch.client.wait_for_task(answer["taskUid"])
    return int(answer["taskUid"])


def signals(report: Any) -> list[str]:
    """The names of the signals that are on, in report order."""
    return [name for name, on in report.signals.items() if on]


def test_a_quiet_model_reports_every_section_in_order_and_recommends_nothing(
    setup: Models,
) -> None:
    scrypath.ensure_index(setup.Post)
    report = reconcile_sync(setup.Post)
    data = report.to_json()
    assert list(data) == [
        "version",
        "model",
        "index",
        "status",
        "failed",
        "signals",
        "reindex",
        "actions",
        "contract_drift",
        "document_drift",
        "applied",
    ]
    assert (data["version"], data["model"], data["index"]) == (1, "Post", live_index(setup))
    assert list(data["signals"]) == list(DRIFT_SIGNALS)
    assert tuple(report.signals) == DRIFT_SIGNALS
    assert not any(data["signals"].values())
    assert data["status"]["version"] == 1
    assert data["failed"]["reason_class_counts"] == {
        "version": 1,
        "total": 0,
        "transport": 0,
        "validation": 0,
        "backend_rejected": 0,
        "queue_exhausted": 0,
        "unknown": 0,
    }
    assert data["reindex"] == {
        "live_index": live_index(setup),
        "target_index": target_name(live_index(setup)),
        "marker": False,
        "lock": False,
        "target_exists": False,
        "target_tasks": {"pending": 0, "failed": 0, "succeeded": 0},
        "cutover": "not_started",
    }
    assert (data["actions"], data["contract_drift"], data["applied"]) == ([], None, None)


def test_a_held_task_is_pending_backend_work(
    setup: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    index = live_index(setup)
    scrypath.ensure_index(setup.Post)
    meilisearch_fake.faults.hold_tasks()
    try:
        meilisearch.client.http.post(f"indexes/{index}/documents", [{"id": 1, "title": "x"}])
        report = reconcile_sync(setup.Post)
    finally:
        meilisearch_fake.faults.release_tasks()
    assert signals(report) == ["pending_backend_work"]
    assert report.status.backend.pending == 1
    assert report.actions == ()


def test_queued_jobs_are_pending_queue_work(setup: Models) -> None:
    scrypath.ensure_index(setup.Post)
    write_post(setup, 1, "t")
    report = reconcile_sync(setup.Post)
    assert signals(report) == ["pending_queue_work"]
    assert report.status.queue.pending == 1
    drain(setup)
    assert signals(reconcile_sync(setup.Post)) == []


def test_failed_work_recommends_one_retry_per_retryable_row_then_a_backfill(
    setup: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    first = discard_a_job(setup, meilisearch_fake, 1)
    second = discard_a_job(setup, meilisearch_fake, 2)
    task = failed_task_without_job(meilisearch, meilisearch_fake, live_index(setup))
    report = reconcile_sync(setup.Post)
    assert signals(report) == ["failed_sync_work"]
    assert [action.label() for action in report.actions] == [
        f"retry job:{second}",
        f"retry job:{first}",
        "backfill",
    ]
    assert {row.id for row in report.failed.rows} == {
        f"job:{first}",
        f"job:{second}",
        f"task:{task}",
    }
    assert report.to_json()["failed"]["reason_class_counts"]["total"] == 3
    assert report.to_json()["actions"][0] == {
        "kind": "retry",
        "work_id": f"job:{second}",
        "reason": report.actions[0].reason,
    }


def test_retryable_rows_alone_recommend_no_repair(setup: Models, meilisearch_fake: Any) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    report = reconcile_sync(setup.Post)
    assert [action.label() for action in report.actions] == [f"retry job:{job}"]


def test_applying_a_recommended_retry_requeues_the_job_and_the_index_catches_up(
    setup: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    report = reconcile_sync(setup.Post, action="retry", work_id=f"job:{job}")
    assert report.applied is not None
    applied = report.to_json()["applied"]
    assert (applied["kind"], applied["work_id"]) == ("retry", f"job:{job}")
    assert applied["result"]["status"] == "requeued"
    assert report.signals["failed_sync_work"]  # the report is the one the action came from
    drain(setup)
    assert signals(reconcile_sync(setup.Post)) == []
    assert documents(meilisearch, live_index(setup))[1]["title"] == "t"


def test_applying_a_recommended_backfill_sends_every_row(
    setup: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    scrypath.ensure_index(setup.Post)
    with setup.session() as session:
        session.add_all([setup.Post(id=n, title=f"p{n}") for n in (1, 2)])
        session.commit()
    failed_task_without_job(meilisearch, meilisearch_fake, live_index(setup))
    report = reconcile_sync(setup.Post, action="backfill")
    assert report.applied is not None
    assert report.applied.kind == "backfill"
    assert report.applied.result["documents"] == 2
    assert sorted(documents(meilisearch, live_index(setup))) == [1, 2]


def test_a_rebuild_in_progress_is_visible_and_recommends_a_reindex(
    setup: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    index = live_index(setup)
    scrypath.ensure_index(setup.Post)
    for uid in (lock_name(index), target_name(index), marker_name(index)):
        create_index(meilisearch, uid)
    failed_task_without_job(meilisearch, meilisearch_fake, target_name(index))
    report = reconcile_sync(setup.Post)
    assert signals(report) == [
        "failed_sync_work",
        "reindex_visibility_available",
        "reindex_in_progress",
        "reindex_cutover_pending",
    ]
    assert report.reindex.to_json() == {
        "live_index": index,
        "target_index": target_name(index),
        "marker": True,
        "lock": True,
        "target_exists": True,
        "target_tasks": {"pending": 0, "failed": 1, "succeeded": 0},
        "cutover": "pending",
    }
    assert [action.label() for action in report.actions] == ["reindex"]
    assert "marker, lock, target index" in report.actions[0].reason


def test_a_lock_without_marker_is_in_progress_before_cutover(
    setup: Models, meilisearch: Any
) -> None:
    index = live_index(setup)
    scrypath.ensure_index(setup.Post)
    create_index(meilisearch, lock_name(index))
    report = reconcile_sync(setup.Post)
    assert signals(report) == ["reindex_visibility_available", "reindex_in_progress"]
    assert report.reindex.cutover == "not_started"
    assert [action.label() for action in report.actions] == ["reindex"]


def test_a_target_left_alone_means_the_cutover_is_done(setup: Models, meilisearch: Any) -> None:
    index = live_index(setup)
    scrypath.ensure_index(setup.Post)
    create_index(meilisearch, target_name(index))
    report = reconcile_sync(setup.Post)
    assert signals(report) == ["reindex_visibility_available"]
    assert report.reindex.cutover == "done"


def test_an_unrecommended_action_is_refused_and_changes_nothing(
    setup: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    before = all_jobs(setup.database.engine)
    tasks_before = meilisearch.client.http.get("tasks?limit=1")["results"][0]["uid"]
    for action, work_id in (("backfill", None), ("reindex", None), ("retry", "job:999")):
        with pytest.raises(ActionNotRecommendedError) as raised:
            reconcile_sync(setup.Post, action=action, work_id=work_id)
        error = raised.value
        assert error.reason == "action_not_recommended"
        assert error.context["recommended"] == [f"retry job:{job}"]
        assert "nothing was changed" in error.message
    assert all_jobs(setup.database.engine) == before
    assert meilisearch.client.http.get("tasks?limit=1")["results"][0]["uid"] == tasks_before


@pytest.mark.parametrize(
    ("action", "work_id", "key"),
    [
        ("delete", None, "action"),
        ("retry", None, "work_id"),
        ("retry", "812", "work_id"),
        ("backfill", "job:1", "work_id"),
        (None, "job:1", "work_id"),
    ],
)
def test_a_malformed_action_is_a_configuration_error(
    setup: Models, action: Any, work_id: Any, key: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        reconcile_sync(setup.Post, action=action, work_id=work_id)
    assert raised.value.context["key"] == key


def test_contract_drift_is_embedded_on_request(setup: Models) -> None:
    scrypath.ensure_index(setup.Post)
    report = reconcile_sync(setup.Post, include_index_contract_drift=True)
    assert report.contract_drift is not None
    drift = report.to_json()["contract_drift"]
    assert (drift["version"], drift["match"]) == (1, True)
    assert [dimension["name"] for dimension in drift["dimensions"]] == [
        "fields",
        "filterable_attributes",
        "sortable_attributes",
        "faceting",
        "settings",
    ]


def test_a_missing_index_fails_the_whole_reconcile_when_drift_is_asked(
    setup: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    client = meilisearch.client
    client.wait_for_task(client.delete_index(live_index(setup)).task_uid)
    assert reconcile_sync(setup.Post).signals["failed_sync_work"]
    with pytest.raises(IndexNotFoundError):
        reconcile_sync(setup.Post, include_index_contract_drift=True)
    with pytest.raises(IndexNotFoundError):
        reconcile_sync(
            setup.Post, include_index_contract_drift=True, action="retry", work_id=f"job:{job}"
        )
    assert all_jobs(setup.database.engine)[-1].state is JobState.DISCARDED


def test_an_unreachable_meilisearch_fails_the_reconcile_never_a_false_green(
    setup: Models,
) -> None:
    with pytest.raises(TransportError):
        reconcile_sync(
            setup.Post,
            include_index_contract_drift=True,
            meilisearch_url=f"http://127.0.0.1:{closed_port()}",
            http_timeout=1.0,
        )


def test_applying_a_recommended_reindex_finishes_a_dead_rebuild(
    setup: Models, meilisearch: Any
) -> None:
    index = live_index(setup)
    scrypath.ensure_index(setup.Post)
    with setup.session() as session:
        session.add_all([setup.Post(id=n, title=f"p{n}") for n in (1, 2, 3)])
        session.commit()
    for uid in (lock_name(index), target_name(index), marker_name(index)):
        create_index(meilisearch, uid)  # what a run that died mid-rebuild leaves behind
    report = reconcile_sync(setup.Post, action="reindex")  # waits out the real grace periods
    assert report.applied is not None and report.applied.kind == "reindex"
    assert report.applied.result["stale_lock_replaced"] is True
    assert sorted(documents(meilisearch, index)) == [1, 2, 3]
    assert signals(reconcile_sync(setup.Post)) == []
    left = {found["uid"] for found in meilisearch.client.http.get("indexes?limit=1000")["results"]}
    assert left.isdisjoint({lock_name(index), marker_name(index), target_name(index)})
