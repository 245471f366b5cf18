"""No span, metric point or telemetry log line carries a key, a password or a value of a
document or a query."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import scrypath
from scrypath.config import Config
from scrypath.errors import TaskFailedError
from scrypath.telemetry import observe_outbox
from tests.conftest import Models, closed_port
from tests.queue.support import worker_for
from tests.telemetry.conftest import Telemetry

TITLE = "Confidential-title-7781"
BODY = "private-body-text-5512"
QUERY = "needle-query-3390"
PASSWORD = "hunter2-outbox-password"


def test_nothing_recorded_quotes_a_secret_or_a_document(
    outbox: Models,
    queue_config: Config,
    meilisearch: Any,
    meilisearch_fake: Any,
    telemetry: Telemetry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="scrypath")
    with outbox.session() as session:
        post = outbox.Post(id=1, title=TITLE, body=BODY)
        session.add(post)
        session.flush()
        scrypath.sync_record(post, session=session)
        session.commit()
    worker_for(outbox.database.engine).drain(handle_signals=False)
    scrypath.sync_record(post, mode="inline")
    meilisearch_fake.faults.fail_next_tasks(
        1, code="invalid_document_fields", message=f"bad field holding {TITLE}"
    )
    with pytest.raises(TaskFailedError):
        scrypath.sync_record(post, mode="inline")
    with outbox.session() as session:
        scrypath.search(outbox.Post, QUERY, filter={"status": BODY}, session=session)
        scrypath.search(outbox.Post, TITLE, session=session)
    scrypath.failed_sync_work(outbox.Post)
    unreachable = f"postgresql+psycopg://scrypath:{PASSWORD}@127.0.0.1:{closed_port()}/outbox"
    observe_outbox(unreachable, name="remote")
    recorded = telemetry.dump()
    logged = "\n".join(
        f"{record.getMessage()} {getattr(record, 'scrypath_event', '')}"
        for record in caplog.records
    )
    assert telemetry.spans("scrypath.sync") and telemetry.points("scrypath.queue.depth") == []
    assert "metrics_outbox_unreadable" in logged
    for secret in (meilisearch.api_key, PASSWORD, TITLE, BODY, QUERY):
        if secret:
            assert secret not in recorded
    for secret in (meilisearch.api_key, PASSWORD):
        if secret:
            assert secret not in logged
