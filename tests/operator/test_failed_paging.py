"""Paged failed work and the all-models overview: a page is exactly the slice of the whole
report, its counts cover every row, and the overview agrees with the per-model reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert

from scrypath.config import Config, configure, resolve
from scrypath.errors import ConfigurationError
from scrypath.indexes import ensure_index
from scrypath.operator.failed import _check_window, failed_sync_work
from scrypath.operator.overview import sync_overview
from scrypath.operator.reasons import REASON_CLASSES
from scrypath.operator.reconcile import reconcile_sync
from scrypath.operator.status import sync_status
from scrypath.queue.table import jobs
from tests.conftest import Models
from tests.operator.support import index_of
from tests.operator.test_failed import bad_write, failing_job
from tests.queue.support import job_row


@pytest.fixture
def queued(outbox: Models, queue_config: Config, meilisearch_fake: Any) -> Models:
    configure(outbox_url=outbox.database.engine)
    ensure_index(outbox.Post)
    return outbox


def entry(at: object, reason: object, reason_class: object = None, code: object = None) -> Any:
    return {"at": at, "attempt": 1, "reason": reason, "reason_class": reason_class, "code": code}


def many_failed_jobs(models: Models) -> None:
    """Jobs of every failed state, with last error entries well- and ill-formed."""
    index = index_of(models.Post, resolve())
    base = dt.datetime(2024, 5, 1, 12, 0, 0)
    shapes: list[Any] = [
        [entry((base + dt.timedelta(seconds=n)).isoformat(), "transport", "transport")]
        for n in range(7)
    ]
    shapes += [
        [entry("2024-05-01T11:00:00+02:00", "task_failed", "unknown", "invalid_document_id")],
        [entry("2024-05-01T13:00:00.5", "invalid_payload", "validation")],  # cancelled: stuck
        [entry(17, 42, 3)],  # nothing a string: read as absent
        [{"at": "2024-05-01T12:30:00"}],
        ["not an entry"],
        [],
    ]
    states = ("discarded", "retryable", "cancelled")
    rows = [
        job_row(
            models,
            index_uid=index,
            state=states[n % 3],
            attempt=2,
            errors=errors,
            completed_at=base - dt.timedelta(minutes=n),
            attempted_at=base,
        )
        for n, errors in enumerate(shapes)
    ]
    with models.database.engine.begin() as connection:
        connection.execute(insert(jobs), rows)


def test_a_page_is_the_slice_of_the_whole_report_for_every_offset_and_class(
    queued: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    many_failed_jobs(queued)
    bad_write(meilisearch, index_of(queued.Post, resolve()))
    whole = failed_sync_work(queued.Post, reason_class_counts=True)
    assert whole.window is None and whole.total == len(whole.rows) == 14
    for reason_class in (None, *REASON_CLASSES):
        matching = [row for row in whole.rows if reason_class in (None, row.reason_class)]
        for offset in (0, 3, 13, 20):
            page = failed_sync_work(
                queued.Post,
                reason_class_counts=True,
                offset=offset,
                max_rows=4,
                reason_class=reason_class,
            )
            assert page.rows == tuple(matching[offset : offset + 4])
            assert page.class_counts == whole.class_counts
            assert page.window is not None
            assert (page.window.total, page.window.matching) == (14, len(matching))
            assert page.window.retryable == sum(1 for row in whole.rows if row.retryable)
            assert page.total == 14 and page.stuck == whole.stuck


def test_a_page_says_what_it_holds_in_json(queued: Models) -> None:
    many_failed_jobs(queued)
    page = failed_sync_work(queued.Post, reason_class_counts=True, max_rows=2).to_json()
    assert len(page["rows"]) == 2 and page["total"] == 13
    assert page["reason_class_counts"]["total"] == 13
    assert page["window"] == {
        "offset": 0,
        "max_rows": 2,
        "reason_class": None,
        "total": 13,
        "matching": 13,
        "retryable": page["window"]["retryable"],
    }
    assert "window" not in failed_sync_work(queued.Post).to_json()


@pytest.mark.parametrize(
    "window",
    [
        {"offset": -1},
        {"offset": True},
        {"max_rows": 0},
        {"max_rows": "5"},
        {"reason_class": "nonsense"},
    ],
)
def test_a_malformed_window_is_a_configuration_error(
    queued: Models, window: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError):
        failed_sync_work(queued.Post, **window)


@given(
    offset=st.one_of(st.integers(), st.booleans(), st.text(max_size=3), st.none()),
    max_rows=st.one_of(st.integers(), st.none(), st.floats(allow_nan=False)),
    reason_class=st.one_of(st.none(), st.sampled_from(REASON_CLASSES), st.text(max_size=20)),
)
def test_the_window_check_accepts_exactly_the_documented_values(
    offset: Any, max_rows: Any, reason_class: Any
) -> None:
    valid = (
        type(offset) is int
        and offset >= 0
        and (max_rows is None or (type(max_rows) is int and max_rows >= 1))
        and (reason_class is None or reason_class in REASON_CLASSES)
    )
    if valid:
        _check_window(offset, max_rows, reason_class)
    else:
        with pytest.raises(ConfigurationError):
            _check_window(offset, max_rows, reason_class)


def test_a_paged_reconcile_keeps_signals_and_repair_for_every_row(queued: Models) -> None:
    many_failed_jobs(queued)
    whole = reconcile_sync(queued.Post)
    paged = reconcile_sync(queued.Post, failed_max_rows=2, failed_reason_class="transport")
    assert paged.signals == whole.signals
    assert [a.kind for a in paged.actions if a.kind != "retry"] == ["backfill"]
    assert [a for a in whole.actions if a.kind == "backfill"] == [
        a for a in paged.actions if a.kind == "backfill"
    ]
    shown = {row.id for row in paged.failed.rows if row.retryable}
    assert {a.work_id for a in paged.actions if a.kind == "retry"} == shown
    with pytest.raises(ConfigurationError):
        reconcile_sync(queued.Post, action="backfill", failed_max_rows=2)


def test_the_overview_agrees_with_each_models_own_reports(
    queued: Models, meilisearch: Any, meilisearch_fake: Any
) -> None:
    failing_job(queued, meilisearch_fake)  # its failed task is counted once, as the job
    many_failed_jobs(queued)
    bad_write(meilisearch, index_of(queued.Post, resolve()))
    post, author = sync_overview([queued.Post, queued.Author])
    status = sync_status(queued.Post)
    assert post.failed_work == failed_sync_work(queued.Post).total
    assert post.backend_pending == status.backend.pending
    assert post.index_view == status.index_view
    assert (post.queue.pending, post.queue.retrying, post.queue.failed) == (
        status.queue.pending,
        status.queue.retrying,
        status.queue.failed,
    )
    assert (author.failed_work, author.index_view.exists) == (0, False)


def test_the_overview_without_an_outbox_counts_the_failed_tasks(
    models: Models, scrypath_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    ensure_index(models.Post)
    bad_write(meilisearch, index_of(models.Post, scrypath_config))
    (post,) = sync_overview([models.Post])
    assert not post.queue.observed
    assert post.failed_work == failed_sync_work(models.Post).total == 1


def test_the_overview_marks_a_model_past_its_history_limit(
    models: Models, scrypath_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    ensure_index(models.Post)
    for _ in range(2):
        bad_write(meilisearch, index_of(models.Post, scrypath_config))
    post, author = sync_overview([models.Post, models.Author], limit=1)
    assert post.failed_work is None and author.failed_work == 0
