from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scrypath.config import Config, reset_configuration
from scrypath.declaration import registry, searchable
from scrypath.errors import (
    ConfigurationError,
    HTTPError,
    InvalidDocumentIdError,
    NotSearchableError,
    ScrypathError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
)
from scrypath.indexes import forget_ensured
from scrypath.sync import delete_documents, delete_record, sync_record, sync_records
from tests.conftest import Models, closed_port


def documents(meilisearch: Any, index: str) -> dict[Any, dict[str, Any]]:
    answer = meilisearch.client.http.get(f"indexes/{index}/documents?limit=1000")
    return {doc["id"]: doc for doc in answer["results"]}


def tasks_of(meilisearch: Any, index: str) -> list[dict[str, Any]]:
    answer = meilisearch.client.http.get(f"tasks?indexUids={index}&limit=1000")
    return list(reversed(answer["results"]))


def saved(models: Models, *records: Any) -> list[Any]:
    with models.session() as session:
        session.add_all(records)
        session.commit()
    return list(records)


def test_inline_sync_returns_completed_once_the_document_is_searchable(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    (post,) = saved(models, models.Post(id=1, title="Green tea", price=4.5))
    result = sync_record(post)
    assert (result.mode, result.status) == ("inline", "completed")
    assert result.document_ids == (1,)
    assert result.document_count == 1
    assert result.task is not None and result.task.status == "succeeded"
    assert result.job is None
    stored = documents(meilisearch, result.index or "")
    assert stored[1]["title"] == "Green tea"
    assert stored[1]["tenant_id"] == 1


def test_the_first_sync_creates_the_index_with_its_key_and_settings(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    (post,) = saved(models, models.Post(id=1, title="t"))
    result = sync_record(post)
    info = meilisearch.client.http.get(f"indexes/{result.index}")
    assert info["primaryKey"] == "id"
    settings = meilisearch.client.http.get(f"indexes/{result.index}/settings")
    assert sorted(settings["filterableAttributes"]) == [
        "author_id",
        "price",
        "status",
        "tenant_id",
    ]
    assert settings["searchableAttributes"] == ["title", "body"]


def test_index_bootstrap_can_be_turned_off(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    (post,) = saved(models, models.Post(id=1, title="t"))
    result = sync_record(post, ensure_index_on_first_sync=False)
    settings = meilisearch.client.http.get(f"indexes/{result.index}/settings")
    assert settings["filterableAttributes"] == []


def test_the_index_is_ensured_once_per_process(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    post = saved(models, models.Post(id=1, title="t"))[0]
    index = sync_record(post).index or ""
    sync_record(post)
    kinds = [task["type"] for task in tasks_of(meilisearch, index)]
    assert kinds.count("settingsUpdate") == 1
    forget_ensured()
    sync_record(post)
    kinds = [task["type"] for task in tasks_of(meilisearch, index)]
    assert kinds.count("settingsUpdate") == 2


def test_manual_mode_returns_accepted_without_waiting(
    models: Models, scrypath_config: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    post = saved(models, models.Post(id=1, title="t"))[0]
    sync_record(post)
    meilisearch_fake.faults.hold_tasks()
    result = sync_record(post, mode="manual")
    assert (result.mode, result.status) == ("manual", "accepted")
    assert result.task is not None and result.task.status == "enqueued"
    view = meilisearch.client.http.get(f"tasks/{result.task.uid}")
    assert view["status"] == "enqueued"
    meilisearch_fake.faults.release_tasks()


def test_a_record_that_stops_qualifying_is_deleted_from_the_index(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    post = saved(models, models.Post(id=1, title="t"))[0]
    index = sync_record(post).index or ""
    assert 1 in documents(meilisearch, index)
    post.status = "draft"
    result = sync_record(post)
    assert (result.upserted_ids, result.deleted_ids) == ((), (1,))
    assert 1 not in documents(meilisearch, index)


def test_sync_records_sends_one_upsert_and_one_delete_request(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    statuses = {n: "draft" if n % 2 else "published" for n in range(1, 7)}
    posts = saved(models, *(models.Post(id=n, title="p", status=s) for n, s in statuses.items()))
    result = sync_records(posts)
    assert result.upserted_ids == (2, 4, 6)
    assert result.deleted_ids == (1, 3, 5)
    assert result.document_ids == (2, 4, 6, 1, 3, 5)
    assert [task.type for task in result.tasks] == ["documentAdditionOrUpdate", "documentDeletion"]
    writes = [t for t in tasks_of(meilisearch, result.index or "") if t["type"] != "settingsUpdate"]
    assert [t["type"] for t in writes if t["type"] != "indexCreation"] == [
        "documentAdditionOrUpdate",
        "documentDeletion",
    ]
    assert sorted(documents(meilisearch, result.index or "")) == [2, 4, 6]


def test_the_last_write_of_a_record_wins_within_one_call(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    post = saved(models, models.Post(id=1, title="old"))[0]
    twin = models.Post(id=1, title="new")
    result = sync_records([post, twin])
    assert result.document_ids == (1,)
    assert documents(meilisearch, result.index or "")[1]["title"] == "new"


def test_values_go_out_through_the_one_encoder(scrypath_config: Config, meilisearch: Any) -> None:
    class Base(DeclarativeBase):
        pass

    with registry.isolated() as isolated:
        isolated.clear()

        @searchable(fields=["title", "at"])
        class Event(Base):
            __tablename__ = "events"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str]
            at: Mapped[dt.datetime]

        record = Event(id=7, title="launch", at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        result = sync_record(record)
    assert documents(meilisearch, result.index or "")[7]["at"] == 1704067200.0


def test_empty_input_is_a_noop_that_sends_nothing(offline_config: Config, models: Models) -> None:
    result = sync_records([])
    assert (result.status, result.index, result.tasks) == ("noop", None, ())
    assert delete_documents(models.Post, []).status == "noop"


def test_syncing_without_a_mode_says_how_to_choose_one(models: Models) -> None:
    reset_configuration()
    with pytest.raises(ConfigurationError, match="no sync mode is set"):
        sync_record(models.Post(id=1, title="t"))


def test_records_of_two_models_are_refused(models: Models, offline_config: Config) -> None:
    with pytest.raises(ConfigurationError, match="one model") as caught:
        sync_records([models.Post(id=1, title="t"), models.Author(id=1, name="a")])
    assert caught.value.context["key"] == "records"


def test_a_record_without_an_id_fails_before_any_request(
    models: Models, offline_config: Config
) -> None:
    with pytest.raises(InvalidDocumentIdError, match="flush the session"):
        sync_record(models.Post(title="unsaved"))


def test_invalid_ids_to_delete_fail_before_any_request(
    models: Models, offline_config: Config
) -> None:
    with pytest.raises(InvalidDocumentIdError):
        delete_documents(models.Post, [1, "not an id!"])


def test_an_unsearchable_record_is_refused(offline_config: Config) -> None:
    with pytest.raises(NotSearchableError):
        sync_record(object())


def test_delete_record_removes_the_document_whatever_should_index_says(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    posts = saved(models, models.Post(id=1, title="a"), models.Post(id=2, title="b"))
    index = sync_records(posts).index or ""
    result = delete_record(posts[0])
    assert (result.status, result.deleted_ids, result.document_ids) == ("completed", (1,), (1,))
    assert result.task is not None and result.task.type == "documentDeletion"
    assert sorted(documents(meilisearch, index)) == [2]


def test_delete_documents_deletes_by_id_and_drops_duplicates(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    posts = saved(models, *(models.Post(id=n, title=f"p{n}") for n in range(1, 4)))
    index = sync_records(posts).index or ""
    result = delete_documents(models.Post, [1, 3, 1])
    assert result.deleted_ids == (1, 3)
    assert sorted(documents(meilisearch, index)) == [2]


def test_a_failed_task_raises_with_the_meilisearch_code(
    models: Models, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    post = saved(models, models.Post(id=1, title="t"))[0]
    sync_record(post)
    meilisearch_fake.faults.fail_next_tasks(1, code="invalid_document_fields")
    with pytest.raises(TaskFailedError) as caught:
        sync_record(post)
    error = caught.value
    assert error.reason == "task_failed"
    assert error.code == "invalid_document_fields"
    assert error.context["model"] == "Post"
    assert error.context["operation"] == "upsert"
    assert isinstance(error.context["task"], int)


def test_a_task_that_outlives_the_timeout_says_it_may_still_finish(
    models: Models, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    post = saved(models, models.Post(id=1, title="t"))[0]
    sync_record(post)
    meilisearch_fake.faults.hold_tasks()
    with pytest.raises(TaskTimeoutError) as caught:
        sync_record(post, task_timeout=0.2)
    meilisearch_fake.faults.release_tasks()
    assert caught.value.reason == "task_timeout"
    assert "may still finish" in str(caught.value)


def test_an_unreachable_server_is_a_transport_error(models: Models, offline_config: Config) -> None:
    with pytest.raises(TransportError) as caught:
        sync_record(models.Post(id=1, title="t"))
    assert caught.value.reason == "transport"


def test_a_dropped_connection_is_a_transport_error(
    models: Models, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    post = saved(models, models.Post(id=1, title="t"))[0]
    sync_record(post)
    meilisearch_fake.faults.respond_next(1, route="/documents", drop_connection=True)
    with pytest.raises(TransportError):
        sync_record(post)


@pytest.mark.parametrize("status", [500, 503])
def test_an_http_error_carries_its_status(
    models: Models, scrypath_config: Config, meilisearch_fake: Any, status: int
) -> None:
    post = saved(models, models.Post(id=1, title="t"))[0]
    sync_record(post)
    meilisearch_fake.faults.respond_next(1, status=status, route="/documents", method="POST")
    with pytest.raises(HTTPError) as caught:
        sync_record(post)
    assert (caught.value.reason, caught.value.status) == ("http_error", status)


def test_results_are_json_data(models: Models, scrypath_config: Config) -> None:
    post = saved(models, models.Post(id=1, title="t"))[0]
    data = sync_record(post).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["document_ids"] == [1] and data["document_count"] == 1
    assert data["task"]["status"] == "succeeded"


def test_the_api_key_never_shows_in_errors_results_or_logs(
    models: Models, scrypath_config: Config, meilisearch: Any, meilisearch_fake: Any, caplog: Any
) -> None:
    key = meilisearch.api_key
    caplog.set_level(logging.DEBUG)
    post = saved(models, models.Post(id=1, title="t"))[0]
    shown = [repr(sync_record(post)), json.dumps(sync_record(post).to_json())]
    failures: list[ScrypathError] = []
    meilisearch_fake.faults.fail_next_tasks(1)
    meilisearch_fake.faults.respond_next(1, status=500, route="/documents", method="POST")
    for _ in range(2):
        with pytest.raises(ScrypathError) as caught:
            sync_record(post)
        failures.append(caught.value)
    port = closed_port()
    with pytest.raises(TransportError) as unreachable:
        sync_record(post, meilisearch_url=f"http://127.0.0.1:{port}")
    failures.append(unreachable.value)
    for error in failures:
        shown += [str(error), repr(error), repr(dict(error.context))]
    shown.append(caplog.text)
    assert key and all(key not in text for text in shown)


def test_sync_mode_is_accepted_as_a_per_call_override(
    models: Models, offline_config: Config
) -> None:
    with pytest.raises(ConfigurationError, match="given twice"):
        sync_record(models.Post(id=1, title="t"), mode="inline", sync_mode="manual")
    with pytest.raises(ConfigurationError, match="sync_mode"):
        sync_record(models.Post(id=1, title="t"), sync_mode="sideways")
