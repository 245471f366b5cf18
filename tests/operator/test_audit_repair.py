"""`reconcile_sync(include_document_drift=True)`: the audit embedded, `repair` recommended only
on drift, applied only when passed, touching exactly the drifted ids, queued in queue mode;
and a re-audit after the repair reports nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, update

import scrypath
from scrypath.config import Config, configure
from scrypath.errors import ActionNotRecommendedError
from scrypath.operator.audit import audit_index
from scrypath.operator.reconcile import reconcile_sync
from tests.conftest import Models
from tests.operator.support import index_of
from tests.operator.test_audit import hand_delete, hand_write, seed_posts
from tests.queue.support import all_jobs, worker_for


@pytest.fixture
def setup(models: Models, scrypath_config: Config) -> Models:
    configure(session_factory=models.database.sessions, poll_interval=0.002)
    return models


def plant_every_kind(models: Models, meilisearch: Any) -> str:
    """Posts 1-20 in sync, then: 2 missing, 4 gone, 6 stopped qualifying, 8 edited by hand,
    10 changed behind the ORM, and a document 77 no row holds."""
    seed_posts(models, 20)
    index = index_of(models.Post, scrypath.config.resolve())
    hand_delete(meilisearch, index, [2])
    with models.session() as session:
        session.execute(delete(models.Post).where(models.Post.id == 4))
        session.execute(update(models.Post).where(models.Post.id == 6).values(status="draft"))
        session.execute(update(models.Post).where(models.Post.id == 10).values(body="new"))
        session.commit()
    hand_write(meilisearch, index, [{"id": 8, "title": "vandalised"}, {"id": 77, "title": "x"}])
    return index


def reconcile(model: Any, **options: Any) -> scrypath.ReconcileReport:
    return reconcile_sync(model, include_document_drift=True, **options)


def test_drift_recommends_a_repair_and_the_repair_clears_it(
    setup: Models, meilisearch: Any
) -> None:
    plant_every_kind(setup, meilisearch)
    report = reconcile(setup.Post)
    assert report.document_drift is not None
    assert [action.kind for action in report.actions] == ["repair"]
    assert report.applied is None
    assert report.to_json()["document_drift"]["counts"] == {"missing": 1, "extra": 3, "stale": 2}
    applied = reconcile(setup.Post, action="repair")
    assert applied.applied is not None
    result = applied.applied.to_json()["result"]
    assert (result["upserted"], result["deleted"], result["status"]) == (3, 3, "completed")
    assert audit_index(setup.Post, settle=0).match


def test_a_repair_touches_only_the_drifted_ids(setup: Models, meilisearch: Any) -> None:
    index = plant_every_kind(setup, meilisearch)
    before = meilisearch.client.http.get(f"indexes/{index}/documents/12")
    reconcile(setup.Post, action="repair")
    tasks = meilisearch.client.http.get(
        f"tasks?indexUids={index}&types=documentAdditionOrUpdate,documentDeletion&limit=2"
    )["results"]
    sizes = [
        (task["type"], task["details"].get("receivedDocuments") or task["details"]["providedIds"])
        for task in reversed(tasks)
    ]
    # one plan read from the database: 2, 8 and 10 upserted; 6 (now a draft), 4 and 77
    # (no row) deleted
    assert sizes == [("documentAdditionOrUpdate", 3), ("documentDeletion", 3)]
    assert meilisearch.client.http.get(f"indexes/{index}/documents/12") == before


def test_no_drift_recommends_nothing_and_refuses_a_repair(setup: Models) -> None:
    seed_posts(setup, 5)
    report = reconcile(setup.Post)
    assert report.actions == ()
    with pytest.raises(ActionNotRecommendedError):
        reconcile(setup.Post, action="repair")


def test_repair_is_not_recommended_without_the_audit(setup: Models, meilisearch: Any) -> None:
    plant_every_kind(setup, meilisearch)
    report = reconcile_sync(setup.Post)
    assert report.document_drift is None
    assert report.to_json()["document_drift"] is None
    with pytest.raises(ActionNotRecommendedError):
        reconcile_sync(setup.Post, action="repair")


def test_queue_mode_queues_the_repair(
    outbox: Models, queue_config: Config, meilisearch: Any
) -> None:
    configure(outbox_url=outbox.database.engine, session_factory=outbox.database.sessions)
    seed_posts(outbox, 6)  # backfill writes inline whatever the mode
    index = index_of(outbox.Post, scrypath.config.resolve())
    hand_delete(meilisearch, index, [3])
    hand_write(meilisearch, index, [{"id": 90, "title": "x"}])
    applied = reconcile(outbox.Post, action="repair")
    assert applied.applied is not None
    assert applied.applied.result["mode"] == "queue"
    assert applied.applied.result["status"] == "accepted"
    assert len(all_jobs(outbox.database.engine)) == 2
    assert not audit_index(outbox.Post, settle=0).match  # queued, not yet delivered
    worker_for(outbox.database.engine).drain(wait_for_scheduled=True, handle_signals=False)
    assert audit_index(outbox.Post, settle=0).match


def test_a_row_written_while_the_repair_runs_is_not_undone(
    setup: Models, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Race: the repair reads the drifted ids, then a writer creates the row it found missing
    and changes a row it is about to upsert, both synced inline, before the repair's own writes
    are sent. The repair must not delete the new row's document nor put the older version back."""
    import scrypath.operator.audit_repair as repair_module

    seed_posts(setup, 5)
    index = index_of(setup.Post, scrypath.config.resolve())
    hand_write(meilisearch, index, [{"id": 77, "title": "no row yet"}, {"id": 3, "title": "x"}])
    report = reconcile(setup.Post)
    assert [action.kind for action in report.actions] == ["repair"]

    real_send = repair_module.sync_plan
    raced: list[str] = []

    def writer_first() -> None:
        if raced:
            return
        raced.append("done")
        with setup.session() as session:
            row = session.get(setup.Post, 3)
            assert row is not None
            row.title = "newest"
            born = setup.Post(id=77, title="born during the repair", price=1.0)
            session.add(born)
            session.commit()
            scrypath.sync_records([row], mode="inline")
            scrypath.sync_record(born, mode="inline")

    def send_after_writer(*args: Any, **kwargs: Any) -> Any:
        writer_first()
        return real_send(*args, **kwargs)

    monkeypatch.setattr(repair_module, "sync_plan", send_after_writer)
    reconcile(setup.Post, action="repair")

    assert raced == ["done"]
    get = meilisearch.client.http.get
    assert get(f"indexes/{index}/documents/77")["title"] == "born during the repair"
    assert get(f"indexes/{index}/documents/3")["title"] == "newest"
    assert audit_index(setup.Post, settle=0).match
