"""Secrets (the API key, the database password) never reach payloads, logs or errors."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from scrypath.config import Config, configure
from scrypath.errors import OutboxNotInstalledError, OutboxUnavailableError, ScrypathError
from scrypath.queue import JobEvent, Worker
from scrypath.queue.table import jobs
from scrypath.sync import sync_record
from tests.conftest import Models, closed_port
from tests.queue.support import FAST, worker_for

API_KEY = "offline-key-that-must-not-leak"
PASSWORD = "db-Pa55word-that-must-not-leak"


def shown(error: ScrypathError) -> str:
    return " ".join([str(error), repr(error), repr(dict(error.context))])


def test_an_unreachable_database_at_worker_start_fails_fast_without_the_password(
    fresh_config: None,
) -> None:
    url = f"postgresql+psycopg://app:{PASSWORD}@127.0.0.1:{closed_port()}/app"
    worker = Worker(url, meilisearch_url="http://127.0.0.1:7700", poll_interval=0.01)
    with pytest.raises(OutboxUnavailableError) as caught:
        worker.check()
    assert caught.value.reason == "outbox_unavailable"
    assert "app:***@127.0.0.1" in str(caught.value)
    assert PASSWORD not in shown(caught.value)


def test_a_database_without_the_outbox_table_fails_fast(models: Models, fresh_config: None) -> None:
    worker = Worker(models.database.engine, meilisearch_url="http://127.0.0.1:7700")
    with pytest.raises(OutboxNotInstalledError, match="install_outbox"):
        worker.check()


def test_a_worker_without_meilisearch_configured_fails_fast(
    outbox: Models, fresh_config: None
) -> None:
    with pytest.raises(ScrypathError, match="SCRYPATH_MEILISEARCH_URL"):
        Worker(outbox.database.engine).check()


def test_secrets_never_reach_jobs_logs_events_or_errors(
    outbox: Models, offline_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    configure(
        sync_mode="queue",
        queue_max_attempts=2,
        **{**FAST, "task_timeout": 1.0, "http_timeout": 1.0},
    )
    with outbox.session() as session:
        post = outbox.Post(id=1, title="t")
        session.add(post)
        sync_record(post, session=session)
        session.commit()
    caplog.set_level(logging.DEBUG)
    events: list[JobEvent] = []
    worker_for(outbox.database.engine, on_event=events.append).drain(
        wait_for_scheduled=True, handle_signals=False
    )
    assert [event.outcome for event in events] == ["retryable", "discarded"]
    with outbox.database.engine.connect() as connection:
        row = connection.execute(select(jobs)).mappings().one()
    texts = [
        json.dumps({key: str(value) for key, value in row.items()}),
        caplog.text,
        json.dumps([event.to_json() for event in events]),
    ]
    assert all(API_KEY not in text for text in texts)
    assert "transport" in texts[0]


def test_the_worker_repr_and_description_hide_the_key(outbox: Models, offline_config: Any) -> None:
    worker = worker_for(outbox.database.engine)
    assert API_KEY not in repr(worker.config)
    assert API_KEY not in json.dumps(worker.config.describe(), default=str)


@pytest.mark.parametrize("suffix", ["\n", "\r", "☃"], ids=["newline", "return", "non-latin-1"])
def test_a_key_slipped_past_validation_never_reaches_the_outbox_nor_counts_as_an_outage(
    outbox: Models,
    queue_config: Config,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    suffix: str,
) -> None:
    key = f"{API_KEY}{suffix}"
    monkeypatch.setattr("scrypath.config_values.api_key_problem", lambda key: None)
    configure(meilisearch_api_key=key, queue_max_attempts=2)
    with outbox.session() as session:
        post = outbox.Post(id=1, title="t")
        session.add(post)
        sync_record(post, session=session)
        session.commit()
    caplog.set_level(logging.DEBUG)
    events: list[JobEvent] = []
    worker_for(outbox.database.engine, on_event=events.append).drain(
        wait_for_scheduled=True, handle_signals=False
    )
    with outbox.database.engine.connect() as connection:
        row = connection.execute(select(jobs)).mappings().one()
    stored = json.dumps({name: str(value) for name, value in row.items()})
    texts = [stored, caplog.text, json.dumps([event.to_json() for event in events])]
    assert all(API_KEY not in text for text in texts)
    errors = row["errors"] if isinstance(row["errors"], list) else json.loads(row["errors"])
    assert errors and all(error["reason_class"] != "transport" for error in errors)
    assert "HTTP cannot carry" in errors[0]["message"]
