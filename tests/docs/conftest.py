"""The set-ups that make the docs' `pycon` sessions run for real.

A page with sessions names its set-up in an HTML comment, invisible in the rendered site:

    <!-- doctest: setup=catalog -->

The page then runs top to bottom in one namespace, a fresh module registered in
`sys.modules` (so models declared on the page are importable, as queue mode needs).
Two more comments, placed just before what they act on, let a page drive its run:

- `<!-- doctest: exec -->` executes the next ```python block in the page's namespace, so
  a model the page shows is the model its sessions use. A block titled `NAME.py` is
  executed as module `NAME` instead, for sessions that import from it;
- `<!-- doctest: step=NAME -->` runs the set-up's step NAME at that point: loading the
  rows a table on the page lists, or putting the server in the state the prose describes
  (a failed task, a held task). Steps that inject faults need scrypath's fake and skip the
  page on a real Meilisearch.

Every set-up points scrypath at the provisioned Meilisearch with the test's own index
prefix and a temporary SQLite database, and starts from an empty `SCRYPATH_*`
environment. The prefix is stripped from the sessions' output before it is compared, so
pages show index names as an application without a prefix sees them.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

import scrypath
import scrypath.meilisearch
from scrypath.caches import reset_caches
from scrypath.config import ENVIRONMENT, configure, reset_configuration
from scrypath.declaration import registry
from tests.docs.docs_pages import fenced_blocks, page, read


@dataclass
class DocsRun:
    """What one page's run works with: the server, its prefix, the namespace, a database."""

    meilisearch: Any
    prefix: str
    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch
    namespace: dict[str, Any] = field(repr=False)
    engine: Engine | None = field(default=None, repr=False)
    cleanups: list[Callable[[], None]] = field(default_factory=list, repr=False)

    @property
    def fake(self) -> Any:
        """The fake's fault controls; skips the page on a real Meilisearch."""
        fake = self.meilisearch.fake
        if fake is None:
            pytest.skip(f"this page injects faults; {self.meilisearch.provider} serves this run")
        return fake.faults

    def index(self, table: str) -> str:
        """The uid an index of `table` has under this run's prefix."""
        return f"{self.prefix}{table}"

    def module(self, name: str) -> types.ModuleType:
        """A fresh module `name` in `sys.modules` (removed after the page ran)."""
        module = types.ModuleType(name)
        module.__dict__["__builtins__"] = __builtins__
        self.monkeypatch.setitem(sys.modules, name, module)
        return module

    def configure(self, **settings: Any) -> None:
        """scrypath pointed at the provisioned server with this run's prefix, plus `settings`."""
        configure(
            meilisearch_url=self.meilisearch.url,
            meilisearch_api_key=self.meilisearch.api_key,
            index_prefix=self.prefix,
            **settings,
        )

    def database(self) -> Engine:
        """The page's temporary SQLite database, with `engine` and `Session` in the namespace."""
        if self.engine is None:
            self.engine = create_engine(f"sqlite:///{self.tmp_path / 'docs.db'}")
            self.cleanups.append(self.engine.dispose)
            self.namespace["engine"] = self.engine
            self.namespace["Session"] = sessionmaker(self.engine, expire_on_commit=False)
        return self.engine

    def sessions(self) -> sessionmaker[Session]:
        self.database()
        factory: sessionmaker[Session] = self.namespace["Session"]
        return factory


PAGE_MODULE = "scrypath_docs_page"
"""The module a page's namespace is: models declared on the page are importable from it."""

Step = Callable[[DocsRun], None]


@dataclass(frozen=True, slots=True)
class Setup:
    """How a page's run starts (`prepare`), and the steps the page may call by name."""

    prepare: Step
    steps: Mapping[str, Step] = field(default_factory=dict)


# The catalogue the guide pages list: the seven books of the Search page, and the authors
# of the Multi-index search page.
BOOKS = (
    (1, "Dune", "Frank Herbert", "sf", 1965, 9.99, 1),
    (2, "Children of Dune", "Frank Herbert", "sf", 1976, 8.99, 1),
    (3, "The Left Hand of Darkness", "Ursula K. Le Guin", "sf", 1969, 12.5, 1),
    (4, "A Wizard of Earthsea", "Ursula K. Le Guin", "fantasy", 1968, 7.99, 1),
    (5, "The Hobbit", "J. R. R. Tolkien", "fantasy", 1937, 10.0, 2),
    (6, "Foundation", "Isaac Asimov", "sf", 1951, 6.5, 2),
    (7, "Emma", "Jane Austen", "romance", 1815, 4.99, 2),
)
AUTHORS = (
    (1, "Frank Herbert", "us"),
    (2, "Ursula K. Le Guin", "us"),
    (3, "J. R. R. Tolkien", "uk"),
    (4, "Jane Austen", "uk"),
    (5, "Isaac Asimov", "us"),
)


def _tables(run: DocsRun) -> None:
    """Create the tables of every model the page declared so far."""
    run.namespace["Base"].metadata.create_all(run.database())


