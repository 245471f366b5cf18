from __future__ import annotations

import importlib
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

import scrypath.bulk
import scrypath.delivery
import scrypath.meilisearch.rebuild_marker as rebuild_marker
from scrypath.bulk import BackfillProgress
from scrypath.config import Config, configure
from scrypath.declaration import registry, searchable, spec_for
from scrypath.errors import ReindexError
from scrypath.indexes import ensure_index, forget_ensured
from scrypath.meilisearch import diff_settings
from scrypath.meilisearch.client import get_client
from scrypath.meilisearch.rebuild_marker import (
    forget_markers,
    lock_name,
    marker_name,
    target_name,
)
from scrypath.projection import is_indexable, project
from scrypath.rebuild import ReindexResult, missing_ranking_rules, reindex
from scrypath.sync import delete_documents, sync_record, sync_records
from tests.conftest import Database, Models

# The root exports the `reindex` function under the module's name; reach the module itself.
reindex_module = importlib.import_module("scrypath.rebuild")
STEPS = reindex_module.STEPS


@pytest.fixture
def database(database: Database, tmp_path: Path) -> Iterator[Database]:
    """SQLite in a file (WAL), so that writer threads get connections of their own."""
    if database.backend != "sqlite":
        yield database
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'reindex.sqlite'}", connect_args={"timeout": 30})
    event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA journal_mode=WAL"))
    yield Database("sqlite", engine, sessionmaker(engine, expire_on_commit=False))
    engine.dispose()


@pytest.fixture
def sessions(models: Models, scrypath_config: Config) -> Iterator[Config]:
    configure(session_factory=models.database.sessions)
    forget_markers()
    yield scrypath_config
    forget_markers()


def live_index(config: Config) -> str:
    return f"{config.index_prefix}posts"


def documents(meilisearch: Any, index: str) -> dict[Any, dict[str, Any]]:
    answer = meilisearch.client.http.get(f"indexes/{index}/documents?limit=10000")
    return {doc["id"]: doc for doc in answer["results"]}


def index_names(meilisearch: Any, config: Config) -> set[str]:
    answer = meilisearch.client.http.get("indexes?limit=1000")
    return {
        item["uid"] for item in answer["results"] if item["uid"].startswith(config.index_prefix)
    }


def expected_documents(models: Models) -> dict[Any, dict[str, Any]]:
    """What the index must hold: the projection of every indexable row, as JSON."""
    spec = spec_for(models.Post)
    with models.session() as session:
        rows = session.scalars(select(models.Post)).all()
        docs = [project(row, spec) for row in rows if is_indexable(row, spec)]
    return {doc["id"]: json.loads(json.dumps(doc)) for doc in docs}


def seed(models: Models, ids: range | list[int], **values: Any) -> None:
    with models.session() as session:
        session.add_all(models.Post(id=i, title=f"post {i}", **values) for i in ids)
        session.commit()


def sync_all(models: Models) -> None:
    with models.session() as session:
        sync_records(session.scalars(select(models.Post)).all())


# -- happy paths -----------------------------------------------------------------------------


