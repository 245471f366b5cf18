"""Every verb spells the mode and the session the same way, and refuses an unknown keyword
by the verb's own name."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrypath.bulk import backfill
from scrypath.config import KEYS, Config
from scrypath.errors import ConfigurationError
from scrypath.rebuild import reindex
from scrypath.sync import delete_documents, delete_record, sync_record, sync_records
from scrypath.verbs import check_keywords
from tests.conftest import Models


def saved(models: Models, *ids: int) -> list[Any]:
    with models.session() as session:
        posts = [models.Post(id=n, title=f"post {n}") for n in ids]
        session.add_all(posts)
        session.commit()
    return posts


@pytest.mark.parametrize(
    ("verb", "call"),
    [
        ("sync_record", lambda m, p: sync_record(p, sesion=None)),
        ("sync_records", lambda m, p: sync_records([p], sesion=None)),
        ("delete_record", lambda m, p: delete_record(p, sesion=None)),
        ("delete_documents", lambda m, p: delete_documents(m.Post, [1], sesion=None)),
        ("backfill", lambda m, p: backfill(m.Post, sesion=None)),
        ("reindex", lambda m, p: reindex(m.Post, sesion=None)),
    ],
)
def test_an_unknown_keyword_is_refused_naming_the_verb_called(
    models: Models, offline_config: Config, verb: str, call: Any
) -> None:
    (post,) = saved(models, 1)
    with pytest.raises(ConfigurationError) as caught:
        call(models, post)
    assert str(caught.value).startswith(f"{verb}() got an unknown keyword 'sesion'")
    assert caught.value.context["key"] == "sesion"
    assert "resolve" not in str(caught.value) and "plan_backfill" not in str(caught.value)


@given(st.text(min_size=1, max_size=30).filter(lambda key: key not in KEYS))
def test_no_unknown_keyword_slips_through(key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_keywords("backfill", {key: 1})
    assert caught.value.context["key"] == key


def test_backfill_takes_sync_mode_as_its_mode(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    saved(models, 1, 2)
    with models.session() as session:
        result = backfill(models.Post, sync_mode="manual", session_factory=lambda: session)
    assert (result.mode, result.status) == ("manual", "accepted")
    with pytest.raises(ConfigurationError) as caught:
        backfill(models.Post, mode="inline", sync_mode="manual")
    assert "given twice" in str(caught.value)


def test_backfill_ignores_the_configured_sync_mode_and_defaults_to_inline(
    models: Models, scrypath_config: Config
) -> None:
    saved(models, 1)
    with models.session() as session:
        result = backfill(models.Post, session=session)
    assert (result.mode, result.status) == ("inline", "completed")


def test_backfill_reads_through_the_given_session_and_sees_its_uncommitted_rows(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    saved(models, 1)
    with models.session() as session:
        session.add(models.Post(id=2, title="not committed yet"))
        session.flush()
        result = backfill(models.Post, session=session)
        assert session.get(models.Post, 2) is not None  # the caller's session is untouched
        session.rollback()
    assert result.documents == 2


def test_a_session_that_is_not_a_session_is_refused(models: Models, offline_config: Config) -> None:
    with pytest.raises(ConfigurationError) as caught:
        backfill(models.Post, session="postgresql://")
    assert caught.value.context["key"] == "session"


@pytest.mark.parametrize("keywords", [{"mode": "manual"}, {"sync_mode": "manual"}])
def test_reindex_runs_inline_only(
    models: Models, offline_config: Config, keywords: dict[str, str]
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        reindex(models.Post, **keywords)  # type: ignore[arg-type]
    assert "reindex(): mode must be 'inline'" in str(caught.value)
