"""The last hour of sync lag and failed work, per model, sampled into memory.

Every status the console reads (a page view, or the background sampler every
`sample_interval` seconds) adds a sample, at most one per model per `MIN_SPACING` seconds.
Samples older than `WINDOW` are dropped; nothing is persisted, so a restart starts afresh.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

WINDOW = 3600.0
"""Seconds of history kept (and charted)."""
MIN_SPACING = 5.0
"""Seconds between two kept samples of one model; closer reads are not recorded."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading: when (wall clock), the queue's lag (None: nothing pending or no outbox)
    and the rows of the failed-work report."""

    at: float
    lag: float | None
    failed: int


class History:
    """Per-model ring buffers of samples, safe to share between request threads."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._series: dict[str, deque[Sample]] = {}

    def now(self) -> float:
        return self._clock()

    def record(self, key: str, lag: float | None, failed: int) -> None:
        """Add a sample of `key`'s model: its queue's lag (the oldest pending job's age) and
        its failed-work count (unless a sample was taken just before)."""
        sample = Sample(self._clock(), lag, failed)
        with self._lock:
            series = self._series.setdefault(key, deque())
            if series and sample.at - series[-1].at < MIN_SPACING:
                return
            series.append(sample)
            while series and sample.at - series[0].at > WINDOW:
                series.popleft()

    def series(self, key: str) -> tuple[Sample, ...]:
        """`key`'s samples of the last hour, oldest first."""
        cutoff = self._clock() - WINDOW
        with self._lock:
            return tuple(sample for sample in self._series.get(key, ()) if sample.at >= cutoff)

    def combined(self, keys: Iterable[str]) -> tuple[Sample, ...]:
        """All models at once: per `MIN_SPACING` bucket, the worst lag and the total failed
        of each model's latest sample in that bucket."""
        buckets: dict[int, dict[str, Sample]] = {}
        for key in keys:
            for sample in self.series(key):
                buckets.setdefault(int(sample.at // MIN_SPACING), {})[key] = sample
        combined = []
        for bucket in sorted(buckets):
            samples = buckets[bucket].values()
            lags = [sample.lag for sample in samples if sample.lag is not None]
            combined.append(
                Sample(
                    max(sample.at for sample in samples),
                    max(lags) if lags else None,
                    sum(sample.failed for sample in samples),
                )
            )
        return tuple(combined)


class Sampler:
    """A daemon thread that calls `take` every `interval` seconds until stopped."""

    def __init__(self, take: Callable[[], None], interval: float) -> None:
        self._take = take
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def ensure_started(self) -> None:
        """Start the thread once (on the first request, so a mounted console needs no
        lifespan hook from its host)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="scrypath-console-sampler", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._interval + 5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._take()
            except Exception:  # a failed reading is a gap in the chart, never a dead thread
                continue
