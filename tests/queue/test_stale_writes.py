"""No stale write may win: whatever the mix of modes, retries and workers, the index ends up
holding what the database holds. Each test races the two sides of one defect."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select

import scrypath.planning as planning_module
from scrypath.config import Config, configure
from scrypath.declaration import spec_for
from scrypath.errors import ProjectionError, TransportError
from scrypath.queue import JobState
from scrypath.queue import current as current_module
from scrypath.queue import database as database_module
from scrypath.queue import deliver as deliver_module
from scrypath.queue.batch import Batcher
from scrypath.queue.table import jobs
from scrypath.sync import delete_record, sync_record
from tests.conftest import Models
from tests.queue.support import FAST, all_jobs, document_tasks, documents, worker_for


def saved(models: Models, title: str, *, queued: bool = False) -> Any:
    """Post 1 with `title` committed (and, when `queued`, its queue job in the same commit)."""
    with models.session() as session:
        post = session.get(models.Post, 1) or models.Post(id=1, title=title)
        post.title = title
        session.add(post)
        session.flush()
        if queued:
            sync_record(post, session=session, mode="queue")
        session.commit()
    return post


def index_of(models: Models, config: Config) -> str:
    return spec_for(models.Post).index_name(config.index_prefix)


def batcher(models: Models, owner: str, **overrides: Any) -> Batcher:
    worker = worker_for(models.database.engine, **overrides)
    return Batcher(models.database.engine, worker.config, owner, 100)


def test_a_worker_that_lost_its_lease_sends_nothing(
    outbox: Models, queue_config: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(outbox, "v1", queued=True)
    lease = {"queue_lease_seconds": 1.0, "task_timeout": 0.5}
    stalled, rescuer = batcher(outbox, "stalled", **lease), batcher(outbox, "rescuer", **lease)
    blocked, resume = threading.Event(), threading.Event()
    real_ensure = deliver_module.ensure_once

    def slow_setup(*args: Any, **kwargs: Any) -> None:
        if threading.current_thread().name == "stalled":
            blocked.set()
            resume.wait(10)
        real_ensure(*args, **kwargs)

    monkeypatch.setattr(deliver_module, "ensure_once", slow_setup)
    reports: list[Any] = []
    thread = threading.Thread(target=lambda: reports.append(stalled.run()), name="stalled")
    thread.start()
    assert blocked.wait(10)
    time.sleep(1.2)  # the stalled worker's lease runs out, on the database's clock
    saved(outbox, "v2", queued=True)
    rescued = rescuer.run()
    assert rescued.claimed == 2
    index = index_of(outbox, queue_config)
    writes = len(document_tasks(meilisearch, index))
    resume.set()
    thread.join(10)
    assert reports[0].claimed == 1 and reports[0].outcomes == {}
    assert len(document_tasks(meilisearch, index)) == writes  # the stalled worker sent nothing
    assert documents(meilisearch, index)[1]["title"] == "v2"
    first, second = all_jobs(outbox.database.engine)
    assert (first.state, first.attempt, first.lease_owner) == (JobState.COMPLETED, 2, "rescuer")
    assert second.state == JobState.COMPLETED
    assert [(e.attempt, e.reason) for e in first.errors] == [(1, "lease_expired")]


def test_a_recorded_inline_failure_never_undoes_a_newer_inline_write(
    outbox: Models, scrypath_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    configure(outbox_url=outbox.database.engine, **FAST)
    sync_record(saved(outbox, "v1"))
    meilisearch_fake.faults.respond_next(1, route="/documents", drop_connection=True)
    with pytest.raises(TransportError):
        sync_record(saved(outbox, "v2"))
    sync_record(saved(outbox, "v3"))
    worker_for(outbox.database.engine).drain(wait_for_scheduled=True, handle_signals=False)
    (job,) = all_jobs(outbox.database.engine)
    assert job.state == JobState.COMPLETED
    assert documents(meilisearch, index_of(outbox, scrypath_config))[1]["title"] == "v3"


def test_a_queued_job_never_undoes_a_newer_inline_write(
    outbox: Models, queue_config: Config, meilisearch: Any
) -> None:
    saved(outbox, "v1", queued=True)
    sync_record(saved(outbox, "v2"), mode="inline")
    worker_for(outbox.database.engine).drain(handle_signals=False)
    assert documents(meilisearch, index_of(outbox, queue_config))[1]["title"] == "v2"


def test_an_inline_write_between_the_workers_read_and_send_is_not_overtaken(
    outbox: Models, queue_config: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(outbox, "v1", queued=True)
    real_read = current_module.current_plan
    reads: list[int] = []

    def writer_slips_in(*args: Any) -> Any:
        found = real_read(*args)
        reads.append(1)
        if len(reads) == 1:  # after the worker read v1, the app commits and syncs v2 inline
            sync_record(saved(outbox, "v2"), mode="inline")
        return found

    monkeypatch.setattr(deliver_module, "current_plan", writer_slips_in)
    worker_for(outbox.database.engine).drain(handle_signals=False)
    assert documents(meilisearch, index_of(outbox, queue_config))[1]["title"] == "v2"
    assert len(reads) >= 3  # the refresh, a recheck that found v2, a recheck that found no change


def test_two_workers_racing_on_one_document_end_with_the_newest(
    outbox: Models, queue_config: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(outbox, "v1", queued=True)
    real_read = current_module.current_plan
    read_v1, go = threading.Event(), threading.Event()

    def slow_first_read(*args: Any) -> Any:
        found = real_read(*args)
        if threading.current_thread().name == "slow" and not read_v1.is_set():
            read_v1.set()
            go.wait(10)
        return found

    monkeypatch.setattr(deliver_module, "current_plan", slow_first_read)
    slow, fast = batcher(outbox, "slow"), batcher(outbox, "fast")
    thread = threading.Thread(target=slow.run, name="slow")
    thread.start()
    assert read_v1.wait(10)
    saved(outbox, "v2", queued=True)
    assert fast.run().outcomes == {"completed": 1}
    go.set()  # the slow worker now sends the v1 it read, after v2 landed
    thread.join(10)
    assert documents(meilisearch, index_of(outbox, queue_config))[1]["title"] == "v2"
    assert {job.state for job in all_jobs(outbox.database.engine)} == {JobState.COMPLETED}


def test_a_queued_delete_of_a_row_that_came_back_sends_the_row(
    outbox: Models, queue_config: Config, meilisearch: Any
) -> None:
    post = saved(outbox, "v1", queued=True)
    with outbox.session() as session:
        session.delete(session.get(outbox.Post, 1))
        delete_record(post, session=session)
        session.commit()
    sync_record(saved(outbox, "back"), mode="inline")
    worker_for(outbox.database.engine).drain(handle_signals=False)
    assert documents(meilisearch, index_of(outbox, queue_config))[1]["title"] == "back"


def test_lease_times_come_from_the_database_clock(
    outbox: Models, queue_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    if outbox.database.backend != "postgresql":
        pytest.skip("SQLite is embedded: its clock is this host's")
    saved(outbox, "v1", queued=True)
    honest = database_module.utcnow()
    monkeypatch.setattr(database_module, "utcnow", lambda: honest - dt.timedelta(hours=5))
    batcher(outbox, "w").run()
    with outbox.database.engine.connect() as connection:
        row = connection.execute(select(jobs.c.attempted_at, jobs.c.completed_at)).one()
    for stamp in row:
        assert abs(stamp - honest) < dt.timedelta(minutes=1)


def test_a_row_that_no_longer_projects_fails_only_its_own_job(
    outbox: Models, queue_config: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with outbox.session() as session:
        for n in (1, 2):
            post = outbox.Post(id=n, title=f"post {n}")
            session.add(post)
            session.flush()
            sync_record(post, session=session)
        session.commit()
    real_project = planning_module.project

    def broken_for_two(record: Any, spec: Any) -> Any:
        if getattr(record, "id", None) == 2:
            raise ProjectionError("the search_document hook raised", model="Post")
        return real_project(record, spec)

    monkeypatch.setattr(planning_module, "project", broken_for_two)
    report = batcher(outbox, "w").run()
    assert report.outcomes == {"completed": 1, "retryable": 1}
    first, second = all_jobs(outbox.database.engine)
    assert (first.state, second.state) == (JobState.COMPLETED, JobState.RETRYABLE)
    assert second.last_error is not None and second.last_error.reason == "projection"
    assert set(documents(meilisearch, index_of(outbox, queue_config))) == {1}
