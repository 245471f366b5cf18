"""The catalogue's tests run against the Meilisearch scrypath's pytest plugin provisions and a
database: a fresh SQLite file, or the PostgreSQL named by `CATALOG_TEST_DATABASE_URL` (which
`python -m verify adopter --live` sets)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from catalog.api import create_app
from catalog.models import Base
from catalog.settings import Settings
from fastapi.testclient import TestClient

import scrypath

DATABASE_VARIABLE = "CATALOG_TEST_DATABASE_URL"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own: a SQLite file, or the live PostgreSQL emptied after."""
    live = os.environ.get(DATABASE_VARIABLE, "").strip()
    if not live:
        yield f"sqlite:///{tmp_path / 'catalog.db'}"
        return
    yield live
    engine = sqlalchemy.create_engine(live)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(sqlalchemy.text("DROP TABLE IF EXISTS scrypath_jobs"))
    engine.dispose()


@pytest.fixture
def settings(meilisearch: Any, meilisearch_index_prefix: str, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        meilisearch_url=meilisearch.url,
        meilisearch_api_key=meilisearch.api_key,
        index_prefix=meilisearch_index_prefix,
        lag_warning_seconds=60.0,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app, started (its lifespan ran) and stopped around the test."""
    with TestClient(create_app(settings)) as started:
        yield started
    scrypath.reset_configuration()
    scrypath.reset_caches()


@pytest.fixture
def worker(settings: Settings, client: TestClient) -> scrypath.Worker:
    """A worker on the app's outbox; tests call `drain()` where `scrypath worker` would run."""
    return scrypath.Worker(settings.database_url, poll_interval=0.05)
