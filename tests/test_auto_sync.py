from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from scrypath.orm_events import AutoSync, auto_sync, auto_sync_disabled
from scrypath.config import Config, configure
from scrypath.declaration import registry, searchable, spec_for
from scrypath.errors import ConfigurationError, OutboxNotInstalledError, TransportError
from scrypath.queue import install
from scrypath.queue.database import forget_installed
from tests.conftest import Database
from tests.queue.support import FAST, all_jobs, document_tasks, documents


@dataclass(frozen=True)
class Articles:
    Article: Any
    sessions: sessionmaker[Session]
    database: Database

    def add(self, **values: Any) -> Any:
        with self.sessions() as session:
            article = self.Article(**{"title": "t", "published": True, **values})
            session.add(article)
            session.commit()
        return article


@pytest.fixture
def articles(database: Database) -> Iterator[Articles]:
    """An Article model whose document leaves out `views` and `body`."""

    class Base(DeclarativeBase):
        pass

    with registry.isolated() as isolated:
        isolated.clear()

        @searchable(fields=["title", "headline"], should_index=lambda a: a.published)
        class Article(Base):
            __tablename__ = "articles"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str]
            body: Mapped[str] = mapped_column(default="")
            views: Mapped[int] = mapped_column(default=0)
            published: Mapped[bool] = mapped_column(default=True)

            @property
            def headline(self) -> str:
                return self.title.upper()

        Base.metadata.create_all(database.engine)
        forget_installed()
        install(database.engine)
        yield Articles(Article, database.sessions, database)
        forget_installed()


@pytest.fixture
def queued(articles: Articles, scrypath_config: Config) -> Iterator[Articles]:
    configure(**FAST)
    with auto_sync(articles.sessions, mode="queue"):
        yield articles


@pytest.fixture
def inline(articles: Articles, scrypath_config: Config) -> Iterator[Articles]:
    configure(**FAST)
    with auto_sync(articles.sessions, mode="inline"):
        yield articles


def jobs_of(articles: Articles) -> list[tuple[str, Any]]:
    found = all_jobs(articles.database.engine)
    return [(job.operation, json.loads(job.payload)) for job in found]


def index(articles: Articles, config: Config) -> str:
    return spec_for(articles.Article).index_name(config.index_prefix)


def test_queue_mode_writes_jobs_in_the_flushing_transaction(queued: Articles) -> None:
    queued.add(id=1, title="hello")
    assert jobs_of(queued) == [("upsert", [{"id": 1, "title": "hello", "headline": "HELLO"}])]


def test_queue_mode_rollback_leaves_no_job(queued: Articles) -> None:
    with queued.sessions() as session:
        session.add(queued.Article(id=1, title="hello", published=True))
        session.flush()
        assert len(jobs_of_in(session)) == 1
        session.rollback()
    assert jobs_of(queued) == []


def jobs_of_in(session: Session) -> list[Any]:
    from scrypath.queue.table import jobs

    return list(session.execute(jobs.select()))


def test_an_update_that_touches_no_searchable_field_costs_nothing(queued: Articles) -> None:
    queued.add(id=1, title="hello")
    with queued.sessions() as session:
        article = session.get(queued.Article, 1)
        article.views += 10
        article.body = "long text that is not indexed"
        session.commit()
    with queued.sessions() as session:
        session.get(queued.Article, 1).title = "hello"
        session.commit()
    assert len(jobs_of(queued)) == 1


def test_an_update_of_a_searchable_field_enqueues_the_new_document(queued: Articles) -> None:
    queued.add(id=1, title="hello")
    with queued.sessions() as session:
        session.get(queued.Article, 1).title = "bye"
        session.commit()
    assert jobs_of(queued)[-1] == ("upsert", [{"id": 1, "title": "bye", "headline": "BYE"}])


def test_a_should_index_flip_deletes_and_flipping_back_upserts(queued: Articles) -> None:
    queued.add(id=1, title="hello")
    with queued.sessions() as session:
        session.get(queued.Article, 1).published = False
        session.commit()
    with queued.sessions() as session:
        session.get(queued.Article, 1).views = 3
        session.commit()
    with queued.sessions() as session:
        session.get(queued.Article, 1).published = True
        session.commit()
    assert [operation for operation, _ in jobs_of(queued)] == ["upsert", "delete", "upsert"]
    assert jobs_of(queued)[1] == ("delete", [1])


def test_records_that_never_qualify_are_not_sent(queued: Articles) -> None:
    queued.add(id=1, title="draft", published=False)
    assert jobs_of(queued) == []


def test_deletes_go_by_id(queued: Articles) -> None:
    article = queued.add(id=7, title="gone soon")
    with queued.sessions() as session:
        session.delete(session.get(queued.Article, article.id))
        session.commit()
    assert jobs_of(queued)[-1] == ("delete", [7])


