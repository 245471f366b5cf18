"""Auto-sync sees every row a flush deletes and retires document ids that changed.

Each test runs in inline and queue mode (drained by an in-process worker) on SQLite and
PostgreSQL, and checks what the index holds in the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from meilisearch.errors import MeilisearchApiError
from sqlalchemy import Engine, ForeignKey, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from scrypath.orm_events import AutoSyncMode, auto_sync
from scrypath.config import Config, configure
from scrypath.declaration import registry, searchable, spec_for
from scrypath.errors import ScrypathWarning
from scrypath.queue import install
from scrypath.queue.database import forget_installed
from tests.conftest import Database
from tests.queue.support import FAST, worker_for


@dataclass(frozen=True)
class Library:
    """Shelves holding books (document id `slug`) and notes (document id `id`)."""

    Shelf: Any
    Book: Any
    Note: Any
    Label: Any
    Loan: Any
    database: Database
    mode: AutoSyncMode
    meilisearch: Any
    config: Config

    def session(self) -> Session:
        return self.database.sessions()

    @property
    def engine(self) -> Engine:
        return self.database.engine

    def deliver(self) -> None:
        """Queue mode: deliver every job (inline mode sent at commit)."""
        if self.mode == "queue":
            worker_for(self.engine).drain(handle_signals=False)

    def index(self, model: Any) -> dict[Any, dict[str, Any]]:
        """The model's documents by id, once queue mode's jobs are delivered."""
        self.deliver()
        spec = spec_for(model)
        name = spec.index_name(self.config.index_prefix)
        try:
            page = self.meilisearch.client.http.get(f"indexes/{name}/documents?limit=1000")
        except MeilisearchApiError as error:
            if error.code == "index_not_found":
                return {}
            raise
        return {document[spec.document_id]: document for document in page["results"]}

    def shelf(self, **books: str) -> None:
        """Shelf 1 with books `slug=title` (ids from 1) and notes 1 and 2, indexed."""
        with self.session() as session:
            shelf = self.Shelf(id=1)
            shelf.books = [
                self.Book(id=n, slug=slug, title=title)
                for n, (slug, title) in enumerate(books.items(), start=1)
            ]
            shelf.notes = [self.Note(id=1), self.Note(id=2)]
            session.add(shelf)
            session.commit()
        self.deliver()


def declare() -> tuple[Any, Any, Any, Any, Any, type[DeclarativeBase]]:
    class Base(DeclarativeBase):
        pass

    @searchable(fields=["name"])
    class Shelf(Base):
        __tablename__ = "shelves"
        id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
        name: Mapped[str] = mapped_column(default="shelf")
        books: Mapped[list[Book]] = relationship(
            back_populates="shelf", cascade="all, delete-orphan", order_by="Book.id"
        )
        notes: Mapped[list[Note]] = relationship(cascade="all, delete-orphan", order_by="Note.id")

    @searchable(fields=["title"], document_id="slug", should_index=lambda book: book.published)
    class Book(Base):
        __tablename__ = "books"
        id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
        slug: Mapped[str]
        title: Mapped[str] = mapped_column(default="t")
        published: Mapped[bool] = mapped_column(default=True)
        shelf_id: Mapped[int | None] = mapped_column(ForeignKey("shelves.id"))
        shelf: Mapped[Shelf | None] = relationship(back_populates="books")

    @searchable(fields=["text"])
    class Note(Base):
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
        text: Mapped[str] = mapped_column(default="n")
        shelf_id: Mapped[int | None] = mapped_column(ForeignKey("shelves.id"))

    @searchable(fields=["kind", "number"], document_id="key")
    class Label(Base):
        """A document id computed by a property from two columns."""

        __tablename__ = "labels"
        id: Mapped[int] = mapped_column(primary_key=True)
        kind: Mapped[str]
        number: Mapped[int]

        @property
        def key(self) -> str:
            return f"{self.kind}-{self.number}"

    class Loan(Base):
        """Not searchable."""

        __tablename__ = "loans"
        id: Mapped[int] = mapped_column(primary_key=True)
        book_id: Mapped[int]

    return Shelf, Book, Note, Label, Loan, Base


@pytest.fixture(name="library", params=["inline", "queue"])
def library_fixture(
    request: pytest.FixtureRequest, database: Database, scrypath_config: Config, meilisearch: Any
) -> Iterator[Library]:
    with registry.isolated() as isolated:
        isolated.clear()
        shelf, book, note, label, loan, base = declare()
        base.metadata.create_all(database.engine)
        forget_installed()
        install(database.engine)
        configure(**FAST)
        mode: AutoSyncMode = request.param
        with auto_sync(database.sessions, mode=mode):
            yield Library(
                shelf, book, note, label, loan, database, mode, meilisearch, scrypath_config
            )
        forget_installed()


# Deletions the flush decides


def test_a_book_removed_from_its_shelf_is_deleted_as_an_orphan(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        shelf = session.get(library.Shelf, 1)
        shelf.books.remove(shelf.books[0])
        session.commit()
        assert session.get(library.Book, 1) is None
    assert sorted(library.index(library.Book)) == ["emma"]


def test_a_note_dropped_from_a_collection_without_backref_is_deleted(library: Library) -> None:
    library.shelf(dune="Dune")
    with library.session() as session:
        shelf = session.get(library.Shelf, 1)
        shelf.notes = [note for note in shelf.notes if note.id != 1]
        session.commit()
        assert session.get(library.Note, 1) is None
    assert sorted(library.index(library.Note)) == [2]


def test_an_orphan_is_deleted_under_its_committed_id(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        shelf = session.get(library.Shelf, 1)
        book = shelf.books[0]
        book.slug = "renamed"
        shelf.books.remove(book)
        session.commit()
        assert session.get(library.Book, 1) is None
    assert sorted(library.index(library.Book)) == ["emma"]


def test_deleting_a_shelf_deletes_its_books_and_notes(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        session.delete(session.get(library.Shelf, 1))
        session.commit()
    assert library.index(library.Book) == {}
    assert library.index(library.Note) == {}
    assert library.index(library.Shelf) == {}


def test_a_deleted_expired_record_is_deleted_under_its_stored_id(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        book = session.get(library.Book, 2)
        session.expire(book)
        session.delete(book)
        session.commit()
    assert sorted(library.index(library.Book)) == ["dune"]


# Document ids that change


def test_changing_the_slug_retires_the_old_document(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        session.get(library.Book, 1).slug = "dune-1965"
        session.commit()
    found = library.index(library.Book)
    assert sorted(found) == ["dune-1965", "emma"]
    assert found["dune-1965"]["title"] == "Dune"


def test_changing_the_primary_key_retires_the_old_document(library: Library) -> None:
    library.shelf(dune="Dune")
    with library.session() as session:
        session.get(library.Note, 2).id = 20
        session.commit()
    assert sorted(library.index(library.Note)) == [1, 20]


def test_a_blind_write_of_an_expired_slug_retires_the_stored_one(library: Library) -> None:
    library.shelf(dune="Dune")
    with library.session() as session:
        book = session.get(library.Book, 1)
        session.expire(book)
        book.slug = "dune-1965"  # the old value is never loaded by the application
        session.commit()
    assert sorted(library.index(library.Book)) == ["dune-1965"]


def test_a_slug_changed_in_two_flushes_leaves_only_the_last(library: Library) -> None:
    library.shelf(dune="Dune")
    with library.session() as session:
        book = session.get(library.Book, 1)
        book.slug = "dune-2"
        session.flush()
        book.slug = "dune-3"
        session.flush()
        session.commit()
    assert sorted(library.index(library.Book)) == ["dune-3"]


def test_two_books_swapping_slugs_keep_both_documents(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        first, second = session.get(library.Book, 1), session.get(library.Book, 2)
        first.slug, second.slug = "emma", "dune"
        session.commit()
    found = library.index(library.Book)
    assert {slug: document["title"] for slug, document in found.items()} == {
        "emma": "Dune",
        "dune": "Emma",
    }


def test_a_slug_taken_over_by_a_new_book_keeps_the_new_document(library: Library) -> None:
    library.shelf(dune="Dune")
    with library.session() as session:
        session.get(library.Book, 1).slug = "dune-old"
        session.add(library.Book(id=9, slug="dune", title="Dune, new edition", shelf_id=1))
        session.commit()
    found = library.index(library.Book)
    assert {slug: document["title"] for slug, document in found.items()} == {
        "dune": "Dune, new edition",
        "dune-old": "Dune",
    }


def test_a_renamed_book_that_stops_qualifying_leaves_no_document(library: Library) -> None:
    library.shelf(dune="Dune")
    with library.session() as session:
        book = session.get(library.Book, 1)
        book.slug, book.published = "dune-draft", False
        session.commit()
    assert library.index(library.Book) == {}


def test_a_computed_document_id_that_changes_retires_the_old_one(library: Library) -> None:
    with library.session() as session:
        session.add(library.Label(id=1, kind="a", number=1))
        session.commit()
    assert sorted(library.index(library.Label)) == ["a-1"]
    with library.session() as session:
        label = session.get(library.Label, 1)
        session.expire(label)
        label.number = 2
        session.commit()
    assert sorted(library.index(library.Label)) == ["a-2"]


def test_a_rolled_back_rename_changes_nothing(library: Library) -> None:
    library.shelf(dune="Dune")
    with library.session() as session:
        session.get(library.Book, 1).slug = "dune-1965"
        session.flush()
        session.rollback()
    assert sorted(library.index(library.Book)) == ["dune"]


def test_an_unknowable_previous_id_warns(library: Library) -> None:
    """A record a later `before_flush` hook renames blindly: its old id was never read."""
    library.shelf(dune="Dune")
    with library.session() as session:
        book = session.get(library.Book, 1)
        session.expire(book)

        def rename(session: Session, context: Any, instances: Any) -> None:
            book.slug = "renamed"

        event.listen(session, "before_flush", rename)
        session.get(library.Shelf, 1).name = "touched"
        with pytest.warns(ScrypathWarning, match="previous document id of an updated Book"):
            session.commit()
