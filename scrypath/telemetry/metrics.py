"""Metric points: each helper records on the active provider's instruments, or does nothing.

A point carries only the attributes its metric lists in `names.METRICS` (model, mode,
operation, outcome, reason class, state): the number of series stays bounded by the number
of models, whatever the traffic. A record id never becomes an attribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scrypath.telemetry import gauges
from scrypath.telemetry.attributes import clean, model_name
from scrypath.telemetry.names import (
    JOBS_SETTLED,
    METRICS,
    SEARCH_DURATION,
    SYNC_CALLS,
    TASK_WAIT,
)
from scrypath.telemetry.providers import instruments

_KEYS = {metric.name: metric.attributes for metric in METRICS}


def point(metric: str, values: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
    """The attributes of one point of `metric`: only those it lists, cleaned."""
    return clean({name: values.get(name) for name in _KEYS[metric]})


def record_sync(seconds: float, values: Mapping[str, Any]) -> None:
    """One sync call ended: count it, and the documents it carried."""
    found = instruments()
    if found is None:
        return
    attributes = point(SYNC_CALLS, values)
    found.sync_calls.add(1, attributes)
    documents = values.get("document_count")
    if isinstance(documents, int) and documents > 0:
        found.sync_documents.add(documents, attributes)


def record_task_wait(seconds: float, values: Mapping[str, Any]) -> None:
    """One wait for a Meilisearch task ended after `seconds`."""
    found = instruments()
    if found is not None:
        found.task_wait.record(seconds, point(TASK_WAIT, values))


def record_search(seconds: float, values: Mapping[str, Any]) -> None:
    """One search (hydration included) took `seconds`."""
    found = instruments()
    if found is not None:
        found.search_duration.record(seconds, point(SEARCH_DURATION, values))


def record_job(model: str, operation: str, outcome: str, reason_class: str | None) -> None:
    """A worker settled one job of `model` (a class name or an outbox model reference)."""
    found = instruments()
    if found is None:
        return
    values = {
        "model": model_name(model),
        "operation": operation,
        "outcome": outcome,
        "reason_class": reason_class,
    }
    found.jobs_settled.add(1, point(JOBS_SETTLED, values))


def record_lost_attempt(model: str) -> None:
    """A worker found an attempt its predecessor lost (`lease_expired`)."""
    found = instruments()
    if found is not None:
        found.attempts_lost.add(1, clean({"model": model_name(model)}))


def record_failed_work(model: str, counts: Mapping[str, int]) -> None:
    """A failed-work report for `model` found these rows per reason class."""
    gauges.set_failed_work(model, counts)
    instruments()  # the gauge exists from now on
