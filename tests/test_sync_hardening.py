"""Bad input gets a typed error and sends nothing; a vanished index comes back configured;
payloads stay within the request size limit."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scrypath.indexes as indexes_module
import scrypath.sync as sync_module
from scrypath.config import Config
from scrypath.delivery import projected_body, sized_bodies
from scrypath.errors import ConfigurationError, TransportError
from scrypath.sync import delete_documents, sync_record, sync_records
from tests.conftest import Models


def saved(models: Models, *records: Any) -> list[Any]:
    with models.session() as session:
        session.add_all(records)
        session.commit()
    return list(records)


@pytest.mark.parametrize("ids", ["19", b"19", bytearray(b"19"), None, 19, 1.5])
def test_delete_documents_refuses_what_is_not_a_collection_of_ids(
    models: Models, offline_config: Config, ids: Any
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        delete_documents(models.Post, ids)
    assert caught.value.context["key"] == "ids"
    assert "delete_documents() takes a collection of ids" in str(caught.value)


@pytest.mark.parametrize("records", ["ab", b"ab", None, 3])
def test_sync_records_refuses_what_is_not_a_collection_of_records(
    models: Models, offline_config: Config, records: Any
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        sync_records(records)
    assert caught.value.context["key"] == "records"


@given(st.text(min_size=1, max_size=20) | st.binary(min_size=1, max_size=20))
def test_no_lone_string_is_ever_taken_apart_into_ids(value: str | bytes) -> None:
    with pytest.raises(ConfigurationError):
        sync_module._collection(value, "ids", "delete_documents")


def test_one_id_in_a_list_deletes_exactly_that_document(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    notes = [models.Note(id=n, slug=str(n), text="x") for n in (1, 9, 19)]
    sync_records(saved(models, *notes))
    result = delete_documents(models.Note, ["19"])
    assert result.deleted_ids == ("19",)
    index = result.index
    remaining = meilisearch.client.http.get(f"indexes/{index}/documents")["results"]
    assert sorted(doc["slug"] for doc in remaining) == ["1", "9"]


def test_a_failed_first_bootstrap_names_the_mode(models: Models, offline_config: Config) -> None:
    (post,) = saved(models, models.Post(id=1, title="t"))
    with pytest.raises(TransportError) as caught:
        sync_record(post, mode="manual")
    assert caught.value.context["operation"] == "ensure_index"
    assert caught.value.context["mode"] == "manual"


def index_deleted_behind_the_process(models: Models, meilisearch: Any) -> tuple[Any, str]:
    """Post 1 synced (its index ensured), then the index deleted by hand; returns post 2
    (saved, not synced) and the index."""
    first, second = saved(models, models.Post(id=1, title="a"), models.Post(id=2, title="b"))
    index = sync_record(first).index
    assert index is not None
    client = meilisearch.client
    client.wait_for_task(client.http.delete(f"indexes/{index}")["taskUid"])
    return second, index


def test_an_index_deleted_behind_the_process_comes_back_with_its_settings(
    models: Models, scrypath_config: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    post, index = index_deleted_behind_the_process(models, meilisearch)
    monkeypatch.setattr(indexes_module, "RECHECK_SECONDS", 0.0)
    sync_record(post)
    settings = meilisearch.client.http.get(f"indexes/{index}/settings")
    assert sorted(settings["filterableAttributes"]) == ["author_id", "price", "status", "tenant_id"]
    assert meilisearch.client.http.get(f"indexes/{index}")["primaryKey"] == "id"


def test_an_index_recreated_by_a_stray_write_is_configured_again(
    models: Models, scrypath_config: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    post, index = index_deleted_behind_the_process(models, meilisearch)
    client = meilisearch.client
    stray = client.index(index).add_documents([{"id": 9, "title": "stray"}])
    client.wait_for_task(stray.task_uid)
    assert client.http.get(f"indexes/{index}/settings")["filterableAttributes"] == []
    monkeypatch.setattr(indexes_module, "RECHECK_SECONDS", 0.0)
    sync_record(post)
    assert client.http.get(f"indexes/{index}/settings")["filterableAttributes"] != []


def test_the_ensured_index_is_read_again_at_most_every_recheck_period(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    posts = saved(models, *(models.Post(id=n, title="t") for n in range(1, 6)))
    sync_record(posts[0])
    reads: list[str] = []
    real = indexes_module._read_index

    def counting(client: Any, index: str, context: Any) -> Any:
        reads.append(index)
        return real(client, index, context)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexes_module, "_read_index", counting)
        for post in posts[1:]:
            sync_record(post)
    assert reads == []


def test_sync_records_splits_upserts_that_exceed_the_request_limit(
    models: Models, scrypath_config: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    posts = saved(models, *(models.Post(id=n, title="x" * 200) for n in range(1, 11)))
    monkeypatch.setattr(sync_module, "DEFAULT_MAX_PAYLOAD_BYTES", 1000)
    result = sync_records(posts)
    assert len(result.tasks) > 1
    assert sum(1 for task in result.tasks if task.type == "documentAdditionOrUpdate") > 1
    index = result.index
    answer = meilisearch.client.http.get(f"indexes/{index}/documents?limit=100")
    assert answer["total"] == 10


def test_a_document_larger_than_one_request_fails_before_anything_is_sent(
    models: Models, offline_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    (post,) = saved(models, models.Post(id=1, title="x" * 2000))
    monkeypatch.setattr(sync_module, "DEFAULT_MAX_PAYLOAD_BYTES", 1000)
    monkeypatch.setattr(sync_module, "ensure_once", lambda *a, **k: None)
    with pytest.raises(ConfigurationError) as caught:
        sync_record(post)
    assert caught.value.context["key"] == "max_payload_bytes"


@given(
    st.lists(st.text(max_size=60), min_size=1, max_size=30),
    st.integers(min_value=80, max_value=600),
)
def test_sized_bodies_keep_every_document_once_in_order_and_within_the_limit(
    titles: list[str], limit: int
) -> None:
    documents = {n: {"id": n, "t": title} for n, title in enumerate(titles)}
    try:
        bodies = list(sized_bodies(documents, limit, model="M"))
    except ConfigurationError:
        assert any(len(projected_body([doc])) > limit for doc in documents.values())
        return
    assert [i for ids, _ in bodies for i in ids] == list(documents)
    assert all(len(body) <= limit for _, body in bodies)
