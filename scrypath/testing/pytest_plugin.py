"""pytest plugin: a provisioned Meilisearch for your tests, and an honest report of it.

Fixtures:

- `meilisearch` (session): the provisioned server, with a configured official client;
- `meilisearch_index_prefix`: a prefix unique to the test (and xdist worker), whose
  indexes are deleted afterwards;
- `meilisearch_fake`: the fake's fault-injection controls; skips on a real server.

Provisioning happens on first use, so test runs that never ask for Meilisearch
pay nothing. The terminal summary says which provider served and why the
others passed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning import NoProviderError, Provisioned, provision
from scrypath.testing.provisioning._env import validate

_REPORT_KEY = "scrypath_meilisearch"
_state_key = pytest.StashKey["_SessionMeilisearch"]()


@dataclass
class _SessionMeilisearch:
    provisioned: Provisioned | None = None
    failure: str | None = None
    worker_reports: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MeilisearchServer:
    """What the `meilisearch` fixture gives a test."""

    url: str
    api_key: str | None = field(repr=False)
    provider: str
    real: bool
    client: Any = field(repr=False)
    provisioned: Provisioned = field(repr=False)

    @property
    def fake(self) -> Any:
        """The in-process fake, or None when a real server serves."""
        return self.provisioned.fake


def pytest_configure(config: pytest.Config) -> None:
    try:
        validate(os.environ)
    except ConfigurationError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_state_key] = _SessionMeilisearch()


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_state_key, None)
    if state is not None and state.provisioned is not None:
        state.provisioned.stop()
        state.provisioned = None


def _session_server(config: pytest.Config) -> Provisioned:
    state = config.stash[_state_key]
    if state.provisioned is None and state.failure is None:
        try:
            state.provisioned = provision()
        except NoProviderError as exc:
            state.failure = str(exc)
        workeroutput = getattr(config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[_REPORT_KEY] = _describe(state)
    if state.provisioned is None:
        pytest.skip(state.failure or "no Meilisearch was provisioned")
    return state.provisioned


def _describe(state: _SessionMeilisearch) -> str:
    if state.provisioned is not None:
        return state.provisioned.describe()
    return f"no Meilisearch: {state.failure}"


@pytest.fixture(scope="session")
def meilisearch(pytestconfig: pytest.Config) -> MeilisearchServer:
    """The provisioned Meilisearch for this session (external, container or fake)."""
    import meilisearch as meilisearch_client

    provisioned = _session_server(pytestconfig)
    client = meilisearch_client.Client(provisioned.url, provisioned.api_key)
    return MeilisearchServer(
        url=provisioned.url,
        api_key=provisioned.api_key,
        provider=provisioned.provider,
        real=provisioned.real,
        client=client,
        provisioned=provisioned,
    )


@pytest.fixture
def meilisearch_index_prefix(meilisearch: MeilisearchServer) -> Iterator[str]:
    """A prefix no other test (or xdist worker) uses; its indexes are dropped afterwards."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    prefix = f"t_{worker}_{uuid.uuid4().hex[:10]}_"
    yield prefix
    _drop_indexes(meilisearch.client, prefix)


def _drop_indexes(client: Any, prefix: str) -> None:
    """Delete the test's indexes and wait, so the next test starts from a quiet server."""
    try:
        indexes = client.get_raw_indexes({"limit": 1000})["results"]
        tasks = [
            client.delete_index(index["uid"])
            for index in indexes
            if index["uid"].startswith(prefix)
        ]
        for task in tasks:
            client.wait_for_task(task.task_uid, timeout_in_ms=30_000)
    except Exception:  # cleanup is best effort; the test's own outcome stands
        return


@pytest.fixture
def meilisearch_fake(meilisearch: MeilisearchServer) -> Iterator[Any]:
    """The fake server itself (fault injection, task holds); skips on a real Meilisearch."""
    fake = meilisearch.fake
    if fake is None:
        pytest.skip(
            f"needs scrypath's fake Meilisearch; this run is served by {meilisearch.provider}"
        )
    yield fake
    fake.faults.clear()


def pytest_testnodedown(node: Any, error: Any) -> None:
    report = getattr(node, "workeroutput", {}).get(_REPORT_KEY)
    state = node.config.stash.get(_state_key, None)
    if report and state is not None and report not in state.worker_reports:
        state.worker_reports.append(report)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(_state_key, None)
    if state is None:
        return
    lines = list(state.worker_reports)
    if state.provisioned is not None or state.failure is not None:
        lines.append(_describe(state))
    for line in lines:
        terminalreporter.write_line(f"scrypath: {line}")