def test_one_insert_per_flush(queued: Articles) -> None:
    statements = queued.database.count_statements()
    with queued.sessions() as session:
        session.add_all([queued.Article(id=n, title=f"a{n}") for n in range(1, 6)])
        session.commit()
    inserts = [
        sql
        for sql in statements
        if sql.lstrip().upper().startswith("INSERT") and "scrypath_jobs" in sql
    ]
    assert len(inserts) == 1
    assert [len(payload) for _, payload in jobs_of(queued)] == [5]


def test_a_disabled_block_sends_nothing(queued: Articles) -> None:
    with auto_sync_disabled():
        queued.add(id=1, title="imported")
        with queued.sessions() as session:
            session.get(queued.Article, 1).title = "imported again"
            session.commit()
    assert jobs_of(queued) == []
    queued.add(id=2, title="after")
    assert len(jobs_of(queued)) == 1


def test_inline_mode_sends_after_commit(
    inline: Articles, scrypath_config: Config, meilisearch: Any
) -> None:
    inline.add(id=1, title="hello")
    with inline.sessions() as session:
        session.get(inline.Article, 1).title = "hello there"
        session.flush()
        session.get(inline.Article, 1).views = 9
        session.flush()
        session.commit()
    stored = documents(meilisearch, index(inline, scrypath_config))
    assert stored == {1: {"id": 1, "title": "hello there", "headline": "HELLO THERE"}}
    assert len(document_tasks(meilisearch, index(inline, scrypath_config))) == 2


def test_inline_mode_sends_nothing_on_rollback(
    inline: Articles, scrypath_config: Config, meilisearch: Any
) -> None:
    inline.add(id=1, title="kept")
    with inline.sessions() as session:
        session.add(inline.Article(id=2, title="rolled back"))
        session.flush()
        session.rollback()
    with inline.sessions() as session:
        session.add(inline.Article(id=3, title="kept too"))
        with session.begin_nested() as savepoint:
            session.add(inline.Article(id=4, title="savepoint only"))
            session.flush()
            savepoint.rollback()
        session.commit()
    assert sorted(documents(meilisearch, index(inline, scrypath_config))) == [1, 3]


def test_inline_mode_sends_nothing_for_a_session_closed_without_commit(
    inline: Articles, scrypath_config: Config, meilisearch: Any
) -> None:
    inline.add(id=1, title="kept")
    session = inline.sessions()
    session.add(inline.Article(id=2, title="abandoned"))
    session.flush()
    session.close()
    session.add(inline.Article(id=3, title="next transaction"))
    session.commit()
    session.close()
    assert sorted(documents(meilisearch, index(inline, scrypath_config))) == [1, 3]


def test_inline_mode_disabled_block_sends_nothing(
    inline: Articles, scrypath_config: Config, meilisearch: Any
) -> None:
    inline.add(id=1, title="first")
    with auto_sync_disabled():
        inline.add(id=2, title="quiet")
    assert sorted(documents(meilisearch, index(inline, scrypath_config))) == [1]


def test_an_inline_failure_raises_from_commit_after_the_commit(
    inline: Articles, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    inline.add(id=1, title="first")
    meilisearch_fake.faults.respond_next(1, route="/documents", drop_connection=True)
    with pytest.raises(TransportError):
        inline.add(id=2, title="second")
    with inline.sessions() as session:
        assert session.get(inline.Article, 2) is not None


def test_remove_unregisters(articles: Articles, scrypath_config: Config) -> None:
    handle = auto_sync(articles.sessions, mode="queue")
    handle.remove()
    articles.add(id=1, title="unsynced")
    assert jobs_of(articles) == []
    auto_sync(articles.sessions, mode="queue").remove()


def test_registering_twice_is_refused(articles: Articles, scrypath_config: Config) -> None:
    with (
        auto_sync(articles.sessions, mode="queue"),
        pytest.raises(ConfigurationError, match="remove"),
    ):
        auto_sync(articles.sessions, mode="inline")


@pytest.mark.parametrize(
    ("target", "mode"),
    [("not a session", "queue"), (Session, "manual"), (Session, "sometimes"), (Session, None)],
)
def test_bad_targets_and_modes_are_refused(target: Any, mode: Any, scrypath_config: Config) -> None:
    with pytest.raises(ConfigurationError):
        auto_sync(target, mode=mode)


def test_a_session_class_and_a_single_session_are_accepted(
    articles: Articles, scrypath_config: Config
) -> None:
    class AppSession(Session):
        pass

    for target in (AppSession, articles.sessions()):
        handle = auto_sync(target, mode="inline")
        assert isinstance(handle, AutoSync)
        handle.remove()


def test_queue_mode_without_the_outbox_fails_at_registration(
    database: Database, scrypath_config: Config
) -> None:
    forget_installed()
    with pytest.raises(OutboxNotInstalledError, match="install_outbox"):
        auto_sync(sessionmaker(database.engine), mode="queue")
