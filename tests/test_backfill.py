from __future__ import annotations

import gc
import json
import re
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select, update

import scrypath.bulk
from scrypath.bulk import BackfillProgress, backfill
from scrypath.config import Config, configure
from scrypath.delivery import documents_body, projected_body
from scrypath.errors import BackfillError, ConfigurationError
from scrypath.sync import sync_record
from tests.conftest import Models


def documents(meilisearch: Any, index: str) -> dict[Any, dict[str, Any]]:
    answer = meilisearch.client.http.get(f"indexes/{index}/documents?limit=1000")
    return {doc["id"]: doc for doc in answer["results"]}


def posts(models: Models, *ids: int, **values: Any) -> None:
    with models.session() as session:
        session.add_all(models.Post(id=i, title=f"post {i}", **values) for i in ids)
        session.commit()


@pytest.fixture
def sessions(models: Models, scrypath_config: Config) -> Iterator[Config]:
    configure(session_factory=models.database.sessions)
    yield scrypath_config


def test_backfill_sends_every_row_across_gaps_in_the_ids(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    ids = [1, 2, 5, 9, 10, 11, 40, 41, 100]
    posts(models, *ids)
    result = backfill(models.Post, batch_size=2)
    assert (result.status, result.mode) == ("completed", "inline")
    assert sorted(documents(meilisearch, result.index)) == ids
    assert (result.batches, result.documents, result.deleted) == (5, 9, 0)
    assert result.last_key == 100
    assert all(task.status == "succeeded" for task in result.tasks)


def test_backfill_pages_by_primary_key_and_never_by_offset(
    models: Models, sessions: Config
) -> None:
    posts(models, 3, 7, 8)
    pages: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: Any) -> None:
        if re.search(r"FROM (\S+\.)?posts", sql):
            pages.append((re.sub(r"\S+\.posts\.", "posts.", sql), context.compiled.statement))

    event.listen(models.database.engine, "before_cursor_execute", record)
    backfill(models.Post, batch_size=2)
    assert len(pages) == 3
    assert all(statement._offset_clause is None for _, statement in pages)
    assert all("ORDER BY posts.id" in sql for sql, _ in pages)
    assert "posts.id >" not in pages[0][0]
    assert all("posts.id >" in sql for sql, _ in pages[1:])


