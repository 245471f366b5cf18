"""The worker: claims due jobs in batches and delivers them, until told to stop.

`Worker.run()` works until `stop()` or a signal; `Worker.drain()` works until nothing is
due and returns. SIGTERM and SIGINT mean a graceful stop: batches in flight finish and no
new batch is claimed; a second signal stops at once (the leases then expire and another
worker takes the jobs over). `concurrency` threads each claim their own batches under their
own lease owner. While running, completed jobs past their retention are swept periodically.
"""

from __future__ import annotations

import logging
import math
import os
import random
import secrets
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from sqlalchemy import Engine

from scrypath.config import resolve
from scrypath.errors import ConfigurationError, OutboxError
from scrypath.queue.batch import Batcher, BatchReport
from scrypath.queue.counts import QueueCounts, count_jobs
from scrypath.queue.database import (
    outbox_call,
    outbox_engine,
    require_dialect,
    require_installed,
)
from scrypath.queue.events import OUTCOMES, EventHook, Outcome, logger
from scrypath.queue.sweep import sweep_completed
from scrypath.telemetry.logs import error_fields, log_event

MAX_CONCURRENCY = 64
MAX_BATCH_SIZE = 10_000
_MAX_IDLE_BACKOFF = 30.0


@dataclass(frozen=True, slots=True)
class WorkerReport:
    """What a worker did: batches claimed, jobs claimed, and how each job ended."""

    batches: int = 0
    claimed: int = 0
    outcomes: Mapping[Outcome, int] = field(default_factory=dict)
    swept: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "batches": self.batches,
            "claimed": self.claimed,
            "outcomes": {outcome: self.outcomes.get(outcome, 0) for outcome in OUTCOMES},
            "swept": self.swept,
        }


