"""One fake Meilisearch per test module, reset before every test; raw HTTP helpers."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import meilisearch
import pytest

from scrypath.testing.meilisearch import FakeMeilisearch

MASTER_KEY = "fake-master-key-for-tests-0123456789"


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    raw: bytes

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) else None


Raw = Callable[..., Response]


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeMeilisearch]:
    with FakeMeilisearch(master_key=MASTER_KEY) as server:
        yield server


@pytest.fixture
def fake(fake_server: FakeMeilisearch) -> FakeMeilisearch:
    fake_server.reset()
    return fake_server


@pytest.fixture
def client(fake: FakeMeilisearch) -> meilisearch.Client:
    return meilisearch.Client(fake.url, MASTER_KEY)


@pytest.fixture
def raw(fake: FakeMeilisearch) -> Raw:
    """Send one request with http.client; JSON-encodes `json_body`, authenticates by default."""

    def send(
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        key: str | None = MASTER_KEY,
    ) -> Response:
        all_headers = dict(headers or {})
        if key is not None:
            all_headers.setdefault("Authorization", f"Bearer {key}")
        if json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        return request(fake.url, method, path, body, all_headers)

    return send


def request(
    url: str, method: str, path: str, body: bytes | None, headers: dict[str, str]
) -> Response:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    decoded = json.loads(data) if data else None
    return Response(response.status, decoded, data)


@pytest.fixture
def master_key() -> str:
    return MASTER_KEY


@pytest.fixture
def finished(fake: FakeMeilisearch, raw: Raw) -> Callable[[int], dict[str, Any]]:
    """The raw view of a task once every enqueued task has run."""

    def get(task_uid: int) -> dict[str, Any]:
        fake.wait_idle()
        response = raw("GET", f"/tasks/{task_uid}")
        assert response.status == 200, response.body
        return dict(response.body)

    return get


@pytest.fixture
def poll() -> Callable[[Callable[[], bool]], None]:
    """Poll a condition until it holds; fail the test at a deadline."""

    def wait(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached before the deadline")
            time.sleep(0.01)

    return wait
