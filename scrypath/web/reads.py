"""What each page reads, and only through the root operator API.

The overview reads `sync_status` for every model in parallel (each read is a few small
requests), and `index_contract_drift` for the drift badge, kept for `drift_ttl` seconds
because a contract changes on deploys, not between page views. A model's page reads
`reconcile_sync` (status, failed work, signals, recommended actions in one report) and
`index_contract_drift`. A failed read becomes the error its section shows; it never hides
the rest of the page.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from scrypath.config import resolve
from scrypath.declaration import spec_for
from scrypath.errors import ScrypathError
from scrypath.meilisearch.boundary import scrub
from scrypath.operator.contract_drift import ContractDriftReport, index_contract_drift
from scrypath.operator.failed import FailedWorkReport, failed_sync_work
from scrypath.operator.reconcile import ReconcileReport, reconcile_sync
from scrypath.operator.status import SyncStatusReport, sync_status
from scrypath.web.history import History
from scrypath.web.settings import ConsoleSettings

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Failure:
    """A read that failed: its stable reason tag and its (already secret-free) message."""

    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """A report, or why there is none."""

    report: T | None
    failure: Failure | None = None


def attempt(read: Callable[[], T]) -> Outcome[T]:
    """Run one read; a scrypath error becomes a `Failure` the page shows in its place."""
    try:
        return Outcome(read())
    except ScrypathError as error:
        return Outcome(None, Failure(error.reason, scrub(str(error))))


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One line of the overview."""

    key: str
    name: str
    index: str
    status: Outcome[SyncStatusReport]
    failed: Outcome[FailedWorkReport]
    drift: Outcome[ContractDriftReport]


def describe_backend(overrides: Mapping[str, Any]) -> tuple[str, str]:
    """The sync mode and where Meilisearch is (scheme, host and port only: never a key or a
    password from the URL)."""
    config = resolve(**overrides)
    mode = config.sync_mode or "not set"
    url = config.meilisearch_url
    if not url:
        return mode, "meilisearch (not configured)"
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return mode, f"meilisearch {parts.scheme}://{host}{port}"


def index_of(model: type[Any], overrides: Mapping[str, Any]) -> str:
    try:
        return spec_for(model).index_name(resolve(**overrides).index_prefix)
    except ScrypathError:
        return "?"


class DriftCache:
    """Contract-drift outcomes by model, each kept for `ttl` seconds."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, Outcome[ContractDriftReport]]] = {}

    def get(self, key: str, read: Callable[[], Outcome[ContractDriftReport]]) -> Outcome[Any]:
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and now - kept[0] < self._ttl:
            return kept[1]
        fresh = read()
        with self._lock:
            self._kept[key] = (now, fresh)
        return fresh

    def forget(self, key: str) -> None:
        with self._lock:
            self._kept.pop(key, None)


class Reader:
    """The console's reads, with its thread pool, drift cache and history."""

    def __init__(self, settings: ConsoleSettings, history: History) -> None:
        self.settings = settings
        self.history = history
        self.drift_cache = DriftCache(settings.drift_ttl)
        self._pool = ThreadPoolExecutor(settings.workers, thread_name_prefix="scrypath-console")

    def overview(self) -> list[ModelRow]:
        """Every model's row, read in parallel."""
        return list(self._pool.map(self._row, self.settings.models))

    def _row(self, key: str) -> ModelRow:
        model = self.settings.models[key]
        status, failed = self.status_and_failed(key)
        drift = self.drift_cache.get(key, lambda: self.contract_drift(key))
        index = index_of(model, self.settings.overrides)
        return ModelRow(key, model.__name__, index, status, failed, drift)

    def status_and_failed(
        self, key: str
    ) -> tuple[Outcome[SyncStatusReport], Outcome[FailedWorkReport]]:
        """`sync_status` and `failed_sync_work` (the failed count every page shows is the
        failed-work report's: a job's failed tasks are counted once, as the job)."""
        model, overrides = self.settings.models[key], self.settings.overrides
        status = attempt(lambda: sync_status(model, **overrides))
        failed = attempt(lambda: failed_sync_work(model, **overrides))
        if status.report is not None and failed.report is not None:
            self.history.record(key, status.report, len(failed.report.rows))
        return status, failed

    def contract_drift(self, key: str) -> Outcome[ContractDriftReport]:
        model, overrides = self.settings.models[key], self.settings.overrides
        return attempt(lambda: index_contract_drift(model, **overrides))

    def reconcile(self, key: str, **options: Any) -> Outcome[ReconcileReport]:
        """The reconcile report, report only (actions go through `scrypath.web.actions`)."""
        model, overrides = self.settings.models[key], self.settings.overrides
        return attempt(lambda: reconcile_sync(model, **options, **overrides))

    def model_page(
        self, key: str, *, audit: bool
    ) -> tuple[Outcome[ReconcileReport], Outcome[ContractDriftReport]]:
        """A model's page: reconcile (with the document audit when asked) and contract drift,
        side by side in the pool."""
        reconcile = self._pool.submit(self.reconcile, key, include_document_drift=audit)
        drift = self._pool.submit(self.contract_drift, key)
        report = reconcile.result()
        if report.report is not None:
            found = report.report
            self.history.record(key, found.status, len(found.failed.rows))
        fresh = drift.result()
        self.drift_cache.forget(key)
        return report, fresh

    def sample_all(self) -> None:
        """One status reading of every model, for the background sampler."""
        for key in self.settings.models:
            self.status_and_failed(key)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
