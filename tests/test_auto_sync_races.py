"""ORM statements raced by another connection: no document may outlive its row.

Auto-sync reads the rows a DELETE will remove before running it. Another connection that
renames one of those rows in between must not leave its renamed document behind: the rows
are locked (PostgreSQL) or the database's write lock is taken (SQLite) before the read.
These tests need two real connections, so SQLite runs on a file here.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, delete, event, text
from sqlalchemy.orm import ORMExecuteState, sessionmaker

from scrypath.orm_events import AutoSyncMode, auto_sync
from scrypath.config import Config, configure
from scrypath.declaration import registry
from scrypath.errors import ScrypathWarning
from scrypath.queue import install
from scrypath.queue.database import forget_installed
from tests.conftest import Database
from tests.queue.support import FAST
from tests.test_auto_sync_flush import Library, declare


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_connections(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database where two sessions hold two connections: a SQLite file, or PostgreSQL."""
    if request.param == "postgresql":
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
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'race.db'}")
    yield Database("sqlite", engine, sessionmaker(engine, expire_on_commit=False))
    engine.dispose()


@pytest.fixture(params=["inline", "queue"])
def racing(
    request: pytest.FixtureRequest,
    two_connections: Database,
    scrypath_config: Config,
    meilisearch: Any,
) -> Iterator[Library]:
    database = two_connections
    with registry.isolated() as isolated:
        isolated.clear()
        *models, base = declare()
        base.metadata.create_all(database.engine)
        forget_installed()
        install(database.engine)
        configure(**FAST)
        mode: AutoSyncMode = request.param
        with auto_sync(database.sessions, mode=mode):
            yield Library(*models, database, mode, meilisearch, scrypath_config)
        forget_installed()


def while_deleting(session: Any, action: Any) -> None:
    """Run `action` after auto-sync read the rows a DELETE removes, before it runs."""

    def between(state: ORMExecuteState) -> None:
        if state.is_delete:
            action()

    event.listen(session, "do_orm_execute", between)


def test_a_row_renamed_while_a_delete_runs_leaves_no_document(racing: Library) -> None:
    racing.shelf(dune="Dune", emma="Emma")
    outcome: dict[str, Any] = {}

    def rename() -> None:
        try:
            with racing.session() as other:
                other.get(racing.Book, 1).slug = "dune-2"
                other.commit()
            outcome["renamed"] = True
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=rename)

    def start_rename() -> None:
        thread.start()
        thread.join(timeout=1.0)  # the rename waits on the lock, or fails on it

    with racing.session() as session:
        while_deleting(session, start_rename)
        session.execute(delete(racing.Book).where(racing.Book.title == "Dune"))
        session.commit()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert "renamed" not in outcome, "the rename committed between the read and the delete"
    assert sorted(racing.index(racing.Book)) == ["emma"]


def test_a_row_added_while_a_delete_runs_is_reported(racing: Library) -> None:
    if racing.database.backend == "sqlite":
        pytest.skip("SQLite's write lock keeps other connections from adding rows meanwhile")
    racing.shelf(dune="Dune", emma="Emma")

    def add_matching_row() -> None:
        with racing.session() as other:
            other.add(racing.Book(id=9, slug="dune-9", title="Dune", shelf_id=1))
            other.commit()

    with racing.session() as session:
        while_deleting(session, add_matching_row)
        with pytest.warns(ScrypathWarning, match="wrote 2 Book rows but auto-sync found 1"):
            session.execute(delete(racing.Book).where(racing.Book.title == "Dune"))
        session.commit()
