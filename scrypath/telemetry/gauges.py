"""What the observable gauges read: outboxes being observed and the latest failed work.

The gauges' callbacks run at each metric collection, on the exporter's thread. The outbox
gauges query each observed outbox then (see `scrypath.telemetry.outbox`); the failed-work
gauge reports the class counts each model's latest `failed_sync_work` report found.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from scrypath.telemetry.api import otel
from scrypath.telemetry.attributes import clean

Point = tuple[float, dict[str, Any]]


class Observed(Protocol):
    """An outbox being observed: its points at the moment of a collection."""

    def depth(self) -> list[Point]: ...

    def oldest_pending(self) -> list[Point]: ...


_lock = threading.Lock()
_outboxes: list[Observed] = []
_failed_work: dict[str, dict[str, int]] = {}


def add_outbox(observed: Observed) -> None:
    with _lock:
        _outboxes.append(observed)


def remove_outbox(observed: Observed) -> None:
    with _lock:
        if observed in _outboxes:
            _outboxes.remove(observed)


def outboxes() -> tuple[Observed, ...]:
    with _lock:
        return tuple(_outboxes)


def set_failed_work(model: str, counts: Mapping[str, int]) -> None:
    """Keep `model`'s latest failed-work class counts for the gauge."""
    with _lock:
        _failed_work[model] = dict(counts)


def forget() -> None:
    """Drop every observed outbox and failed-work count (for tests)."""
    with _lock:
        _outboxes.clear()
        _failed_work.clear()


def observe_depth(options: Any) -> Iterator[Any]:
    for observed in outboxes():
        yield from _observations(observed.depth())


def observe_oldest_pending(options: Any) -> Iterator[Any]:
    for observed in outboxes():
        yield from _observations(observed.oldest_pending())


def observe_failed_work(options: Any) -> Iterator[Any]:
    with _lock:
        points = [
            (float(count), {"model": model, "reason_class": reason_class})
            for model, counts in _failed_work.items()
            for reason_class, count in counts.items()
        ]
    yield from _observations(points)


def _observations(points: list[Point]) -> Iterator[Any]:
    api = otel()
    if api is None:
        return
    for value, attributes in points:
        yield api.metrics.Observation(value, clean(attributes))