def _load(run: DocsRun, model_name: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows of a model the page declared, commit, and sync them inline."""
    _tables(run)
    model = run.namespace[model_name]
    with run.sessions()() as session:
        records = [model(**row) for row in rows]
        session.add_all(records)
        session.commit()
    scrypath.sync_records(records, mode="inline")


def _books(run: DocsRun) -> None:
    keys = ("id", "title", "author", "genre", "year", "price", "library_id")
    _load(run, "Book", [dict(zip(keys, row, strict=True)) for row in BOOKS])


def _authors(run: DocsRun) -> None:
    keys = ("id", "name", "country")
    _load(run, "Author", [dict(zip(keys, row, strict=True)) for row in AUTHORS])


def _delete_authors_index(run: DocsRun) -> None:
    """The authors index deleted behind scrypath's back, as the Partial failures prose says."""
    client = run.meilisearch.client
    client.wait_for_task(client.delete_index(run.index("authors")).task_uid, timeout_in_ms=30_000)


def _declare_book(run: DocsRun) -> None:
    """The `Book` model of the Search page, for pages that use it without showing it."""
    source = next(
        block.body
        for block in fenced_blocks(read(page("guide/search.md")))
        if block.language == "python" and "class Book(" in block.body
    )
    exec(compile(source, "guide/search.md", "exec"), run.namespace)


def _prepare_catalog(run: DocsRun) -> None:
    """Inline sync, a `session_factory` and an open `session` on the page's database."""
    factory = run.sessions()
    run.configure(sync_mode="inline", session_factory=factory)
    session = factory()
    run.cleanups.append(session.close)
    run.namespace.update(scrypath=scrypath, session=session)


def _prepare_library(run: DocsRun) -> None:
    """Getting started runs its own `library.py`: in a temporary directory, with the key set."""
    run.monkeypatch.chdir(run.tmp_path)
    run.monkeypatch.setenv("MEILI_MASTER_KEY", run.meilisearch.api_key or "no-key-is-needed")


def _use_test_server(run: DocsRun) -> None:
    """After `library.py` configured its own server: the provisioned one, with the prefix."""
    run.configure()


def _prepare_sync_modes(run: DocsRun) -> None:
    """As Getting started, without a sync mode: the page shows choosing one."""
    run.configure(session_factory=run.sessions())
    run.namespace.update(scrypath=scrypath)


def _fail_next_upsert(run: DocsRun) -> None:
    """Meilisearch fails the next document write to `books` (a document it cannot index)."""
    run.fake.fail_next_tasks(
        1,
        code="max_fields_limit_exceeded",
        message="A document cannot contain more than 65,535 fields.",
        index_uid=run.index("books"),
        task_type="documentAdditionOrUpdate",
    )


def _drop_next_write(run: DocsRun) -> None:
    """The next document write to `books` loses its connection: Meilisearch is unreachable."""
    run.fake.respond_next(1, route=f"/indexes/{run.index('books')}/documents", drop_connection=True)


def _hold_tasks(run: DocsRun) -> None:
    """Meilisearch is busy: tasks on `books` stay enqueued until `release-tasks`."""
    run.fake.hold_tasks(index_uid=run.index("books"))


def _release_tasks(run: DocsRun) -> None:
    run.fake.release_tasks()


def _prepare_outbox(run: DocsRun) -> None:
    """An outbox on the page's database, and the catalogue's Book model declared."""
    engine = run.database()
    run.configure(sync_mode="queue", outbox_url=engine, session_factory=run.sessions())
    scrypath.install_outbox(engine)
    run.namespace.update(scrypath=scrypath)


def _outbox_traffic(run: DocsRun) -> None:
    """Six queued jobs: one delivery failed (retrying), two delivered, three waiting."""
    book = run.namespace["Book"]
    _tables(run)

    def enqueue(*ids: int) -> None:
        with run.sessions()() as session:
            for book_id in ids:
                row = BOOKS[book_id - 1]
                keys = ("id", "title", "author", "genre", "year", "price", "library_id")
                record = book(**dict(zip(keys, row, strict=True)))
                session.add(record)
                scrypath.sync_record(record, mode="queue", session=session)
            session.commit()

    worker = scrypath.Worker(run.database())
    enqueue(1)
    run.fake.fail_next_tasks(1, index_uid=run.index("books"), task_type="documentAdditionOrUpdate")
    worker.drain(handle_signals=False)
    enqueue(2, 3)
    worker.drain(handle_signals=False)
    enqueue(4, 5, 6)


SETUPS: dict[str, Setup] = {
    "library": Setup(_prepare_library, {"use-test-server": _use_test_server}),
    "catalog": Setup(
        _prepare_catalog,
        {
            "books": _books,
            "authors": _authors,
            "tables": _tables,
            "declare-book": _declare_book,
            "delete-authors-index": _delete_authors_index,
        },
    ),
    "sync-modes": Setup(
        _prepare_sync_modes,
        {
            "tables": _tables,
            "fail-next-upsert": _fail_next_upsert,
            "drop-next-write": _drop_next_write,
            "hold-tasks": _hold_tasks,
            "release-tasks": _release_tasks,
        },
    ),
    "outbox": Setup(_prepare_outbox, {"declare-book": _declare_book, "traffic": _outbox_traffic}),
}


@pytest.fixture
def docs_run(
    meilisearch: Any,
    meilisearch_index_prefix: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[DocsRun]:
    """A clean start for one page: no SCRYPATH_* variables, no configuration, no models."""
    for variable in ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)
    reset_configuration()
    reset_caches()
    with registry.isolated(empty=True):
        run = DocsRun(meilisearch, meilisearch_index_prefix, tmp_path, monkeypatch, {})
        run.namespace = run.module(PAGE_MODULE).__dict__
        try:
            yield run
        finally:
            if meilisearch.fake is not None:
                meilisearch.fake.faults.clear()
            for cleanup in reversed(run.cleanups):
                cleanup()
            reset_configuration()
            reset_caches()