def test_a_first_ever_reindex_builds_the_live_index(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    seed(models, [1, 2, 3, 7])
    seed(models, [8], status="draft")
    result = reindex(models.Post, batch_size=2, grace_period=0)
    live = live_index(sessions)
    assert isinstance(result, ReindexResult)
    assert (result.index, result.first_run, result.old_index) == (live, True, None)
    assert result.steps == tuple(name for name, _ in STEPS)
    assert (result.expected_documents, result.documents) == (4, 4)
    assert documents(meilisearch, live) == expected_documents(models)
    assert diff_settings(models.Post) == []
    assert index_names(meilisearch, sessions) == {live}
    assert json.loads(json.dumps(result.to_json()))["first_run"] is True


def test_a_reindex_replaces_a_stale_live_index_and_drops_the_old_one(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    seed(models, range(1, 6))
    sync_all(models)
    live = live_index(sessions)
    junk = meilisearch.client.index(live).add_documents([{"id": 999, "title": "ghost"}])
    meilisearch.client.wait_for_task(junk.task_uid)
    with models.session() as session:
        session.get(models.Post, 2).title = "renamed without a sync"
        session.commit()
    result = reindex(models.Post, batch_size=2, grace_period=0)
    assert result.first_run is False
    assert documents(meilisearch, live) == expected_documents(models)
    assert index_names(meilisearch, sessions) == {live}


def test_keep_old_keeps_the_previous_index_for_rollback(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    seed(models, [1, 2])
    sync_all(models)
    live = live_index(sessions)
    with models.session() as session:
        session.execute(delete(models.Post).where(models.Post.id == 2))
        session.commit()
    result = reindex(models.Post, keep_old=True, grace_period=0)
    assert result.old_index == target_name(live)
    assert sorted(documents(meilisearch, live)) == [1]
    assert sorted(documents(meilisearch, target_name(live))) == [1, 2]


def test_a_leftover_target_is_deleted_first_and_reported(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    seed(models, [1, 2])
    sync_all(models)
    live = live_index(sessions)
    leftover = meilisearch.client.index(target_name(live)).add_documents([{"id": 777}])
    meilisearch.client.wait_for_task(leftover.task_uid)
    result = reindex(models.Post, grace_period=0)
    assert result.leftover_deleted is True
    assert sorted(documents(meilisearch, live)) == [1, 2]


# -- failures leave the live index serving ---------------------------------------------------


def live_state(meilisearch: Any, index: str) -> tuple[Any, Any]:
    settings = meilisearch.client.http.get(f"indexes/{index}/settings")
    return documents(meilisearch, index), settings


def test_settings_drift_on_the_target_aborts_before_any_row_is_read(
    models: Models, sessions: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(models, [1, 2])
    sync_all(models)
    live = live_index(sessions)
    before = live_state(meilisearch, live)
    real = reindex_module.target_settings

    def meilisearch_kept_something_else(spec: Any) -> dict[str, Any]:
        return {**real(spec), "searchableAttributes": ["body", "title"]}

    monkeypatch.setattr(reindex_module, "target_settings", meilisearch_kept_something_else)
    with pytest.raises(ReindexError) as caught:
        reindex(models.Post, grace_period=0)
    error = caught.value
    assert (error.step, error.context["cause"]) == ("verify_settings", "check_failed")
    assert error.context["drift"] == [
        {
            "key": "searchableAttributes",
            "declared": ["title", "body"],
            "applied": ["body", "title"],
        }
    ]
    assert error.context["live_untouched"] is True
    assert error.context["left_behind"] == []
    assert live_state(meilisearch, live) == before
    assert index_names(meilisearch, sessions) == {live}


def test_a_failed_task_mid_backfill_leaves_the_live_index_unchanged(
    models: Models, sessions: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    seed(models, range(1, 8))
    sync_all(models)
    live = live_index(sessions)
    with models.session() as session:
        session.get(models.Post, 1).title = "changed"
        session.commit()
    before = live_state(meilisearch, live)

    def fail_next_batch(progress: BackfillProgress) -> None:
        if progress.batches == 1:
            meilisearch_fake.faults.fail_next_tasks(
                1, index_uid=target_name(live), task_type="documentAdditionOrUpdate"
            )

    with pytest.raises(ReindexError) as caught:
        reindex(models.Post, batch_size=2, grace_period=0, progress=fail_next_batch)
    error = caught.value
    assert (error.step, error.context["cause"]) == ("backfill", "task_failed")
    assert error.context["live_untouched"] is True
    assert error.context["left_behind"] == []
    assert "backfill" in str(error) and "not touched" in str(error)
    assert live_state(meilisearch, live) == before
    assert index_names(meilisearch, sessions) == {live}
    with models.session() as session:
        sync_record(session.get(models.Post, 2))
    assert index_names(meilisearch, sessions) == {live}


def test_the_count_check_catches_rows_that_share_a_document_id(
    database: Database, sessions: Config, meilisearch: Any
) -> None:
    with registry.isolated() as isolated:
        isolated.clear()

        class Base(DeclarativeBase):
            pass

        @searchable(fields=["name"], document_id="code")
        class Sku(Base):
            __tablename__ = "skus"
            id: Mapped[int] = mapped_column(primary_key=True)
            code: Mapped[str]
            name: Mapped[str]

        Base.metadata.create_all(database.engine)
        with database.sessions() as session:
            session.add_all(
                [
                    Sku(id=1, code="a", name="x"),
                    Sku(id=2, code="a", name="y"),
                    Sku(id=3, code="b", name="z"),
                ]
            )
            session.commit()
        with pytest.raises(ReindexError) as caught:
            reindex(Sku, grace_period=0, session_factory=database.sessions)
    error = caught.value
    assert error.step == "verify"
    assert (error.context["expected_documents"], error.context["documents"]) == (3, 2)
    assert error.context["live_untouched"] is True
    assert f"{sessions.index_prefix}skus" not in index_names(meilisearch, sessions)
    assert index_names(meilisearch, sessions) == set()


def test_declared_ranking_rules_that_drop_built_ins_are_refused(
    database: Database, sessions: Config, meilisearch: Any
) -> None:
    with registry.isolated() as isolated:
        isolated.clear()

        class Base(DeclarativeBase):
            pass

        @searchable(
            fields=["name"], sortable=["name"], settings={"ranking_rules": ["words", "typo"]}
        )
        class Tag(Base):
            __tablename__ = "tags"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str]

        Base.metadata.create_all(database.engine)
        with pytest.raises(ReindexError) as caught:
            reindex(Tag, grace_period=0, session_factory=database.sessions)
        assert caught.value.step == "check_ranking_rules"
        assert "sort" in caught.value.context["missing_rules"]
        assert index_names(meilisearch, sessions) == set()
        result = reindex(
            Tag, grace_period=0, session_factory=database.sessions, allow_partial_ranking_rules=True
        )
        assert result.first_run is True


def test_an_unexpected_exception_still_withdraws_the_announcement(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    seed(models, range(1, 6))
    sync_all(models)
    live = live_index(sessions)

    def operator_stops_it(progress: BackfillProgress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reindex(models.Post, batch_size=2, grace_period=0, progress=operator_stops_it)
    assert index_names(meilisearch, sessions) == {live}
    with models.session() as session:
        sync_record(session.get(models.Post, 1))
    assert index_names(meilisearch, sessions) == {live}


def test_missing_ranking_rules_accept_attribute_for_its_two_halves() -> None:
    full = ["words", "typo", "proximity", "attribute", "sort", "exactness"]
    assert missing_ranking_rules(full) == []
    split = ["words", "typo", "proximity", "attributeRank", "sort", "wordPosition", "exactness"]
    assert missing_ranking_rules(split) == []
    assert missing_ranking_rules(["words", "price:asc"]) == [
        "typo",
        "proximity",
        "sort",
        "exactness",
        "attributeRank",
        "wordPosition",
    ]


def test_a_rebuild_announced_by_another_run_is_refused_unless_taken_over(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    seed(models, [1])
    sync_all(models)
    live = live_index(sessions)
    marker = meilisearch.client.index(marker_name(live)).add_documents(
        [{"id": "run", "run": "abc", "host": "elsewhere", "pid": 42}], primary_key="id"
    )
    meilisearch.client.wait_for_task(marker.task_uid)
    with pytest.raises(ReindexError) as caught:
        reindex(models.Post, grace_period=0)
    assert caught.value.step == "prepare"
    assert "takeover=True" in str(caught.value) and "elsewhere" in str(caught.value)
    assert marker_name(live) in index_names(meilisearch, sessions)
    result = reindex(models.Post, grace_period=0, takeover=True)
    assert result.stale_marker_replaced is True
    assert index_names(meilisearch, sessions) == {live}


def test_a_failure_after_cutover_says_so_and_what_was_left(
    models: Models, sessions: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    seed(models, [1, 2])
    sync_all(models)
    live = live_index(sessions)
    target = target_name(live)
    exact = f"/indexes/{target[:-1]}[{target[-1]}]"
    meilisearch_fake.faults.respond_next(2, status=500, route=exact, method="DELETE")
    with pytest.raises(ReindexError) as caught:
        reindex(models.Post, grace_period=0)
    error = caught.value
    assert error.step == "cleanup"
    assert error.context["live_untouched"] is False
    assert error.context["left_behind"] == [target]
    assert "cutover had happened" in str(error)
    assert documents(meilisearch, live) == expected_documents(models)


# -- dual writes -----------------------------------------------------------------------------


def announce_by_hand(meilisearch: Any, live: str) -> None:
    for uid in (marker_name(live), target_name(live)):
        task = meilisearch.client.create_index(uid, {"primaryKey": "id"})
        meilisearch.client.wait_for_task(task.task_uid)


def test_while_a_rebuild_is_announced_every_write_reaches_the_target_too(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    seed(models, [1, 2])
    live = live_index(sessions)
    ensure_index(models.Post)
    announce_by_hand(meilisearch, live)
    with models.session() as session:
        sync_records(session.scalars(select(models.Post)).all())
    assert sorted(documents(meilisearch, target_name(live))) == [1, 2]
    delete_documents(models.Post, [2])
    assert sorted(documents(meilisearch, live)) == [1]
    assert sorted(documents(meilisearch, target_name(live))) == [1]


def test_writers_trust_their_cached_answer_until_it_expires(
    models: Models, sessions: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(models, [1, 2])
    live = live_index(sessions)
    ensure_index(models.Post)
    now = [1000.0]
    monkeypatch.setattr(rebuild_marker.time, "monotonic", lambda: now[0])
    with models.session() as session:
        sync_record(session.get(models.Post, 1))
        announce_by_hand(meilisearch, live)
        now[0] += rebuild_marker.CACHE_TTL / 2
        sync_record(session.get(models.Post, 1))
        assert documents(meilisearch, target_name(live)) == {}
        now[0] += rebuild_marker.CACHE_TTL
        sync_record(session.get(models.Post, 2))
    assert sorted(documents(meilisearch, target_name(live))) == [2]
    assert rebuild_marker.GRACE_PERIOD > rebuild_marker.CACHE_TTL


def test_a_write_that_creates_the_live_index_during_a_first_run_is_kept(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    seed(models, [1, 2, 3, 4])
    live = live_index(sessions)

    def app_writes(progress: BackfillProgress) -> None:
        if progress.batches == 1:
            forget_ensured()
            with models.session() as session:
                post = models.Post(id=50, title="written during the first run")
                session.add(post)
                session.commit()
                sync_record(post)

    result = reindex(models.Post, batch_size=2, grace_period=0, progress=app_writes)
    assert result.first_run is False
    assert documents(meilisearch, live) == expected_documents(models)
    assert index_names(meilisearch, sessions) == {live}


# -- no write is lost ------------------------------------------------------------------------


def test_a_row_changed_between_a_batch_read_and_its_send_is_rebuilt_fresh(
    models: Models, sessions: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(models, [1, 2, 3])
    sync_all(models)
    live = live_index(sessions)
    real = scrypath.bulk.send_upserts
    slipped: list[int] = []

    def writer_slips_in(client: Any, index: str, key: str, body: bytes, **context: Any) -> Any:
        if not slipped:
            slipped.append(1)
            with models.session() as session:
                post = session.get(models.Post, 1)
                post.title = "written while the batch was in flight"
                session.commit()
                sync_record(post)
        return real(client, index, key, body, **context)

    monkeypatch.setattr(scrypath.bulk, "send_upserts", writer_slips_in)
    reindex(models.Post, grace_period=0)
    assert documents(meilisearch, live)[1]["title"] == "written while the batch was in flight"
    assert documents(meilisearch, live) == expected_documents(models)


def test_a_write_straddling_the_swap_reaches_the_rebuilt_index(
    models: Models, sessions: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(models, [1, 2])
    sync_all(models)
    live = live_index(sessions)
    real_swap = reindex_module._swap
    real_post = scrypath.delivery._post_upserts
    pending: list[Any] = []

    def swap_during_a_write(run: Any, indexes: list[str], *, rename: bool) -> None:
        pending.append(lambda: real_swap(run, indexes, rename=rename))
        with models.session() as session:
            post = session.get(models.Post, 1)
            post.title = "written across the cutover"
            session.commit()
            sync_record(post)

    def post(client: Any, index: str, key: str, body: bytes, context: Any) -> Any:
        task = real_post(client, index, key, body, context)
        if pending:
            pending.pop()()
        return task

    monkeypatch.setattr(reindex_module, "_swap", swap_during_a_write)
    monkeypatch.setattr(scrypath.delivery, "_post_upserts", post)
    reindex(models.Post, grace_period=0)
    assert documents(meilisearch, live)[1]["title"] == "written across the cutover"
    assert documents(meilisearch, live) == expected_documents(models)


class Writers:
    """Threads that change rows (each owns its own ids) and sync them inline meanwhile.

    Each operation waits for a permit; the reindex hands one out per batch and does not
    wait for it, so writes land at any point of the batches that follow.
    """

    def __init__(self, models: Models, threads: int, operations: int) -> None:
        self.models = models
        self.operations = operations
        self.total = threads
        self.permits = threading.Semaphore(0)
        self.errors: list[BaseException] = []
        self.done = 0
        self.threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        for _ in range(self.total * self.operations):
            self.permits.release()
        for thread in self.threads:
            thread.join(timeout=120)

    def _run(self, n: int) -> None:
        rng = random.Random(n)
        try:
            for count in range(self.operations):
                self.permits.acquire(timeout=60)
                self._operate(rng, n, count)
                self.done += 1
        except BaseException as error:
            self.errors.append(error)

    def _operate(self, rng: random.Random, n: int, count: int) -> None:
        Post = self.models.Post
        owned = [i for i in range(1, 61) if i % self.total == n]
        ident = rng.choice([*owned, 100 + n * 50 + count])
        with self.models.session() as session:
            post = session.get(Post, ident)
            action = rng.choice(("update", "update", "delete", "draft"))
            if post is None:
                post = Post(id=ident, title=f"new {ident}")
                session.add(post)
            elif action == "delete":
                session.delete(post)
                session.commit()
                delete_documents(Post, [ident])
                return
            else:
                post.title = f"{action} {ident} #{count}"
                post.status = "draft" if action == "draft" else "published"
            session.commit()
            sync_record(post)


def test_writes_made_while_the_reindex_runs_are_all_in_the_live_index(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    seed(models, range(1, 61))
    sync_all(models)
    live = live_index(sessions)
    writers = Writers(models, threads=3, operations=12)
    writers.start()
    result = reindex(
        models.Post, batch_size=3, grace_period=0, progress=lambda _: writers.permits.release()
    )
    done_during_reindex = writers.done
    writers.finish()
    assert writers.errors == []
    assert done_during_reindex > 0
    assert writers.done == 36
    assert result.first_run is False
    assert documents(meilisearch, live) == expected_documents(models)
    assert index_names(meilisearch, sessions) == {live}


# -- the writers' marker cache ---------------------------------------------------------------


def test_a_marker_lookup_older_than_the_announcement_does_not_hide_the_rebuild(
    models: Models, sessions: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer asks for the marker just before the run creates it and answers after the
    run told this process: its stale "no rebuild" must not be cached over the news."""
    seed(models, [1, 2, 3, 4])
    sync_all(models)
    forget_markers()
    live = live_index(sessions)
    asked, answer = threading.Event(), threading.Event()
    real_lookup = rebuild_marker.marker_exists
    errors: list[BaseException] = []

    def slow_lookup(client: Any, index: str, **context: Any) -> bool:
        found = real_lookup(client, index, **context)
        asked.set()
        assert answer.wait(30)
        return found

    def writer_syncs() -> None:
        try:
            with models.session() as session:
                sync_record(session.get(models.Post, 3))
        except BaseException as error:
            errors.append(error)

    monkeypatch.setattr(rebuild_marker, "marker_exists", slow_lookup)
    writer = threading.Thread(target=writer_syncs)
    writer.start()
    assert asked.wait(30)
    monkeypatch.setattr(rebuild_marker, "marker_exists", real_lookup)
    real_remember = reindex_module.remember

    def remember_then_answer_late(client: Any, index: str, *, rebuilding: bool) -> None:
        real_remember(client, index, rebuilding=rebuilding)
        if rebuilding:
            answer.set()
            writer.join(30)

    def app_writes(progress: BackfillProgress) -> None:
        if progress.batches == 1:
            with models.session() as session:
                post = session.get(models.Post, 1)
                post.title = "written after the announcement"
                session.commit()
                sync_record(post)

    monkeypatch.setattr(reindex_module, "remember", remember_then_answer_late)
    reindex(models.Post, batch_size=2, grace_period=0, progress=app_writes)
    assert errors == []
    assert not writer.is_alive()
    assert documents(meilisearch, live)[1]["title"] == "written after the announcement"
    assert documents(meilisearch, live) == expected_documents(models)


def another_process(url: str) -> str:
    """The same server under another spelling of its URL. The marker cache is kept per URL
    and per process, so a writer using it shares no cached answer with this process's
    reindex, exactly like a writer in another process."""
    scheme, rest = url.split("://", 1)
    return f"{scheme.upper()}://{rest}"


def test_the_grace_period_lets_a_writer_in_another_process_see_the_rebuild(
    models: Models, sessions: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real grace period, end to end: a writer whose cached "no rebuild" was filled just
    before the announcement, and which the run cannot tell directly, still copies its next
    write to the target, so the write survives the cutover."""
    seed(models, [1, 2, 3, 4])
    sync_all(models)
    live = live_index(sessions)
    elsewhere = another_process(sessions.require_url())
    assert get_client(meilisearch_url=elsewhere).config.url != get_client().config.url
    errors: list[BaseException] = []

    def other_process_writes(ident: int, title: str | None = None) -> None:
        def write() -> None:
            try:
                with models.session() as session:
                    post = session.get(models.Post, ident)
                    if title is not None:
                        post.title = title
                        session.commit()
                    sync_record(post, meilisearch_url=elsewhere)
            except BaseException as error:
                errors.append(error)

        thread = threading.Thread(target=write)
        thread.start()
        thread.join(60)

    real_announce = dict(STEPS)["announce"]

    def cache_filled_then_announce(run: Any, ledger: Any) -> None:
        other_process_writes(3)
        real_announce(run, ledger)

    monkeypatch.setattr(
        reindex_module,
        "STEPS",
        tuple(
            (name, cache_filled_then_announce if name == "announce" else step)
            for name, step in STEPS
        ),
    )

    def app_writes(progress: BackfillProgress) -> None:
        if progress.batches == 1:
            other_process_writes(1, "written by another process during the rebuild")

    result = reindex(models.Post, batch_size=2, progress=app_writes)
    assert errors == []
    assert result.elapsed >= 2 * rebuild_marker.GRACE_PERIOD
    assert documents(meilisearch, live)[1]["title"] == (
        "written by another process during the rebuild"
    )
    assert documents(meilisearch, live) == expected_documents(models)
    assert index_names(meilisearch, sessions) == {live}


# -- one run at a time -----------------------------------------------------------------------


class HeldRun:
    """A reindex in a thread that stops after `step` until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, model: Any, step: str) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.result: ReindexResult | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(model,), daemon=True)
        steps = tuple((name, self._hold(fn) if name == step else fn) for name, fn in STEPS)
        monkeypatch.setattr(reindex_module, "STEPS", steps)

    def _hold(self, step: Any) -> Any:
        def held(run: Any, ledger: Any) -> None:
            step(run, ledger)
            if threading.current_thread() is self.thread:
                self.reached.set()
                assert self.release.wait(60)

        return held

    def _run(self, model: Any) -> None:
        try:
            self.result = reindex(model, batch_size=2, grace_period=0)
        except BaseException as error:
            self.error = error

    def start(self) -> None:
        self.thread.start()
        assert self.reached.wait(60)

    def finish(self) -> ReindexResult:
        self.release.set()
        self.thread.join(60)
        assert self.error is None
        assert self.result is not None
        return self.result


def test_a_second_run_is_refused_while_the_first_holds_the_lock(
    models: Models, sessions: Config, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run stops with its target built but not yet announced (where a second run
    used to delete it as a leftover); the second is refused and touches nothing."""
    seed(models, range(1, 8))
    sync_all(models)
    live = live_index(sessions)
    first = HeldRun(monkeypatch, models.Post, "verify_settings")
    first.start()
    before = index_names(meilisearch, sessions)
    assert before == {live, target_name(live), lock_name(live)}
    with pytest.raises(ReindexError) as caught:
        reindex(models.Post, grace_period=0)
    error = caught.value
    assert (error.step, error.context["cause"]) == ("lock", "already_running")
    assert error.context["held_by"] == lock_name(live)
    assert error.context["left_behind"] == []
    assert "takeover=True" in str(error)
    assert index_names(meilisearch, sessions) == before
    result = first.finish()
    assert result.steps == tuple(name for name, _ in STEPS)
    assert documents(meilisearch, live) == expected_documents(models)
    assert index_names(meilisearch, sessions) == {live}


def test_two_runs_creating_the_lock_at_once_let_exactly_one_through(
    models: Models, sessions: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    seed(models, range(1, 6))
    sync_all(models)
    lock = lock_name(live_index(sessions))
    outcomes: list[ReindexResult | BaseException] = []

    def run() -> None:
        try:
            outcomes.append(reindex(models.Post, grace_period=0))
        except BaseException as error:
            outcomes.append(error)

    meilisearch_fake.faults.hold_tasks()
    try:
        runs = [threading.Thread(target=run, daemon=True) for _ in range(2)]
        for thread in runs:
            thread.start()
        wait_for(lambda: enqueued_creations(meilisearch, sessions) == [lock, lock])
    finally:
        meilisearch_fake.faults.release_tasks()
    for thread in runs:
        thread.join(60)
    results = [item for item in outcomes if isinstance(item, ReindexResult)]
    refused = [item for item in outcomes if isinstance(item, ReindexError)]
    assert (len(results), len(refused)) == (1, 1), outcomes
    assert (refused[0].step, refused[0].context["cause"]) == ("lock", "already_running")
    assert "takeover=True" in str(refused[0])
    assert documents(meilisearch, live_index(sessions)) == expected_documents(models)
    assert index_names(meilisearch, sessions) == {live_index(sessions)}


def enqueued_creations(meilisearch: Any, config: Config) -> list[str]:
    """The uids of this test's index creations waiting in the task queue."""
    answer = meilisearch.client.http.get("tasks?types=indexCreation&statuses=enqueued")
    uids = [task["indexUid"] for task in answer["results"]]
    return sorted(uid for uid in uids if uid.startswith(config.index_prefix))


def wait_for(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_takeover_replaces_the_lock_of_a_run_that_died(
    models: Models, sessions: Config, meilisearch: Any
) -> None:
    seed(models, [1, 2, 3])
    sync_all(models)
    live = live_index(sessions)
    dead = {"id": "run", "run": "dead", "host": "elsewhere", "pid": 42}
    task = meilisearch.client.index(lock_name(live)).add_documents([dead], primary_key="id")
    meilisearch.client.wait_for_task(task.task_uid)
    leftover = meilisearch.client.index(target_name(live)).add_documents([{"id": 777}])
    meilisearch.client.wait_for_task(leftover.task_uid)
    with pytest.raises(ReindexError) as caught:
        reindex(models.Post, grace_period=0)
    error = caught.value
    assert (error.step, error.context["cause"]) == ("lock", "already_running")
    assert error.context["holder"]["run"] == "dead"
    assert "takeover=True" in str(error) and "elsewhere" in str(error)
    assert index_names(meilisearch, sessions) == {live, lock_name(live), target_name(live)}
    result = reindex(models.Post, grace_period=0, takeover=True)
    assert (result.stale_lock_replaced, result.leftover_deleted) == (True, True)
    assert documents(meilisearch, live) == expected_documents(models)
    assert index_names(meilisearch, sessions) == {live}


def test_a_lock_that_cannot_be_released_is_reported_and_needs_takeover(
    models: Models, sessions: Config, meilisearch: Any, meilisearch_fake: Any
) -> None:
    seed(models, [1, 2])
    sync_all(models)
    live = live_index(sessions)
    lock = lock_name(live)
    route = f"/indexes/{lock[:-1]}[{lock[-1]}]"
    meilisearch_fake.faults.respond_next(2, status=500, route=route, method="DELETE")
    with pytest.raises(ReindexError) as caught:
        reindex(models.Post, grace_period=0)
    error = caught.value
    assert error.step == "unlock"
    assert error.context["live_untouched"] is False
    assert error.context["left_behind"] == [lock]
    assert documents(meilisearch, live) == expected_documents(models)
    with pytest.raises(ReindexError) as again:
        reindex(models.Post, grace_period=0)
    assert again.value.step == "lock" and "takeover=True" in str(again.value)
    assert reindex(models.Post, grace_period=0, takeover=True).stale_lock_replaced is True
    assert index_names(meilisearch, sessions) == {live}
