from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scrypath.config import Config
from scrypath.declaration import searchable
from scrypath.errors import (
    ConfigurationError,
    DeclarationError,
    NotSearchableError,
    TaskFailedError,
)
from scrypath.indexes import ensure_index
from tests.conftest import Models


def test_ensure_index_creates_the_index_with_the_document_id_as_primary_key(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    status = ensure_index(models.Note)
    assert status.created is True
    assert status.primary_key == "slug"
    assert status.settings_task.status == "succeeded"
    info = meilisearch.client.http.get(f"indexes/{status.index}")
    assert info["primaryKey"] == "slug"


def test_ensure_index_applies_the_declared_settings(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    status = ensure_index(models.Post)
    settings = meilisearch.client.http.get(f"indexes/{status.index}/settings")
    assert settings["sortableAttributes"] == ["price", "title"]
    assert "status" in settings["filterableAttributes"]
    assert status.to_json()["settings_task"]["type"] == "settingsUpdate"


def test_ensure_index_keeps_an_existing_index(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    first = ensure_index(models.Post)
    again = ensure_index(models.Post)
    assert (first.created, again.created) == (True, False)
    assert again.index == first.index


def test_an_existing_index_without_a_primary_key_is_adopted(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    uid = f"{scrypath_config.index_prefix}posts"
    meilisearch.client.wait_for_task(meilisearch.client.create_index(uid).task_uid)
    assert ensure_index(models.Post).created is False


def test_an_index_with_another_primary_key_is_refused(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    uid = f"{scrypath_config.index_prefix}posts"
    task = meilisearch.client.create_index(uid, {"primaryKey": "title"})
    meilisearch.client.wait_for_task(task.task_uid)
    with pytest.raises(ConfigurationError, match="primary key 'title'") as caught:
        ensure_index(models.Post)
    assert caught.value.context["index"] == uid


def test_overrides_choose_the_index_prefix(
    models: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    prefix = f"{scrypath_config.index_prefix}alt_"
    assert ensure_index(models.Post, index_prefix=prefix).index == f"{prefix}posts"


def test_two_models_resolving_to_one_index_are_refused(
    models: Models, scrypath_config: Config
) -> None:
    class Base(DeclarativeBase):
        pass

    @searchable(fields=["title"], index=f"{scrypath_config.index_prefix}posts")
    class Legacy(Base):
        __tablename__ = "legacy_posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str]

    with pytest.raises(DeclarationError, match="also used by"):
        ensure_index(models.Post)


def test_a_failed_settings_task_raises(
    models: Models, scrypath_config: Config, meilisearch_fake: Any
) -> None:
    meilisearch_fake.faults.fail_next_tasks(
        1, code="invalid_settings_filterable_attributes", task_type="settingsUpdate"
    )
    with pytest.raises(TaskFailedError) as caught:
        ensure_index(models.Post)
    assert caught.value.code == "invalid_settings_filterable_attributes"
    assert caught.value.context["operation"] == "ensure_index"


def test_an_undeclared_model_has_no_index(offline_config: Config) -> None:
    class Base(DeclarativeBase):
        pass

    class Plain(Base):
        __tablename__ = "plain"
        id: Mapped[int] = mapped_column(primary_key=True)

    with pytest.raises(NotSearchableError):
        ensure_index(Plain)
