"""Conformance fixtures: the provisioned Meilisearch and the published OpenAPI contract.

These tests take the `meilisearch` fixture, so they run against the fake here and
against a real server when one is provisioned: the same assertions document real
behaviour. Schema checks read Meilisearch's published OpenAPI description from
`../shared/reference/` beside the checkout (or `SCRYPATH_MEILISEARCH_OPENAPI`), and
skip with a reason the pytest plugin's summary counts when it is absent.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator

from scrypath.testing.meilisearch import FakeMeilisearch
from scrypath.testing.provisioning.absences import (
    OPENAPI_ENV,
    openapi_path,
    openapi_skip_reason,
)

ROOT = Path(__file__).resolve().parents[3]
SPEC_ENV = OPENAPI_ENV
DEFAULT_SPEC = ROOT.parent / "shared" / "reference" / "meilisearch-openapi.json"


def spec_path() -> Path:
    return openapi_path(DEFAULT_SPEC)


@cache
def load_spec(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class OpenApiContract:
    """Validates response bodies against the schema the spec gives for a route and status."""

    spec: dict[str, Any]

    def schema_for(self, method: str, path: str, status: int) -> dict[str, Any]:
        operation = self._operation(method.lower(), path)
        responses = operation.get("responses", {})
        response = responses.get(str(status)) or responses.get("default")
        if response is None:
            raise AssertionError(f"the spec has no {status} response for {method} {path}")
        content = response.get("content", {}).get("application/json")
        if content is None:
            raise AssertionError(f"the spec gives no JSON body for {status} {method} {path}")
        return dict(content["schema"])

    def validate(self, method: str, path: str, status: int, body: Any) -> None:
        schema = {"components": self.spec["components"], **self.schema_for(method, path, status)}
        errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: e.path)
        if errors:
            details = "; ".join(f"{list(e.path)}: {e.message[:200]}" for e in errors[:5])
            raise AssertionError(f"{method} {path} -> {status} breaks the spec: {details}")

    def _operation(self, method: str, path: str) -> dict[str, Any]:
        for template, item in self.spec["paths"].items():
            pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
            if re.match(pattern, path) and method in item:
                return dict(item[method])
        raise AssertionError(f"the spec has no operation {method.upper()} {path}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`search_parameter`: one test per property of the spec's `SearchQuery` schema."""
    if "search_parameter" not in metafunc.fixturenames:
        return
    path = spec_path()
    if not path.is_file():
        reason = openapi_skip_reason(path)
        metafunc.parametrize("search_parameter", [pytest.param("", marks=pytest.mark.skip(reason))])
        return
    properties = load_spec(path)["components"]["schemas"]["SearchQuery"]["properties"]
    metafunc.parametrize("search_parameter", list(properties))


@pytest.fixture(scope="session")
def openapi() -> OpenApiContract:
    path = spec_path()
    if not path.is_file():
        pytest.skip(openapi_skip_reason(path))
    return OpenApiContract(load_spec(path))


@pytest.fixture
def index_uid(meilisearch: Any, meilisearch_index_prefix: str) -> Iterator[str]:
    """A fresh index name for one test; the prefix fixture drops it afterwards."""
    yield meilisearch_index_prefix + "conf"


_AUTH = object()
TERMINAL = frozenset({"succeeded", "failed", "canceled"})


@dataclass(frozen=True)
class Response:
    """One HTTP answer as the wire carried it: status, decoded JSON body and raw bytes."""

    status: int
    body: Any
    raw: bytes = field(repr=False)

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) else None


@dataclass(frozen=True)
class Api:
    """Raw HTTP against the provisioned server, so tests see exact statuses and bodies."""

    url: str
    key: str | None = field(repr=False)
    timeout: float = 10.0

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        key: Any = _AUTH,
    ) -> Response:
        """Send one request; JSON-encodes `json_body`; authenticates unless `key` says otherwise."""
        sent = dict(headers or {})
        bearer = self.key if key is _AUTH else key
        if bearer is not None:
            sent.setdefault("Authorization", f"Bearer {bearer}")
        if json_body is not None:
            data = json.dumps(json_body)
            sent.setdefault("Content-Type", "application/json")
        answer = requests.request(
            method, self.url + path, data=data, headers=sent, timeout=self.timeout
        )
        raw = answer.content
        return Response(answer.status_code, json.loads(raw) if raw else None, raw)

    def wait(self, task_uid: int, deadline: float = 10.0) -> dict[str, Any]:
        """The task's view once it reached a terminal status."""
        give_up = time.monotonic() + deadline
        while True:
            task = self.call("GET", f"/tasks/{task_uid}")
            assert task.status == 200, task.body
            if task.body["status"] in TERMINAL:
                return dict(task.body)
            if time.monotonic() > give_up:
                raise AssertionError(f"task {task_uid} did not finish: {task.body}")
            time.sleep(0.01)

    def write(self, method: str, path: str, json_body: Any = None) -> dict[str, Any]:
        """Send a write, check it was accepted with 202, and return its finished task."""
        accepted = self.call(method, path, json_body=json_body)
        assert accepted.status == 202, (method, path, accepted.body)
        return self.wait(accepted.body["taskUid"])


@pytest.fixture(scope="session")
def api(meilisearch: Any) -> Api:
    """Raw HTTP access to the provisioned server, authenticated with its key."""
    return Api(meilisearch.url, meilisearch.api_key)


@pytest.fixture(scope="module")
def module_prefix(api: Api) -> Iterator[str]:
    """An index-name prefix shared by one test module; its indexes are dropped afterwards."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    prefix = f"t_{worker}_{uuid.uuid4().hex[:10]}_"
    yield prefix
    listed = api.call("GET", "/indexes?limit=1000")
    if listed.status != 200:
        return
    for index in listed.body["results"]:
        if index["uid"].startswith(prefix):
            api.call("DELETE", f"/indexes/{index['uid']}")


SMALL_PAYLOAD_LIMIT = 1024


@pytest.fixture
def small_fake_api() -> Iterator[Api]:
    """A fake of its own that refuses bodies over 1 KiB: only the fake can shrink the limit."""
    with FakeMeilisearch(max_payload_bytes=SMALL_PAYLOAD_LIMIT) as fake:
        yield Api(fake.url, None)
