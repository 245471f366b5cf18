"""`performanceDetails`: how long each stage of a search took, in human units.

Stage names follow Meilisearch's (`search > evaluate query`, ...), and durations are
wall-clock time measured in the fake's own Python code: approximate, useful for
spotting the slow stage of a request, never a prediction of a real server's timings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


def human(seconds: float) -> str:
    """`1.23ms`, `456.78µs`, `2.10s`: a duration as Meilisearch prints it."""
    if seconds >= 1:
        return f"{seconds:.2f}s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.2f}ms"
    return f"{seconds * 1_000_000:.2f}µs"


class Stopwatch:
    """Durations of the named stages of one request, summed when a stage repeats."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.started = time.perf_counter()
        self._stages: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            key = f"{self.root} > {name}"
            self._stages[key] = self._stages.get(key, 0.0) + time.perf_counter() - started

    def details(self) -> dict[str, str]:
        """Every stage in the order first timed, then the whole request under `root`."""
        total = time.perf_counter() - self.started
        return {**{k: human(v) for k, v in self._stages.items()}, self.root: human(total)}