def test_a_scoped_select_backfills_only_its_rows(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    with models.session() as session:
        session.add_all(models.Post(id=i, title=f"p{i}", price=float(i)) for i in range(1, 11))
        session.commit()
    Post = models.Post
    result = backfill(Post, statement=select(Post).where(Post.price > 6), batch_size=3)
    assert sorted(documents(meilisearch, result.index)) == [7, 8, 9, 10]
    assert result.documents == 4


def test_payloads_are_split_so_no_request_exceeds_the_byte_limit(
    models: Models, sessions: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with models.session() as session:
        session.add_all(models.Post(id=i, title=f"p{i}", body="x" * 3000) for i in range(1, 8))
        session.commit()
    sizes: list[int] = []
    real = scrypath.bulk.send_upserts

    def spy(client: Any, index: str, primary_key: str, body: bytes, **context: Any) -> Any:
        sizes.append(len(body))
        return real(client, index, primary_key, body, **context)

    monkeypatch.setattr(scrypath.bulk, "send_upserts", spy)
    result = backfill(models.Post, batch_size=5, max_payload_bytes=7000)
    assert max(sizes) <= 7000
    assert len(sizes) == 4
    stored = documents(meilisearch, result.index)
    assert sorted(stored) == list(range(1, 8))
    assert all(doc["body"] == "x" * 3000 for doc in stored.values())


def test_a_document_larger_than_the_byte_limit_stops_the_backfill(
    models: Models, sessions: Config
) -> None:
    posts(models, 1)
    with models.session() as session:
        session.add(models.Post(id=2, title="big", body="y" * 5000))
        session.commit()
    with pytest.raises(BackfillError) as caught:
        backfill(models.Post, batch_size=1, max_payload_bytes=4000)
    error = caught.value
    assert error.context["cause"] == "configuration"
    assert error.resume_after == 1
    assert "document 2" in str(error) and "after=1" in str(error)


def test_a_failed_batch_stops_the_backfill_and_it_resumes_from_the_last_committed_key(
    models: Models, sessions: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    posts(models, *range(1, 8))
    index = f"{sessions.index_prefix}posts"

    def fail_third_batch(progress: BackfillProgress) -> None:
        if progress.batches == 2:
            meilisearch_fake.faults.fail_next_tasks(
                1, code="internal", index_uid=index, task_type="documentAdditionOrUpdate"
            )

    with pytest.raises(BackfillError) as caught:
        backfill(models.Post, batch_size=2, progress=fail_third_batch)
    error = caught.value
    assert error.reason == "backfill_failed"
    assert error.context["cause"] == "task_failed"
    assert (error.context["batches"], error.context["documents"]) == (2, 4)
    assert error.resume_after == 4
    assert "after=4" in str(error)
    assert isinstance(error.__cause__, scrypath.errors.TaskFailedError)
    statements = models.database.count_statements()
    resumed = backfill(models.Post, batch_size=2, after=error.resume_after)
    assert re.search(r"posts\.id >", next(sql for sql in statements if "posts" in sql))
    assert (resumed.batches, resumed.documents, resumed.last_key) == (2, 3, 7)
    assert sorted(documents(meilisearch, index)) == list(range(1, 8))


def test_rows_should_index_rejects_are_deleted_from_the_index(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    posts(models, 1, 2, 3)
    for i in (1, 2, 3):
        with models.session() as session:
            sync_record(session.get(models.Post, i))
    with models.session() as session:
        session.execute(update(models.Post).where(models.Post.id != 2).values(status="draft"))
        session.commit()
    result = backfill(models.Post, batch_size=2)
    assert sorted(documents(meilisearch, result.index)) == [2]
    assert (result.documents, result.deleted) == (1, 2)


def test_manual_mode_returns_once_meilisearch_accepted_every_batch(
    models: Models, sessions: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    posts(models, 1, 2, 3)
    result = backfill(models.Post, batch_size=2, mode="manual")
    assert (result.status, result.mode, result.batches) == ("accepted", "manual", 2)
    assert all(task.status == "enqueued" for task in result.tasks)
    meilisearch_fake.wait_idle()
    assert sorted(documents(meilisearch, result.index)) == [1, 2, 3]


def test_progress_is_reported_after_every_batch(models: Models, sessions: Config) -> None:
    posts(models, *range(1, 6))
    seen: list[BackfillProgress] = []
    result = backfill(models.Post, batch_size=2, progress=seen.append)
    assert [(p.batches, p.documents, p.last_key) for p in seen] == [(1, 2, 2), (2, 4, 4), (3, 5, 5)]
    assert json.loads(json.dumps(seen[-1].to_json()))["last_key"] == 5
    assert json.loads(json.dumps(result.to_json()))["documents"] == 5


def test_no_batch_of_records_outlives_its_send(models: Models, sessions: Config) -> None:
    posts(models, *range(1, 9))
    loaded: list[weakref.ref[Any]] = []
    event.listen(models.Post, "load", lambda record, _: loaded.append(weakref.ref(record)))
    alive_after_each_batch: list[int] = []

    def check(progress: BackfillProgress) -> None:
        gc.collect()
        alive_after_each_batch.append(sum(ref() is not None for ref in loaded))

    backfill(models.Post, batch_size=2, progress=check)
    assert len(loaded) == 8
    assert alive_after_each_batch == [0, 0, 0, 0]


def test_a_named_index_receives_the_documents(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    posts(models, 1, 2)
    other = f"{sessions.index_prefix}elsewhere"
    result = backfill(models.Post, index=other)
    assert result.index == other
    assert sorted(documents(meilisearch, other)) == [1, 2]


def test_an_empty_table_completes_with_nothing_sent(models: Models, sessions: Config) -> None:
    result = backfill(models.Post)
    assert (result.batches, result.documents, result.last_key, result.tasks) == (0, 0, None, ())


def test_recheck_resends_a_row_changed_while_its_batch_was_in_flight(
    models: Models, sessions: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    posts(models, 1, 2)
    real = scrypath.bulk.send_upserts
    calls: list[int] = []

    def writer_slips_in(client: Any, index: str, key: str, body: bytes, **context: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            with models.session() as session:
                session.get(models.Post, 1).title = "written meanwhile"
                session.commit()
                sync_record(session.get(models.Post, 1))
        return real(client, index, key, body, **context)

    monkeypatch.setattr(scrypath.bulk, "send_upserts", writer_slips_in)
    result = backfill(models.Post, recheck=True)
    assert documents(meilisearch, result.index)[1]["title"] == "written meanwhile"
    assert result.documents == 3


def test_without_recheck_the_stale_batch_wins(
    models: Models, sessions: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    posts(models, 1)
    real = scrypath.bulk.send_upserts

    def writer_slips_in(client: Any, index: str, key: str, body: bytes, **context: Any) -> Any:
        with models.session() as session:
            session.get(models.Post, 1).title = "written meanwhile"
            session.commit()
            sync_record(session.get(models.Post, 1))
        return real(client, index, key, body, **context)

    monkeypatch.setattr(scrypath.bulk, "send_upserts", writer_slips_in)
    result = backfill(models.Post)
    assert documents(meilisearch, result.index)[1]["title"] == "post 1"


def test_rows_that_never_stop_changing_stop_a_rechecked_backfill(
    models: Models, sessions: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    posts(models, 1)
    real = scrypath.bulk.read_span
    edits = iter(range(1000))

    def busy_writer(plan: Any, after: Any, last: Any) -> Any:
        with models.session() as session:
            session.get(models.Post, 1).title = f"edit {next(edits)}"
            session.commit()
        return real(plan, after, last)

    monkeypatch.setattr(scrypath.bulk, "read_span", busy_writer)
    with pytest.raises(BackfillError) as caught:
        backfill(models.Post, recheck=True)
    assert caught.value.context["cause"] == "unsettled"
    assert caught.value.resume_after is None
    assert next(edits) == scrypath.bulk.MAX_RECHECK_ROUNDS


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"mode": "queue"}, "mode"),
        ({"max_payload_bytes": 10}, "max_payload_bytes"),
    ],
)
def test_invalid_options_are_refused_before_any_request(
    models: Models, offline_config: Config, options: dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        backfill(models.Post, session_factory=models.database.sessions, **options)
    assert caught.value.context["key"] == key


def test_a_statement_with_its_own_limit_or_another_entity_is_refused(
    models: Models, offline_config: Config
) -> None:
    factory = models.database.sessions
    for statement in (select(models.Post).limit(3), select(models.Author)):
        with pytest.raises(ConfigurationError) as caught:
            backfill(models.Post, statement=statement, session_factory=factory)
        assert caught.value.context["key"] == "statement"


def test_a_backfill_needs_a_session_factory(models: Models, scrypath_config: Config) -> None:
    with pytest.raises(ConfigurationError) as caught:
        backfill(models.Post)
    assert caught.value.context["key"] == "session_factory"


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(st.lists(st.dictionaries(st.text(), _json_values, max_size=5), max_size=5))
def test_the_bulk_body_is_byte_for_byte_the_one_encoder_body(docs: list[dict[str, Any]]) -> None:
    assert projected_body(docs) == documents_body(docs)


def test_a_database_failure_is_told_without_its_sql(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    posts(models, 1, 2)
    models.Post.__table__.drop(models.database.engine)
    with pytest.raises(BackfillError) as info:
        backfill(models.Post)
    message = str(info.value)
    assert "nothing was committed" in message
    assert "[SQL" not in message and "SELECT" not in message
