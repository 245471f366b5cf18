"""`audit_index`: each kind of drift planted on one side is reported exactly, an index that
matches reports nothing, and ids are capped with a `truncated` flag."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, update

import scrypath
from scrypath.bulk import backfill
from scrypath.config import Config, configure
from scrypath.errors import ConfigurationError, IndexNotFoundError
from scrypath.operator.audit import audit_index
from scrypath.operator.audit_rows import _convert
from tests.conftest import Models
from tests.operator.support import index_of


@pytest.fixture
def setup(models: Models, scrypath_config: Config) -> Models:
    """Inline mode, rows readable through the test's database."""
    configure(session_factory=models.database.sessions, poll_interval=0.002)
    return models


def seed_posts(models: Models, count: int, **fields: Any) -> None:
    """`count` posts written and backfilled, so index and database match."""
    with models.session() as session:
        session.add_all(
            models.Post(id=n, title=f"post {n}", price=n * 1.5, **fields)
            for n in range(1, count + 1)
        )
        session.commit()
    backfill(models.Post, batch_size=7)


def hand_write(meilisearch: Any, index: str, documents: list[dict[str, Any]]) -> None:
    """Write documents straight into the index, bypassing scrypath."""
    task = meilisearch.client.http.post(f"indexes/{index}/documents", documents)
    assert meilisearch.client.wait_for_task(task["taskUid"]).status == "succeeded"


def hand_delete(meilisearch: Any, index: str, ids: list[Any]) -> None:
    task = meilisearch.client.http.post(f"indexes/{index}/documents/delete-batch", ids)
    assert meilisearch.client.wait_for_task(task["taskUid"]).status == "succeeded"


def audit(model: Any, **options: Any) -> scrypath.AuditReport:
    return audit_index(model, settle=0, batch_size=10, **options)


def test_a_matching_index_reports_no_drift(setup: Models) -> None:
    seed_posts(setup, 25)
    report = audit(setup.Post)
    assert report.match
    assert (report.missing.count, report.extra.count, report.stale.count) == (0, 0, 0)
    assert report.rows_compared == 25
    assert report.documents_compared == 25
    assert report.to_json()["version"] == 1
    assert report.to_json()["counts"] == {"missing": 0, "extra": 0, "stale": 0}


def test_each_kind_of_drift_is_reported_exactly(setup: Models, meilisearch: Any) -> None:
    seed_posts(setup, 25)
    index = index_of(setup.Post, scrypath.config.resolve())
    hand_delete(meilisearch, index, [3])  # missing
    with setup.session() as session:  # a row gone, and a row that stopped qualifying
        session.execute(delete(setup.Post).where(setup.Post.id == 5))
        session.execute(update(setup.Post).where(setup.Post.id == 7).values(status="draft"))
        session.execute(update(setup.Post).where(setup.Post.id == 9).values(title="renamed"))
        session.commit()
    document = {"id": 11, "title": "edited by hand", "body": "", "status": "published"}
    hand_write(meilisearch, index, [{**document, "price": 16.5, "tenant_id": 1, "author_id": None}])
    hand_write(meilisearch, index, [{"id": 999, "title": "nobody's"}])  # a document of no row
    report = audit(setup.Post)
    assert report.missing.all_ids == (3,)
    assert sorted(report.extra.all_ids) == [5, 7, 999]
    assert sorted(report.stale.all_ids) == [9, 11]
    assert not report.match
    assert report.unsettled.count == 0


def test_key_order_and_float_form_are_not_drift(setup: Models, meilisearch: Any) -> None:
    seed_posts(setup, 3)
    index = index_of(setup.Post, scrypath.config.resolve())
    reordered = {
        "tenant_id": 1,
        "price": 3.0,
        "author_id": None,
        "status": "published",
        "body": "",
        "title": "post 2",
        "id": 2,
    }
    hand_write(meilisearch, index, [reordered])
    assert audit(setup.Post).match


