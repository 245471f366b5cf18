"""What each page reads, and only through the root operator API.

The overview reads `sync_overview` for all models at once (a constant number of requests,
however many models), and `index_contract_drift` for the drift badge, kept for `drift_ttl`
seconds because a contract changes on deploys, not between page views (the badge says how
old it is). A model's page reads `reconcile_sync` with one page of the failed work (status,
failed work, signals, recommended actions in one report) and `index_contract_drift`. A
failed read becomes the error its section shows; it never hides the rest of the page.
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
from scrypath.errors import ScrypathError, TaskHistoryLimitError
from scrypath.meilisearch.boundary import scrub
from scrypath.operator.contract_drift import ContractDriftReport, index_contract_drift
from scrypath.operator.overview import ModelGlance, sync_overview
from scrypath.operator.reconcile import ReconcileReport, reconcile_sync
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
        return Outcome(None, failure_of(error))


def failure_of(error: ScrypathError) -> Failure:
    return Failure(error.reason, scrub(str(error)))


HISTORY_LIMIT = Failure(
    TaskHistoryLimitError.reason,
    "Meilisearch holds more failed tasks of this model than the read limit; its model page "
    "names the limit",
)


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One line of the overview; `drift_age` is how many seconds ago the contract was read
    (the badge is kept for `drift_ttl` seconds, so it says so)."""

    key: str
    name: str
    index: str
    glance: Outcome[ModelGlance]
    drift: Outcome[ContractDriftReport]
    drift_age: float

    @property
    def failed(self) -> Outcome[int]:
        """The failed-work count (the report's row count), or why there is none."""
        glance = self.glance.report
        if glance is None:
            return Outcome(None, self.glance.failure)
        if glance.failed_work is None:
            return Outcome(None, HISTORY_LIMIT)
        return Outcome(glance.failed_work)


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


def model_heading(settings: ConsoleSettings, key: str) -> dict[str, Any]:
    """What every page about one model shows first: its key, class name and index."""
    found = settings.models[key]
    return {"key": key, "name": found.__name__, "index": index_of(found, settings.overrides)}


class DriftCache:
    """Contract-drift outcomes by model, each kept for `ttl` seconds."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, Outcome[ContractDriftReport]]] = {}

    def get(
        self, key: str, read: Callable[[], Outcome[ContractDriftReport]]
    ) -> tuple[Outcome[ContractDriftReport], float]:
        """The kept outcome and its age in seconds, or a fresh read (age 0)."""
        now = self._clock()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and now - kept[0] < self._ttl:
            return kept[1], now - kept[0]
        fresh = read()
        with self._lock:
            self._kept[key] = (self._clock(), fresh)
        return fresh, 0.0

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
        """Every model's row: the glances read at once, the drift badges (kept) alongside."""
        keys = list(self.settings.models)
        drifts = self._pool.map(self._drift_kept, keys)
        glances = self.glances(keys)
        rows = []
        for key, glance, (drift, age) in zip(keys, glances, drifts, strict=True):
            model = self.settings.models[key]
            index = index_of(model, self.settings.overrides)
            rows.append(ModelRow(key, model.__name__, index, glance, drift, age))
        return rows

    def _drift_kept(self, key: str) -> tuple[Outcome[ContractDriftReport], float]:
        return self.drift_cache.get(key, lambda: self.contract_drift(key))

    def glances(self, keys: list[str]) -> list[Outcome[ModelGlance]]:
        """`sync_overview` of `keys`' models, recorded in the history. Past the failed-task
        read limit of all of them together, each model is read on its own (in the pool), so
        only the models past their own limit lose their count."""
        models, overrides = [self.settings.models[key] for key in keys], self.settings.overrides
        try:
            outcomes = [Outcome(glance) for glance in sync_overview(models, **overrides)]
        except TaskHistoryLimitError:
            outcomes = list(self._pool.map(self._glance_alone, models))
        except ScrypathError as error:
            outcomes = [Outcome(None, failure_of(error))] * len(keys)
        for key, outcome in zip(keys, outcomes, strict=True):
            glance = outcome.report
            if glance is not None and glance.failed_work is not None:
                self.history.record(
                    key, glance.queue.oldest_pending_age_seconds, glance.failed_work
                )
        return outcomes

    def _glance_alone(self, model: type[Any]) -> Outcome[ModelGlance]:
        return attempt(lambda: sync_overview([model], **self.settings.overrides)[0])

    def contract_drift(self, key: str) -> Outcome[ContractDriftReport]:
        model, overrides = self.settings.models[key], self.settings.overrides
        return attempt(lambda: index_contract_drift(model, **overrides))

    def reconcile(self, key: str, **options: Any) -> Outcome[ReconcileReport]:
        """The reconcile report, report only (actions go through `scrypath.web.actions`)."""
        model, overrides = self.settings.models[key], self.settings.overrides
        return attempt(lambda: reconcile_sync(model, **options, **overrides))

    def model_page(
        self, key: str, *, audit: bool, shown_class: str | None = None, page: int = 1
    ) -> tuple[Outcome[ReconcileReport], Outcome[ContractDriftReport]]:
        """A model's page: reconcile with page `page` of the failed work (of `shown_class`),
        with the document audit when asked, and contract drift, side by side in the pool.
        A page past the last one reads the last one instead."""
        drift = self._pool.submit(self.contract_drift, key)
        report = self._failed_page(key, audit, shown_class, page)
        found = report.report
        window = None if found is None else found.failed.window
        if found is not None and window is not None and not found.failed.rows and window.matching:
            size = self.settings.page_size
            report = self._failed_page(key, audit, shown_class, -(-window.matching // size))
        if report.report is not None:
            found = report.report
            lag = found.status.queue.oldest_pending_age_seconds
            self.history.record(key, lag, found.failed.total)
        fresh = drift.result()
        self.drift_cache.forget(key)
        return report, fresh

    def _failed_page(
        self, key: str, audit: bool, shown_class: str | None, page: int
    ) -> Outcome[ReconcileReport]:
        size = self.settings.page_size
        return self.reconcile(
            key,
            include_document_drift=audit,
            failed_offset=(page - 1) * size,
            failed_max_rows=size,
            failed_reason_class=shown_class,
        )

    def sample_all(self) -> None:
        """One reading of every model, for the background sampler."""
        self.glances(list(self.settings.models))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
