from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import scrypath.queue.enqueue as enqueue_module
from scrypath.config import Config
from scrypath.declaration import registry, searchable
from scrypath.delivery import documents_body
from scrypath.errors import (
    ConfigurationError,
    EncodingError,
    InvalidDocumentIdError,
    NotSearchableError,
    OutboxNotInstalledError,
)
from scrypath.projection import project
from scrypath.queue import JobState, install
from scrypath.queue.database import forget_installed
from scrypath.queue.payload import model_reference
from scrypath.queue.table import jobs
from scrypath.sync import delete_documents, delete_record, sync_record, sync_records
from tests.conftest import Models
from tests.queue.support import all_jobs, payload_of


def job_count(models: Models) -> int:
    with models.database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(jobs)).scalar_one())


def test_a_rollback_leaves_no_job(outbox: Models, queue_config: Config) -> None:
    with outbox.session() as session:
        post = outbox.Post(id=1, title="draft of an idea")
        session.add(post)
        result = sync_record(post, session=session)
        assert result.job is not None
        session.rollback()
    assert job_count(outbox) == 0


def test_a_commit_leaves_exactly_the_jobs_for_what_was_written(
    outbox: Models, queue_config: Config
) -> None:
    with outbox.session() as session:
        posts = [outbox.Post(id=n, title=f"p{n}") for n in range(1, 4)]
        draft = outbox.Post(id=4, title="hidden", status="draft")
        session.add_all([*posts, draft])
        first = sync_records([*posts, draft], session=session)
        second = delete_documents(outbox.Post, [9], session=session)
        session.commit()
    found = all_jobs(outbox.database.engine)
    assert [job.id for job in found] == [ref.id for ref in (*first.jobs, *second.jobs)]
    assert [(job.operation, json.loads(job.document_ids)) for job in found] == [
        ("upsert", [1, 2, 3]),
        ("delete", [4]),
        ("delete", [9]),
    ]
    assert {job.state for job in found} == {JobState.AVAILABLE}
    assert all(job.model == model_reference(outbox.Post) for job in found)


def test_the_result_says_accepted_and_carries_job_references(
    outbox: Models, queue_config: Config
) -> None:
    with outbox.session() as session:
        post = outbox.Post(id=1, title="t")
        session.add(post)
        result = sync_record(post, session=session)
        session.commit()
    assert (result.mode, result.status) == ("queue", "accepted")
    assert result.tasks == () and result.task is None
    assert result.document_ids == (1,) and result.document_count == 1
    assert result.job is not None and result.job.state == JobState.AVAILABLE
    data = result.to_json()
    assert data["job"]["id"] == result.job.id
    assert data["jobs"] == [result.job.to_json()]
    assert data["task"] is None
    assert result.index is not None and result.job.index == result.index