class _Tally:
    """A thread-safe running total of batch reports."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batches = 0
        self._claimed = 0
        self._outcomes: Counter[Outcome] = Counter()
        self._swept = 0

    def add(self, report: BatchReport) -> None:
        with self._lock:
            self._batches += 1
            self._claimed += report.claimed
            self._outcomes.update(report.outcomes)

    def swept(self, count: int) -> None:
        with self._lock:
            self._swept += count

    def report(self) -> WorkerReport:
        with self._lock:
            return WorkerReport(self._batches, self._claimed, dict(self._outcomes), self._swept)


class Worker:
    """Delivers the outbox's jobs to Meilisearch.

    `engine` is the outbox database (an Engine or URL; default: the configured `outbox`).
    Meilisearch and queue settings come from the configuration, overridable by keyword.
    """

    def __init__(
        self,
        engine: Engine | str | None = None,
        *,
        concurrency: int = 1,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        sweep_interval: float = 300.0,
        on_event: EventHook | None = None,
        name: str | None = None,
        rng: random.Random | None = None,
        **overrides: Any,
    ) -> None:
        self.config = resolve(outbox_url=engine, **overrides)
        _check_options(concurrency, batch_size, poll_interval, sweep_interval)
        self.engine = outbox_engine(self.config)
        self.concurrency = concurrency
        self.batch_size = batch_size
        self.poll_interval = float(poll_interval)
        self.sweep_interval = float(sweep_interval)
        self.on_event = on_event
        self.name = name or default_name()
        self._rng = rng
        self._stop = threading.Event()

    @property
    def owners(self) -> tuple[str, ...]:
        """The lease owner of each thread."""
        if self.concurrency == 1:
            return (self.name,)
        return tuple(f"{self.name}/{n}" for n in range(1, self.concurrency + 1))

    def check(self) -> None:
        """Fail fast: Meilisearch configured, outbox reachable, supported and installed."""
        self.config.require_url()
        require_dialect(self.engine)
        with outbox_call(self.engine, "connect"), self.engine.connect() as connection:
            require_installed(connection)

    def run_batch(self, owner: str | None = None) -> BatchReport:
        """Claim and deliver one batch (as `owner`, default this worker's first)."""
        return self._batcher(owner or self.owners[0]).run()

    def drain(
        self, *, wait_for_scheduled: bool = False, handle_signals: bool = True
    ) -> WorkerReport:
        """Work until nothing is due (or, with `wait_for_scheduled`, until every job is
        settled for good), sweep once, and return what was done."""
        self.check()
        tally = _Tally()
        with self._signals(handle_signals):
            self._in_threads(lambda owner: self._drain_loop(owner, tally, wait_for_scheduled))
        tally.swept(self.sweep())
        return tally.report()

    def run(self, *, handle_signals: bool = True) -> WorkerReport:
        """Work until `stop()` or SIGTERM/SIGINT; returns what was done."""
        self.check()
        tally = _Tally()
        with self._signals(handle_signals):
            self._in_threads(lambda owner: self._run_loop(owner, tally))
        return tally.report()

    def stop(self) -> None:
        """Finish the batches in flight, then stop; claims nothing new."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def counts(self) -> QueueCounts:
        """Jobs per state in this worker's outbox."""
        with outbox_call(self.engine, "count jobs"), self.engine.connect() as connection:
            return count_jobs(connection)

    def sweep(self) -> int:
        """Delete completed jobs older than the retention period; how many were deleted."""
        return sweep_completed(self.engine, retention_seconds=self.config.queue_retention_seconds)

    def _batcher(self, owner: str) -> Batcher:
        return Batcher(self.engine, self.config, owner, self.batch_size, self.on_event, self._rng)

    def _drain_loop(self, owner: str, tally: _Tally, wait_for_scheduled: bool) -> None:
        batcher = self._batcher(owner)
        while not self._stop.is_set():
            report = batcher.run()
            if report.claimed:
                tally.add(report)
                continue
            if not wait_for_scheduled or not self.counts().pending:
                return
            self._stop.wait(self.poll_interval)

    def _run_loop(self, owner: str, tally: _Tally) -> None:
        batcher = self._batcher(owner)
        sweeps = owner == self.owners[0]
        next_sweep = 0.0
        idle = self.poll_interval
        while not self._stop.is_set():
            if sweeps and time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + self.sweep_interval
                self._sweep_quietly(tally)
            try:
                report = batcher.run()
            except OutboxError as error:
                log_event(
                    logger,
                    logging.WARNING,
                    "%s: the outbox is unavailable, retrying: %s",
                    owner,
                    error,
                    event="outbox_unavailable",
                    worker=owner,
                    **error_fields(error),
                )
                self._stop.wait(idle)
                idle = min(idle * 2, max(_MAX_IDLE_BACKOFF, self.poll_interval))
                continue
            idle = self.poll_interval
            if report.claimed:
                tally.add(report)
            else:
                self._stop.wait(self.poll_interval)

    def _sweep_quietly(self, tally: _Tally) -> None:
        try:
            tally.swept(self.sweep())
        except OutboxError as error:
            log_event(
                logger,
                logging.WARNING,
                "sweeping completed jobs failed: %s",
                error,
                event="sweep_failed",
                worker=self.name,
                **error_fields(error),
            )

    def _in_threads(self, loop: Callable[[str], None]) -> None:
        """Run `loop` once per owner: inline for one, in threads for more."""
        if self.concurrency == 1:
            loop(self.owners[0])
            return
        failures: list[BaseException] = []

        def guarded(owner: str) -> None:
            try:
                loop(owner)
            except BaseException as error:  # surfaced to the caller after every thread ends
                failures.append(error)
                self._stop.set()

        threads = [
            threading.Thread(target=guarded, args=(owner,), name=owner, daemon=True)
            for owner in self.owners
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
        if failures:
            raise failures[0]

    @contextmanager
    def _signals(self, enabled: bool) -> Iterator[None]:
        """On the main thread, SIGTERM/SIGINT stop gracefully; a second one stops at once."""
        if not enabled or threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def graceful(signum: int, frame: FrameType | None) -> None:
            log_event(
                logger,
                logging.WARNING,
                "%s: received %s; finishing the current batch, claiming no more",
                self.name,
                signal.Signals(signum).name,
                event="worker_stopping",
                worker=self.name,
                signal=signal.Signals(signum).name,
            )
            self.stop()
            for sig in previous:
                signal.signal(sig, _IMMEDIATE[sig])

        for sig in previous:
            signal.signal(sig, graceful)
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


_IMMEDIATE: dict[int, Any] = {
    signal.SIGTERM: signal.SIG_DFL,
    signal.SIGINT: signal.default_int_handler,
}


def default_name() -> str:
    """`host:pid:random`, unique per worker."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}:{secrets.token_hex(3)}"


def _check_options(
    concurrency: object, batch_size: object, poll_interval: object, sweep_interval: object
) -> None:
    _whole("concurrency", concurrency, MAX_CONCURRENCY)
    _whole("batch_size", batch_size, MAX_BATCH_SIZE)
    _positive("poll_interval", poll_interval)
    _positive("sweep_interval", sweep_interval)


def _whole(name: str, value: object, limit: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise ConfigurationError(
            f"Worker({name}=...): expected a whole number from 1 to {limit}, got {value!r}",
            key=name,
        )


def _positive(name: str, value: object) -> None:
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or number <= 0:
        raise ConfigurationError(
            f"Worker({name}=...): expected a positive number of seconds, got {value!r}",
            key=name,
        )
