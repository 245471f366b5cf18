"""Starting and stopping the fake: idempotent, quick, and leaving no thread behind."""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlsplit

import meilisearch
import pytest

from scrypath.testing.meilisearch import FakeMeilisearch


def _fake_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("fake-meilisearch")]


def test_stop_closes_idle_keep_alive_connections_and_every_thread():
    before = set(_fake_threads())
    fake = FakeMeilisearch().start()
    parts = urlsplit(fake.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/health")
    conn.getresponse().read()
    fake.stop()
    conn.close()
    assert set(_fake_threads()) <= before


def test_start_and_stop_are_idempotent_and_restartable():
    fake = FakeMeilisearch()
    assert fake.start() is fake.start()
    fake.stop()
    fake.stop()
    with pytest.raises(RuntimeError):
        _ = fake.url
    with fake:
        assert meilisearch.Client(fake.url).health() == {"status": "available"}


def test_the_url_points_at_the_bound_port():
    with FakeMeilisearch(port=0) as fake:
        parts = urlsplit(fake.url)
        assert parts.hostname == "127.0.0.1"
        assert parts.port and parts.port > 0


def test_state_survives_across_requests_until_reset(client, fake):
    client.create_index("kept")
    fake.wait_idle()
    assert client.get_indexes()["total"] == 1
    fake.reset()
    assert client.get_indexes()["total"] == 0
