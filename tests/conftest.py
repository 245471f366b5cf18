"""Shared fixtures: a database (SQLite, and PostgreSQL when configured), searchable models
declared per test, and scrypath configured for the provisioned Meilisearch.

The `database` fixture runs each test that takes it on SQLite and on PostgreSQL. PostgreSQL
comes from the scrypath pytest plugin's `postgres_database` fixture (an explicit
`SCRYPATH_TEST_DATABASE_URL`, else a throwaway cluster, else a container); when none can be
provisioned those tests skip with a reason the summary counts. Each test gets its own schema
there, dropped afterwards.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, ForeignKey, create_engine, event, text
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)
from sqlalchemy.pool import StaticPool

from scrypath.caches import reset_caches
from scrypath.config import ENVIRONMENT, Config, configure, reset_configuration, resolve
from scrypath.declaration import registry, searchable
from scrypath.testing.provisioning import ProvisionedDatabase


@dataclass(frozen=True)
class Database:
    """An engine, a session factory and which backend they talk to."""

    backend: str
    engine: Engine
    sessions: sessionmaker[Session]

    def count_statements(self) -> list[str]:
        """A list that collects every SQL statement sent from now on."""
        seen: list[str] = []

        def record(*args: Any) -> None:
            seen.append(args[2])

        event.listen(self.engine, "before_cursor_execute", record)
        return seen


@pytest.fixture(scope="session")
def postgres_url(postgres_database: ProvisionedDatabase) -> str:
    """The provisioned PostgreSQL's URL; skips (or fails, when required) without one."""
    return postgres_database.url


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    if request.param == "sqlite":
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        yield Database("sqlite", engine, sessionmaker(engine, expire_on_commit=False))
        engine.dispose()
        return
    base: Engine = request.getfixturevalue("postgres_engine")
    schema = f"scrypath_{uuid.uuid4().hex[:12]}"
    with base.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = base.execution_options(schema_translate_map={None: schema})
    try:
        yield Database("postgresql", engine, sessionmaker(engine, expire_on_commit=False))
    finally:
        with base.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@dataclass(frozen=True)
class Models:
    """The searchable models a test declared, and its database."""

    Author: Any
    Post: Any
    Note: Any
    database: Database

    def session(self) -> Session:
        return self.database.sessions()


def declare_models() -> tuple[Any, Any, Any, type[DeclarativeBase]]:
    """Fresh classes on fresh metadata, so each test declares them anew."""

    class Base(DeclarativeBase):
        pass

    @searchable(fields=["name"], filterable=["country"], faceting={"attributes": ["country"]})
    class Author(Base):
        __tablename__ = "authors"
        id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
        name: Mapped[str]
        country: Mapped[str] = mapped_column(default="fr")
        posts: Mapped[list[Post]] = relationship(back_populates="author")

    @searchable(
        fields=["title", "body"],
        filterable=["status", "price", "author_id"],
        sortable=["price", "title"],
        faceting={"attributes": ["status", "price"]},
        tenant_field="tenant_id",
        should_index=lambda post: post.status != "draft",
    )
    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
        title: Mapped[str]
        body: Mapped[str] = mapped_column(default="")
        status: Mapped[str] = mapped_column(default="published")
        price: Mapped[float] = mapped_column(default=0.0)
        tenant_id: Mapped[int] = mapped_column(default=1)
        author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"))
        author: Mapped[Author | None] = relationship(back_populates="posts")

    @searchable(fields=["text"], document_id="slug")
    class Note(Base):
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
        slug: Mapped[str] = mapped_column(unique=True)
        text: Mapped[str]

    return Author, Post, Note, Base


@pytest.fixture
def models(database: Database) -> Iterator[Models]:
    """Author, Post and Note declared searchable, with their tables created."""
    with registry.isolated() as isolated:
        isolated.clear()
        author, post, note, base = declare_models()
        base.metadata.create_all(database.engine)
        yield Models(author, post, note, database)


@pytest.fixture
def scrypath_config(meilisearch: Any, meilisearch_index_prefix: str) -> Iterator[Config]:
    """scrypath pointed at the provisioned Meilisearch with this test's index prefix."""
    reset_configuration()
    reset_caches()
    configure(
        meilisearch_url=meilisearch.url,
        meilisearch_api_key=meilisearch.api_key,
        index_prefix=meilisearch_index_prefix,
        sync_mode="inline",
    )
    yield resolve()
    reset_configuration()
    reset_caches()


@pytest.fixture
def offline_config() -> Iterator[Config]:
    """scrypath pointed at a port nothing listens on, so any request would fail."""
    reset_configuration()
    reset_caches()
    configure(
        meilisearch_url=f"http://127.0.0.1:{closed_port()}",
        meilisearch_api_key="offline-key-that-must-not-leak",
        sync_mode="inline",
        http_timeout=2.0,
    )
    yield resolve()
    reset_configuration()
    reset_caches()


def closed_port() -> int:
    """A local port that was free a moment ago and has nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def clean_configuration(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SCRYPATH_* variable and no configure() call, before and after the test."""
    for variable in ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)
    reset_configuration()
    yield
    reset_configuration()
