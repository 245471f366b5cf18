"""pytest plugin: a provisioned Meilisearch for your tests, and an honest report of it.

Fixtures:

- `meilisearch` (session): the provisioned server, with a configured official client;
- `meilisearch_index_prefix`: a prefix unique to the test (and xdist worker), whose
  indexes are deleted afterwards;
- `meilisearch_fake`: the fake's fault-injection controls; skips on a real server;
- `postgres_database` (session): a provisioned PostgreSQL (an explicit URL, a throwaway
  cluster, or a container); skips, or fails under `--require-postgres`, when there is none.

Provisioning happens on first use, so test runs that never ask for Meilisearch or
PostgreSQL pay nothing. The terminal summary says which provider served and why the
others passed, and counts the tests skipped for a missing PostgreSQL or a missing
OpenAPI description.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning import (
    NoDatabaseError,
    NoProviderError,
    Provisioned,
    ProvisionedDatabase,
    provision,
    provision_database,
)
from scrypath.testing.provisioning._env import validate
from scrypath.testing.provisioning.absences import (
    COUNTS_ENV,
    SkipCounts,
    absence_of,
    write_counts,
)
from scrypath.testing.provisioning.database_env import postgres_required, validate_database_env

_REPORT_KEY = "scrypath_meilisearch"
_DATABASE_REPORT_KEY = "scrypath_database"
_state_key = pytest.StashKey["_SessionMeilisearch"]()
_database_key = pytest.StashKey["_SessionDatabase"]()


@dataclass
class _SessionMeilisearch:
    provisioned: Provisioned | None = None
    failure: str | None = None
    worker_reports: list[str] = field(default_factory=list)


@dataclass
class _SessionDatabase:
    required: bool = False
    provisioned: ProvisionedDatabase | None = None
    missing: NoDatabaseError | None = None
    worker_reports: list[str] = field(default_factory=list)
    counts: SkipCounts = field(default_factory=SkipCounts)

    @property
    def attempted(self) -> bool:
        return self.provisioned is not None or self.missing is not None

    def describe(self) -> str:
        if self.provisioned is not None:
            return self.provisioned.describe()
        if self.missing is not None and self.required:
            return f"{self.missing}; PostgreSQL was required, so the tests that need it failed"
        if self.missing is not None:
            return self.missing.skip_reason()
        return "PostgreSQL was not needed"


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


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("scrypath")
    group.addoption(
        "--require-postgres",
        action="store_true",
        default=False,
        help="fail, instead of skipping, the tests that need PostgreSQL when none can be"
        " provisioned (also: SCRYPATH_TEST_REQUIRE_POSTGRES=1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    try:
        validate(os.environ)
        validate_database_env(os.environ)
    except ConfigurationError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_state_key] = _SessionMeilisearch()
    required = bool(config.getoption("require_postgres", False)) or postgres_required(os.environ)
    database = _SessionDatabase(required=required)
    config.stash[_database_key] = database
    config.pluginmanager.register(_AbsenceCounter(database), "scrypath-absence-counter")


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_state_key, None)
    if state is not None and state.provisioned is not None:
        state.provisioned.stop()
        state.provisioned = None
    database = config.stash.get(_database_key, None)
    if database is not None and database.provisioned is not None:
        database.provisioned.stop()
        database.provisioned = None


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


def _session_database(config: pytest.Config) -> ProvisionedDatabase:
    state = config.stash[_database_key]
    if not state.attempted:
        try:
            state.provisioned = provision_database()
        except NoDatabaseError as exc:
            state.missing = exc
        workeroutput = getattr(config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[_DATABASE_REPORT_KEY] = state.describe()
    if state.provisioned is not None:
        return state.provisioned
    assert state.missing is not None
    if state.required:
        pytest.fail(state.missing.required_message(), pytrace=False)
    pytest.skip(state.missing.skip_reason())


@pytest.fixture(scope="session")
def postgres_database(pytestconfig: pytest.Config) -> ProvisionedDatabase:
    """The provisioned PostgreSQL for this session (external URL, throwaway cluster, container).

    Skips the test with a "no PostgreSQL for this run" reason when none can be provisioned,
    or fails it when PostgreSQL is required; the terminal summary counts those skips.
    """
    return _session_database(pytestconfig)


class _AbsenceCounter:
    """Counts the tests skipped for a missing PostgreSQL or OpenAPI description.

    Under xdist the controller receives every worker's reports, so its count is the total.
    """

    def __init__(self, state: _SessionDatabase) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not report.skipped or hasattr(report, "wasxfail"):
            return
        if not isinstance(report.longrepr, tuple) or len(report.longrepr) != 3:
            return
        absence = absence_of(str(report.longrepr[2]))
        if absence is not None:
            self.state.counts = self.state.counts.add(absence)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the counts where a verify run asked for them (the controller only)."""
    target = os.environ.get(COUNTS_ENV, "").strip()
    database = session.config.stash.get(_database_key, None)
    if not target or database is None or hasattr(session.config, "workerinput"):
        return
    try:
        write_counts(Path(target), database.counts)
    except OSError as exc:  # the verify run then reports the counts as unknown
        print(f"scrypath: {COUNTS_ENV}: could not write the counts: {exc}", file=sys.stderr)


def pytest_testnodedown(node: Any, error: Any) -> None:
    output = getattr(node, "workeroutput", {})
    for key, stash_key in ((_REPORT_KEY, _state_key), (_DATABASE_REPORT_KEY, _database_key)):
        report = output.get(key)
        state = node.config.stash.get(stash_key, None)
        if report and state is not None and report not in state.worker_reports:
            state.worker_reports.append(report)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for line in _meilisearch_lines(config) + _database_lines(config):
        terminalreporter.write_line(f"scrypath: {line}")


def _meilisearch_lines(config: pytest.Config) -> list[str]:
    state = config.stash.get(_state_key, None)
    if state is None:
        return []
    lines = list(state.worker_reports)
    if state.provisioned is not None or state.failure is not None:
        lines.append(_describe(state))
    return lines


def _database_lines(config: pytest.Config) -> list[str]:
    state = config.stash.get(_database_key, None)
    if state is None:
        return []
    lines = list(state.worker_reports)
    if state.attempted:
        lines.append(state.describe())
    if lines or state.counts.postgres:
        lines.append(state.counts.postgres_line())
    if state.counts.openapi:
        lines.append(state.counts.openapi_line())
    return lines
