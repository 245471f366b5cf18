"""The clean consumer: what an application does with the installed wheel, and nothing more.

The smoke copies this file into an empty directory and runs it with a fresh virtualenv's
Python, so only the installed `scrypath` (and its dependencies) can be imported. It starts
the fake Meilisearch from the installed package, declares a model the documented way,
syncs inline into a temporary SQLite database, searches, and checks the hydrated records.
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

import scrypath
from scrypath.testing.meilisearch import FakeMeilisearch


class Base(DeclarativeBase):
    pass


@scrypath.searchable(fields=["title", "author"], filterable=["genre", "year"], sortable=["year"])
class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author: Mapped[str]
    genre: Mapped[str]
    year: Mapped[int]


BOOKS = (
    (1, "Dune", "Frank Herbert", "sf", 1965),
    (2, "The Left Hand of Darkness", "Ursula K. Le Guin", "sf", 1969),
    (3, "A Wizard of Earthsea", "Ursula K. Le Guin", "fantasy", 1968),
    (4, "Children of Dune", "Frank Herbert", "sf", 1976),
)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"consumer: FAILED, {what}")


def run(database: Path, fake: FakeMeilisearch, key: str) -> dict[str, object]:
    engine = create_engine(f"sqlite:///{database}")
    Base.metadata.create_all(engine)
    session_factory = sessionmaker(engine, expire_on_commit=False)
    scrypath.configure(
        meilisearch_url=fake.url,
        meilisearch_api_key=key,
        sync_mode="inline",
        session_factory=session_factory,
    )
    with session_factory() as session:
        books = [Book(id=i, title=t, author=a, genre=g, year=y) for i, t, a, g, y in BOOKS]
        session.add_all(books)
        session.commit()
    synced = scrypath.sync_records(books)
    check(synced.status == "completed", f"sync status is {synced.status!r}, not 'completed'")
    check(tuple(synced.document_ids) == (1, 2, 3, 4), f"synced ids {synced.document_ids!r}")
    found = scrypath.search(Book, "dune", sort=["-year"]).records or ()
    check(all(isinstance(r, Book) for r in found), "hits are not hydrated Book objects")
    pairs = [(book.title, book.year) for book in found]
    check(pairs == [("Children of Dune", 1976), ("Dune", 1965)], f"search returned {pairs!r}")
    older = scrypath.search(Book, "le guin", filter={"year": {"lt": 1969}}).records or ()
    titles = [book.title for book in older]
    check(titles == ["A Wizard of Earthsea"], f"filtered search returned {titles!r}")
    engine.dispose()
    return {"version": scrypath.__version__, "location": scrypath.__file__, "hits": len(pairs)}


def main() -> int:
    key = secrets.token_urlsafe(24)
    with (
        tempfile.TemporaryDirectory(prefix="scrypath-consumer-") as tmp,
        FakeMeilisearch(master_key=key) as fake,
    ):
        outcome = run(Path(tmp) / "library.db", fake, key)
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
