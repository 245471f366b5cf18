"""Fixtures for the console's tests: queue mode with an installed outbox (SQLite, and
PostgreSQL when configured), and a console over the test's models."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from scrypath.config import Config, configure
from tests.conftest import Models
from tests.queue.support import (  # noqa: F401  (fixtures)
    outbox,
    queue_config,
)
from tests.web.support import TOKEN, console_for


@pytest.fixture
def setup(outbox: Models, queue_config: Config) -> Models:  # noqa: F811
    """Queue mode, the outbox configured, rows readable for a backfill, two attempts a job."""
    configure(
        outbox_url=outbox.database.engine,
        session_factory=outbox.database.sessions,
        queue_max_attempts=2,
    )
    return outbox


@pytest.fixture
def app(setup: Models) -> Any:
    return console_for(setup, actions=True)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    """A browser-like client, signed in (by the token in the address, as a person would)."""
    with TestClient(app, follow_redirects=False) as signed:
        answer = signed.get("/", params={"token": TOKEN})
        assert answer.status_code == 303
        yield signed
