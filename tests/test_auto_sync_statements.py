"""Auto-sync follows ORM INSERT/UPDATE/DELETE statements, and warns about writes it cannot see.

Each test runs in inline and queue mode on SQLite and PostgreSQL (see `library`).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import pytest
from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scrypath.orm_events import auto_sync, auto_sync_disabled
from scrypath.config import Config
from scrypath.declaration import registry, searchable
from scrypath.errors import ScrypathWarning
from scrypath.queue.table import jobs
from tests.conftest import Database
from tests.test_auto_sync_flush import Library, library_fixture  # noqa: F401  (fixture)


def titles(found: dict[Any, dict[str, Any]]) -> dict[Any, str]:
    return {identifier: document["title"] for identifier, document in found.items()}


def job_count(library: Library) -> int:
    with library.engine.connect() as connection:
        return len(connection.execute(jobs.select()).all())


# Statements auto-sync follows


def test_a_delete_statement_deletes_the_matched_documents(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma", ulysses="Ulysses")
    with library.session() as session:
        loaded = session.get(library.Book, 1)
        session.execute(delete(library.Book).where(library.Book.title.in_(["Dune", "Emma"])))
        session.commit()
        assert loaded not in session
    assert sorted(library.index(library.Book)) == ["ulysses"]


def test_an_update_statement_upserts_the_rows_as_written(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        statement = update(library.Book).where(library.Book.id == 1)
        session.execute(statement.values(title=library.Book.title + " Messiah"))
        session.commit()
    assert titles(library.index(library.Book)) == {"dune": "Dune Messiah", "emma": "Emma"}


def test_an_update_statement_that_renames_retires_the_old_ids(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        session.execute(
            update(library.Book)
            .values(slug=library.Book.slug + "-2")
            .execution_options(synchronize_session=False)
        )
        session.commit()
    assert titles(library.index(library.Book)) == {"dune-2": "Dune", "emma-2": "Emma"}


def test_an_update_statement_that_unpublishes_deletes(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        session.execute(
            update(library.Book).where(library.Book.slug == "emma").values(published=False)
        )
        session.commit()
    assert sorted(library.index(library.Book)) == ["dune"]


def test_an_update_statement_with_bound_parameters(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    statement = (
        update(library.Book)
        .where(library.Book.id == bindparam("book"))
        .values(title=bindparam("new_title"))
        .execution_options(synchronize_session=False)
    )
    with library.session() as session:
        session.execute(statement, {"book": 2, "new_title": "Persuasion"})
        session.commit()
    assert titles(library.index(library.Book)) == {"dune": "Dune", "emma": "Persuasion"}


def test_a_bulk_update_by_primary_key_is_followed(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma", ulysses="Ulysses")
    with library.session() as session:
        session.execute(
            update(library.Book),
            [{"id": 1, "title": "Dune!"}, {"id": 2, "slug": "emma-1815"}],
        )
        session.commit()
    assert titles(library.index(library.Book)) == {
        "dune": "Dune!",
        "emma-1815": "Emma",
        "ulysses": "Ulysses",
    }


def test_a_bulk_insert_naming_primary_keys_is_followed(library: Library) -> None:
    library.shelf(dune="Dune")
    with library.session() as session:
        session.execute(
            insert(library.Book),
            [
                {"id": 5, "slug": "emma", "title": "Emma"},
                {"id": 6, "slug": "draft", "title": "Draft", "published": False},
            ],
        )
        session.commit()
    assert titles(library.index(library.Book)) == {"dune": "Dune", "emma": "Emma"}


def test_an_upsert_that_renames_retires_the_old_id(library: Library) -> None:
    library.shelf(dune="Dune")
    dialect = postgresql if library.database.backend == "postgresql" else sqlite
    statement = dialect.insert(library.Book)
    statement = statement.on_conflict_do_update(
        index_elements=[library.Book.id], set_={"slug": statement.excluded.slug}
    )
    with library.session() as session:
        session.execute(statement, [{"id": 1, "slug": "dune-1965", "title": "Dune"}])
        session.commit()
    assert sorted(library.index(library.Book)) == ["dune-1965"]


def test_statements_on_a_computed_document_id(library: Library) -> None:
    Label = library.Label
    with library.session() as session:
        session.add_all([Label(id=1, kind="a", number=1), Label(id=2, kind="b", number=1)])
        session.commit()
    library.deliver()
    with library.session() as session:
        session.execute(update(Label).where(Label.kind == "a").values(number=Label.number + 1))
        session.execute(delete(Label).where(Label.kind == "b"))
        session.commit()
    assert sorted(library.index(Label)) == ["a-2"]


def test_a_rolled_back_statement_changes_nothing(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        session.execute(delete(library.Book))
        session.rollback()
    with library.session() as session:
        with session.begin_nested() as savepoint:
            session.execute(update(library.Book).values(title="gone"))
            savepoint.rollback()
        session.commit()
    assert titles(library.index(library.Book)) == {"dune": "Dune", "emma": "Emma"}


def test_a_statement_sees_changes_the_session_has_not_flushed(library: Library) -> None:
    library.shelf(dune="Dune", emma="Emma")
    with library.session() as session:
        session.get(library.Book, 1).title = "Doomed"
        session.execute(delete(library.Book).where(library.Book.title == "Doomed"))
        session.commit()
    assert sorted(library.index(library.Book)) == ["emma"]


def test_statements_on_other_models_pass_through_silently(library: Library) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with library.session() as session:
            session.execute(insert(library.Loan), [{"book_id": 1}, {"book_id": 2}])
            session.execute(delete(library.Loan).where(library.Loan.book_id == 1))
            session.commit()
    assert job_count(library) == 0


# Writes auto-sync cannot follow: a warning, and the index untouched


def test_an_insert_without_primary_keys_warns(library: Library) -> None:
    with library.session() as session:
        with pytest.warns(ScrypathWarning, match="cannot tell which Label rows this INSERT"):
            session.execute(insert(library.Label), [{"kind": "a", "number": 1}])
        with pytest.warns(ScrypathWarning, match="index was not updated"):
            session.execute(insert(library.Label).values(kind="b", number=2))
        session.commit()
    assert library.index(library.Label) == {}


@pytest.mark.parametrize("method", ["bulk_insert_mappings", "bulk_save_objects"])
def test_legacy_bulk_saves_warn(library: Library, method: str) -> None:
    rows = [{"id": 1, "slug": "dune", "title": "Dune"}]
    with library.session() as session:
        call = getattr(session, method)
        argument = rows if method == "bulk_insert_mappings" else [library.Book(**rows[0])]
        with pytest.warns(ScrypathWarning, match=r"does not see Session\.bulk_save_objects"):
            if method == "bulk_insert_mappings":
                call(library.Book, argument)
            else:
                call(argument)
        session.commit()
    assert library.index(library.Book) == {}


def test_a_legacy_bulk_update_warns(library: Library) -> None:
    library.shelf(dune="Dune")
    with library.session() as session:
        with pytest.warns(ScrypathWarning, match="index was not updated for them"):
            session.bulk_update_mappings(library.Book, [{"id": 1, "title": "Dune!"}])
        session.commit()
    assert titles(library.index(library.Book)) == {"dune": "Dune"}


def test_a_core_statement_on_a_searchable_table_warns(library: Library) -> None:
    library.shelf(dune="Dune")
    table = library.Book.__table__
    with library.session() as session:
        with pytest.warns(ScrypathWarning, match="does not follow Core DELETE statements"):
            session.execute(delete(table).where(table.c.id == 1))
        session.commit()
    assert sorted(library.index(library.Book)) == ["dune"]


def test_the_warning_points_at_the_application_line(library: Library) -> None:
    with library.session() as session, pytest.warns(ScrypathWarning) as caught:
        session.bulk_insert_mappings(library.Book, [{"id": 1, "slug": "dune", "title": "D"}])
    assert caught[0].filename == __file__


def test_a_disabled_block_neither_syncs_nor_warns(library: Library) -> None:
    library.shelf(dune="Dune")
    before = job_count(library)
    with warnings.catch_warnings(), auto_sync_disabled():
        warnings.simplefilter("error")
        with library.session() as session:
            session.bulk_insert_mappings(library.Book, [{"id": 7, "slug": "x", "title": "X"}])
            session.execute(delete(library.Book).where(library.Book.id == 1))
            session.commit()
    assert job_count(library) == before
    assert sorted(library.index(library.Book)) == ["dune"]


def test_an_update_that_changes_primary_keys_warns(library: Library) -> None:
    library.shelf(dune="Dune")
    with library.session() as session:
        with pytest.warns(ScrypathWarning, match="changed the primary key of 1 Note rows"):
            session.execute(
                update(library.Note)
                .where(library.Note.id == 1)
                .values(id=10)
                .execution_options(synchronize_session=False)
            )
        session.commit()
    assert sorted(library.index(library.Note)) == [2]


def test_a_statement_on_a_base_class_of_searchable_rows_warns(
    database: Database, scrypath_config: Config
) -> None:
    class Base(DeclarativeBase):
        pass

    with registry.isolated() as isolated:
        isolated.clear()

        class Item(Base):
            __tablename__ = "items"
            id: Mapped[int] = mapped_column(primary_key=True)
            kind: Mapped[str]
            __mapper_args__: ClassVar[dict[str, Any]] = {
                "polymorphic_on": "kind",
                "polymorphic_identity": "item",
            }

        @searchable(fields=["kind"])
        class Gadget(Item):
            __mapper_args__: ClassVar[dict[str, Any]] = {"polymorphic_identity": "gadget"}

        Base.metadata.create_all(database.engine)
        with auto_sync(database.sessions, mode="inline"), database.sessions() as session:
            with pytest.warns(ScrypathWarning, match="which Gadget rows this DELETE"):
                session.execute(delete(Item).where(Item.id == 1))
            session.commit()
