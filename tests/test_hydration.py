from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, selectinload

from scrypath.declaration import searchable
from scrypath.errors import ConfigurationError, SearchOptionError
from scrypath.hydration import check_load_options, hydrate, load_aligned
from tests.conftest import Models


@pytest.fixture
def stocked(models: Models) -> Models:
    with models.session() as session:
        session.add(models.Author(id=1, name="Ada"))
        session.add_all(models.Post(id=n, title=f"p{n}", author_id=1) for n in range(1, 11))
        session.add_all(models.Note(id=n, slug=f"note-{n}", text="x") for n in range(1, 4))
        session.commit()
    return models


def test_records_come_back_in_the_order_of_the_ids(stocked: Models) -> None:
    with stocked.session() as session:
        records, missing = hydrate(session, stocked.Post, [7, 2, 9, 1])
    assert [record.id for record in records] == [7, 2, 9, 1]
    assert missing == []


def test_ids_without_a_row_are_reported_in_order(stocked: Models) -> None:
    with stocked.session() as session:
        records, missing = hydrate(session, stocked.Post, [3, 404, 5, 500])
    assert [record.id for record in records] == [3, 5]
    assert missing == [404, 500]


def test_string_ids_are_coerced_to_the_column_type(stocked: Models) -> None:
    with stocked.session() as session:
        records, missing = hydrate(session, stocked.Post, ["4", 6, "x"])
    assert [record.id for record in records] == [4, 6]
    assert missing == ["x"]


def test_a_non_primary_key_document_id_is_used_for_loading(stocked: Models) -> None:
    with stocked.session() as session:
        records, missing = hydrate(session, stocked.Note, ["note-3", "note-1", "note-9"])
    assert [record.slug for record in records] == ["note-3", "note-1"]
    assert missing == ["note-9"]


def test_hydration_is_one_statement_whatever_the_number_of_ids(stocked: Models) -> None:
    statements = stocked.database.count_statements()
    with stocked.session() as session:
        hydrate(session, stocked.Post, list(range(1, 11)))
        assert len(statements) == 1
        hydrate(session, stocked.Post, [3])
    assert len(statements) == 2
    assert "IN" in statements[0].upper()


def test_no_ids_need_no_statement(stocked: Models) -> None:
    statements = stocked.database.count_statements()
    with stocked.session() as session:
        assert hydrate(session, stocked.Post, []) == ([], [])
    assert statements == []


def test_loader_options_load_relationships_eagerly(stocked: Models) -> None:
    with stocked.session() as session:
        records, _ = hydrate(
            session, stocked.Post, [1, 2], options=[selectinload(stocked.Post.author)]
        )
    # the session is closed: only eagerly loaded attributes are readable now
    assert [record.author.name for record in records] == ["Ada", "Ada"]


def test_load_aligned_keeps_one_slot_per_id(stocked: Models) -> None:
    with stocked.session() as session:
        loaded = load_aligned(session, stocked.Post, [2, 99, 2])
    assert [record.id if record else None for record in loaded] == [2, None, 2]


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(st.one_of(st.integers(-5, 15), st.text(max_size=3)), max_size=12))
def test_every_id_is_either_loaded_or_missing(stocked: Models, ids: list[Any]) -> None:
    with stocked.session() as session:
        records, missing = hydrate(session, stocked.Post, ids)
    assert len(records) + len(missing) == len(ids)
    assert all(1 <= record.id <= 10 for record in records)


def test_a_document_id_that_is_not_a_column_cannot_be_loaded(models: Models) -> None:
    class Base(DeclarativeBase):
        pass

    @searchable(fields=["title"], document_id="key")
    class Computed(Base):
        __tablename__ = "computed"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str]

        @property
        def key(self) -> str:
            return f"c{self.id}"

    with models.session() as session, pytest.raises(ConfigurationError, match="not a mapped"):
        hydrate(session, Computed, ["c1"])


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ([1], "1: expected a loader option"),
        (["selectinload"], "'selectinload': expected a loader option"),
        (1, "1: expected a list of loader options"),
        ("author", "'author': expected a list of loader options"),
        ({"author": True}, "expected a list of loader options"),
    ],
)
def test_a_bad_loader_option_is_a_search_option_error(
    stocked: Models, options: Any, fragment: str
) -> None:
    statements = stocked.database.count_statements()
    with stocked.session() as session, pytest.raises(SearchOptionError) as caught:
        hydrate(session, stocked.Post, [1], options=options)
    assert caught.value.context["option"] == "load_options"
    assert fragment in str(caught.value)
    assert statements == []


def test_a_loader_option_for_another_model_is_a_search_option_error(stocked: Models) -> None:
    with stocked.session() as session, pytest.raises(SearchOptionError) as caught:
        hydrate(session, stocked.Post, [1], options=[selectinload(stocked.Author.posts)])
    assert caught.value.context == {
        "option": "load_options",
        "key": "Load(Author)",
        "model": "Post",
    }
    assert "does not apply" in str(caught.value) and "SELECT" not in str(caught.value)


def test_check_load_options_refuses_before_any_statement(stocked: Models) -> None:
    assert check_load_options(stocked.Post, None) == ()
    good = selectinload(stocked.Post.author)
    assert check_load_options(stocked.Post, [good]) == (good,)
    assert check_load_options(stocked.Post, (o for o in [good])) == (good,)
    wrong = selectinload(stocked.Author.posts)
    with pytest.raises(SearchOptionError, match="it does not apply to Post") as caught:
        check_load_options(stocked.Post, [good, wrong])
    assert caught.value.context["key"] == "Load(Author)"


ANYTHING = st.recursive(
    st.one_of(st.none(), st.integers(), st.text(max_size=5), st.booleans(), st.builds(object)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(), inner)),
    max_leaves=6,
)


@given(ANYTHING)
def test_arbitrary_load_options_are_refused_or_empty(options: Any) -> None:
    try:
        checked = check_load_options(object, options)
    except SearchOptionError as error:
        assert error.context["option"] == "load_options"
    else:
        assert checked == () and options in (None, [])