def test_each_call_is_one_insert_statement(outbox: Models, queue_config: Config) -> None:
    with outbox.session() as session:
        posts = [outbox.Post(id=n, title="t", status="draft" if n % 2 else "ok") for n in range(6)]
        session.add_all(posts)
        session.flush()
        statements = outbox.database.count_statements()
        result = sync_records(posts, session=session)
        session.commit()
    inserts = [sql for sql in statements if sql.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1
    assert len(result.jobs) == 2


def test_the_payload_is_the_inline_paths_json(outbox: Models, queue_config: Config) -> None:
    with outbox.session() as session:
        post = outbox.Post(id=1, title="Grüner Tee", price=4.5)
        session.add(post)
        sync_record(post, session=session)
        session.commit()
        expected = documents_body([project(post, registry.get(outbox.Post))])  # type: ignore[arg-type]
    (job,) = all_jobs(outbox.database.engine)
    assert job.payload.encode("utf-8") == expected
    assert payload_of(job) == [
        {
            "id": 1,
            "title": "Grüner Tee",
            "body": "",
            "status": "published",
            "price": 4.5,
            "author_id": None,
            "tenant_id": 1,
        }
    ]


def test_delete_record_and_delete_documents_enqueue_ids(
    outbox: Models, queue_config: Config
) -> None:
    with outbox.session() as session:
        note = outbox.Note(id=1, slug="hello-world", text="x")
        session.add(note)
        session.flush()
        by_record = delete_record(note, session=session)
        by_id = delete_documents(outbox.Note, ["a", "b", "a"], session=session)
        session.commit()
    assert by_record.deleted_ids == ("hello-world",)
    assert by_id.deleted_ids == ("a", "b")
    assert [payload_of(job) for job in all_jobs(outbox.database.engine)] == [
        ["hello-world"],
        ["a", "b"],
    ]


def test_records_added_but_not_flushed_are_flushed_for_their_ids(
    outbox: Models, queue_config: Config
) -> None:
    with outbox.session() as session:
        author = outbox.Author(id=5, name="Ada")
        session.add(author)
        result = sync_record(author, session=session)
        session.commit()
    assert result.document_ids == (5,)


def test_queue_mode_without_a_session_fails_before_anything_is_written(
    outbox: Models, queue_config: Config
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        sync_record(outbox.Post(id=1, title="t"))
    assert "session=session" in str(caught.value)
    assert caught.value.context["key"] == "session"
    with pytest.raises(ConfigurationError):
        delete_documents(outbox.Post, [1])
    with pytest.raises(ConfigurationError):
        sync_records([], session="not a session")  # type: ignore[arg-type]
    assert job_count(outbox) == 0


def test_queue_mode_without_the_outbox_says_how_to_install_it(
    models: Models, queue_config: Config
) -> None:
    forget_installed()
    with models.session() as session:
        post = models.Post(id=1, title="t")
        session.add(post)
        with pytest.raises(OutboxNotInstalledError) as caught:
            sync_record(post, session=session)
    message = str(caught.value)
    assert "install_outbox(engine)" in message
    assert "Alembic" in message
    assert caught.value.reason == "outbox_not_installed"


def test_a_projection_with_no_json_form_fails_and_writes_nothing(
    outbox: Models, queue_config: Config
) -> None:
    class Base(DeclarativeBase):
        pass

    with registry.isolated():

        @searchable(fields=["title", "blob"])
        class Upload(Base):
            __tablename__ = "uploads"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str]
            blob: Mapped[bytes]

        Base.metadata.create_all(outbox.database.engine)
        with outbox.session() as session:
            good = outbox.Post(id=1, title="fine")
            bad = Upload(id=1, title="x", blob=b"\x00")
            session.add_all([good, bad])
            sync_record(good, session=session)
            with pytest.raises(EncodingError):
                sync_record(bad, session=session)
            session.commit()
    assert [json.loads(job.document_ids) for job in all_jobs(outbox.database.engine)] == [[1]]


def test_a_model_that_is_not_searchable_is_refused(outbox: Models, queue_config: Config) -> None:
    with outbox.session() as session, pytest.raises(NotSearchableError):
        sync_record(object(), session=session)
    with outbox.session() as session, pytest.raises(NotSearchableError):
        delete_documents(dict, [1], session=session)
    assert job_count(outbox) == 0


def test_invalid_ids_fail_before_anything_is_written(outbox: Models, queue_config: Config) -> None:
    with outbox.session() as session, pytest.raises(InvalidDocumentIdError):
        delete_documents(outbox.Post, [1, "not an id!"], session=session)
    assert job_count(outbox) == 0


def test_rows_hold_no_url_or_key(outbox: Models, queue_config: Config) -> None:
    with outbox.session() as session:
        post = outbox.Post(id=1, title="t")
        session.add(post)
        sync_record(post, session=session)
        session.commit()
    with outbox.database.engine.connect() as connection:
        row = connection.execute(select(jobs)).mappings().one()
    flat = json.dumps({key: str(value) for key, value in row.items()})
    assert queue_config.meilisearch_url and queue_config.meilisearch_url not in flat
    assert "127.0.0.1" not in flat
    if queue_config.meilisearch_api_key:
        assert queue_config.meilisearch_api_key not in flat


def test_jobs_start_available_with_the_configured_attempts(
    outbox: Models, queue_config: Config
) -> None:
    with outbox.session() as session:
        post = outbox.Post(id=1, title="t")
        session.add(post)
        sync_record(post, session=session, queue_max_attempts=3)
        session.commit()
    (job,) = all_jobs(outbox.database.engine)
    assert (job.state, job.attempt, job.max_attempts, job.errors) == (
        JobState.AVAILABLE,
        0,
        3,
        (),
    )
    assert job.scheduled_at <= dt.datetime.now(dt.UTC).replace(tzinfo=None)


def test_install_is_idempotent(outbox: Models) -> None:
    install(outbox.database.engine)
    install(outbox.database.engine)
    assert job_count(outbox) == 0


def test_a_model_declared_in_main_is_refused_at_enqueue(
    outbox: Models, queue_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox.Post, "__module__", "__main__")
    with outbox.session() as session:
        post = outbox.Post(id=1, title="t")
        session.add(post)
        session.flush()
        with pytest.raises(ConfigurationError) as caught:
            sync_record(post, session=session)
        assert "__main__" in str(caught.value) and "worker" in str(caught.value)
        assert caught.value.context["model"] == "Post"
        session.commit()
    assert job_count(outbox) == 0


def test_upserts_larger_than_one_request_become_several_jobs(
    outbox: Models, queue_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enqueue_module, "MAX_JOB_BYTES", 1000)
    with outbox.session() as session:
        posts = [outbox.Post(id=n, title="x" * 200) for n in range(1, 11)]
        session.add_all(posts)
        session.flush()
        result = sync_records(posts, session=session)
        session.commit()
    assert len(result.jobs) > 1
    found = all_jobs(outbox.database.engine)
    assert all(len(job.payload.encode()) <= 1000 for job in found)
    assert [i for job in found for i in json.loads(job.document_ids)] == list(range(1, 11))