def test_a_field_added_by_hand_is_stale(setup: Models, meilisearch: Any) -> None:
    seed_posts(setup, 3)
    index = index_of(setup.Post, scrypath.config.resolve())
    hand_write(
        meilisearch,
        index,
        [
            {
                "id": 1,
                "title": "post 1",
                "body": "",
                "status": "published",
                "price": 1.5,
                "tenant_id": 1,
                "author_id": None,
                "promoted": True,
            }
        ],
    )
    assert audit(setup.Post).stale.all_ids == (1,)


def test_a_document_id_column_other_than_the_key(setup: Models, meilisearch: Any) -> None:
    with setup.session() as session:
        session.add_all(setup.Note(id=n, slug=f"note-{n}", text=f"t{n}") for n in range(1, 6))
        session.commit()
    backfill(setup.Note)
    index = index_of(setup.Note, scrypath.config.resolve())
    hand_write(meilisearch, index, [{"slug": "note-99", "text": "orphan"}])
    hand_delete(meilisearch, index, ["note-2"])
    report = audit(setup.Note)
    assert report.extra.all_ids == ("note-99",)
    assert report.missing.all_ids == ("note-2",)


def test_ids_are_capped_and_flagged_truncated(setup: Models, meilisearch: Any) -> None:
    seed_posts(setup, 12)
    index = index_of(setup.Post, scrypath.config.resolve())
    hand_delete(meilisearch, index, list(range(1, 13)))
    report = audit(setup.Post, id_limit=5)
    assert report.missing.count == 12
    shown = report.to_json()["missing"]
    assert shown == {"count": 12, "ids": list(report.missing.all_ids[:5]), "truncated": True}
    assert report.to_json()["stale"]["truncated"] is False


def test_a_sample_estimates_the_drift_rate(setup: Models, meilisearch: Any) -> None:
    seed_posts(setup, 40)
    index = index_of(setup.Post, scrypath.config.resolve())
    hand_delete(meilisearch, index, list(range(1, 21)))
    report = audit(setup.Post, sample=40)
    assert report.mode == "sample"
    assert report.sample is not None
    assert report.sample.rows.size == 40
    assert report.sample.rows.drifted == 20
    assert report.sample.rows.estimate == 0.5
    low, high = report.sample.rows.interval
    assert low < 0.5 < high
    assert report.missing.count == 20


def test_a_sample_finds_documents_without_rows(setup: Models, meilisearch: Any) -> None:
    seed_posts(setup, 5)
    index = index_of(setup.Post, scrypath.config.resolve())
    hand_write(meilisearch, index, [{"id": 500 + n, "title": "x"} for n in range(5)])
    report = audit(setup.Post, sample=100)
    assert sorted(report.extra.all_ids) == [500, 501, 502, 503, 504]
    assert report.sample is not None
    assert (report.sample.documents.drifted, report.sample.documents.size) == (5, 10)


def test_a_missing_index_cannot_be_audited(setup: Models) -> None:
    with pytest.raises(IndexNotFoundError):
        audit(setup.Post)


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"sample": 0}, "sample"),
        ({"sample": True}, "sample"),
        ({"batch_size": 0}, "batch_size"),
        ({"id_limit": -1}, "id_limit"),
        ({"settle": -1}, "settle"),
        ({"sampel": 3}, "sampel"),
    ],
)
def test_bad_options_are_refused(setup: Models, options: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        audit_index(setup.Post, **options)
    assert raised.value.context["key"] == key


@given(
    st.one_of(
        st.text(max_size=30),
        st.integers().map(str),
        st.from_regex(r"-?0[0-9]{1,5}", fullmatch=True),
    )
)
def test_any_document_id_text_converts_to_a_column_value_or_to_none(text: str) -> None:
    """Ids read from the index may hold anything: a lookup never names a value the
    column cannot hold (PostgreSQL refuses the whole query for one)."""
    value = _convert("int", text, 32)
    if value is not None:
        assert -(2**31) <= value < 2**31
        assert str(value) == text
    assert _convert("str", text, 64) == text
    uuid_value = _convert("uuid", text, 64)
    assert uuid_value is None or isinstance(uuid_value, uuid.UUID)
