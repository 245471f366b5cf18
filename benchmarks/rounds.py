"""Fair comparisons: a side and its baseline measured in alternating rounds of one run.

The order swaps every round, so drift on a busy machine (other processes, a warming cache)
hits both sides alike. Both sides wait for Meilisearch tasks at the same steady, fine poll
interval (`POLL_SECONDS`): a coarse one would round every wait up to the same quantum and
hide the overhead being measured.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import scrypath

POLL_SECONDS = 0.002
"""The task poll interval of both sides (scrypath: `poll_interval` = `max_poll_interval`)."""

POLL_MS = round(POLL_SECONDS * 1000)
"""The same interval for the official client's `wait_for_task(interval_in_ms=...)`."""


def use_server(url: str, key: str | None, *, sync_mode: str, **more: Any) -> None:
    """Point scrypath at the benchmark's server, polling tasks every `POLL_SECONDS` as the
    baselines do."""
    scrypath.configure(
        meilisearch_url=url,
        meilisearch_api_key=key,
        sync_mode=sync_mode,
        poll_interval=POLL_SECONDS,
        max_poll_interval=POLL_SECONDS,
        **more,
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """Seconds per round of each side, in the order measured."""

    ours: tuple[float, ...]
    baseline: tuple[float, ...]

    @property
    def ours_median(self) -> float:
        return statistics.median(self.ours)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def ratio(self) -> float:
        """Median of ours over median of the baseline: above 1 means ours is slower."""
        return self.ours_median / self.baseline_median


def interleave(ours: Callable[[], float], baseline: Callable[[], float], rounds: int) -> Comparison:
    """Run both sides `rounds` times, swapping which goes first each round.

    Each side returns the seconds it measured, so set-up it does outside the timed part
    (fresh indexes, queued jobs) never counts.
    """
    a: list[float] = []
    b: list[float] = []
    for n in range(rounds):
        order = ((ours, a), (baseline, b)) if n % 2 == 0 else ((baseline, b), (ours, a))
        for side, samples in order:
            samples.append(side())
    return Comparison(tuple(a), tuple(b))


def timed(call: Callable[[], object]) -> Callable[[], float]:
    """`call` as a side of `interleave`: the seconds one call takes."""

    def side() -> float:
        started = time.perf_counter()
        call()
        return time.perf_counter() - started

    return side
