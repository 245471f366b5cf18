"""The metric instruments, made together from one meter (see `names.METRICS`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrypath.telemetry import gauges
from scrypath.telemetry.names import (
    ATTEMPTS_LOST,
    FAILED_WORK,
    HISTOGRAM_BOUNDARIES,
    JOBS_SETTLED,
    METRICS,
    OLDEST_PENDING,
    QUEUE_DEPTH,
    SEARCH_DURATION,
    SYNC_CALLS,
    SYNC_DOCUMENTS,
    TASK_WAIT,
)

_SPECS = {metric.name: metric for metric in METRICS}


@dataclass(frozen=True, slots=True)
class Instruments:
    """The synchronous instruments; the observable gauges need no handle once made."""

    sync_calls: Any
    sync_documents: Any
    task_wait: Any
    search_duration: Any
    jobs_settled: Any
    attempts_lost: Any


def build(meter: Any) -> Instruments:
    """Every instrument on `meter`, the observable gauges with their callbacks."""
    for name, callback in (
        (QUEUE_DEPTH, gauges.observe_depth),
        (OLDEST_PENDING, gauges.observe_oldest_pending),
        (FAILED_WORK, gauges.observe_failed_work),
    ):
        spec = _SPECS[name]
        meter.create_observable_gauge(
            name, callbacks=[callback], unit=spec.unit, description=spec.description
        )
    return Instruments(
        sync_calls=_counter(meter, SYNC_CALLS),
        sync_documents=_counter(meter, SYNC_DOCUMENTS),
        task_wait=_histogram(meter, TASK_WAIT),
        search_duration=_histogram(meter, SEARCH_DURATION),
        jobs_settled=_counter(meter, JOBS_SETTLED),
        attempts_lost=_counter(meter, ATTEMPTS_LOST),
    )


def _counter(meter: Any, name: str) -> Any:
    spec = _SPECS[name]
    return meter.create_counter(name, unit=spec.unit, description=spec.description)


def _histogram(meter: Any, name: str) -> Any:
    spec = _SPECS[name]
    return meter.create_histogram(
        name,
        unit=spec.unit,
        description=spec.description,
        explicit_bucket_boundaries_advisory=list(HISTOGRAM_BOUNDARIES),
    )
