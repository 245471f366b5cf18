"""Timed spans: a span whose end also records a metric point with the same attributes.

Sync calls and searches are both traced and measured. A task wait is only measured: it is
the bulk of its sync call's span already, and a span per task would double the cost of
tracing the hottest write path. The body adds what it
learns (`outcome`, counts, the task uid) through `set()`; on the way out the span and the
point get the same outcome, or the failure's reason and class when an exception escapes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from scrypath.telemetry.api import otel
from scrypath.telemetry.attributes import failure
from scrypath.telemetry.metrics import record_search, record_sync, record_task_wait
from scrypath.telemetry.providers import instruments, tracer
from scrypath.telemetry.spans import NO_SPAN, _NoSpan, span

Recorder = Callable[[float, Mapping[str, Any]], None]


class Call:
    """A span and, when it ends, one metric point."""

    __slots__ = ("_handle", "_record", "_span", "_started", "_values")

    def __init__(self, name: str | None, record: Recorder, attributes: dict[str, Any]) -> None:
        self._span = NO_SPAN if name is None else span(name, **attributes)
        self._record = record
        self._values = attributes
        self._started = 0.0
        self._handle: Any = None

    def set(self, **values: Any) -> None:
        self._values.update(values)
        self._handle.set(**values)

    def __enter__(self) -> Call:
        self._handle = self._span.__enter__()
        self._started = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool | None:
        elapsed = time.perf_counter() - self._started
        values = self._values
        if error is not None:
            values.update(failure(error))
        elif values.get("outcome") is None:
            values["outcome"] = "ok"
        self._record(elapsed, values)
        return self._span.__exit__(kind, error, trace)


def _call(name: str | None, record: Recorder, attributes: dict[str, Any]) -> Call | _NoSpan:
    if otel() is None or (tracer() is None and instruments() is None):
        return NO_SPAN
    return Call(name, record, attributes)


def sync_call(model: str, index: str, mode: str, document_count: int) -> Call | _NoSpan:
    """`scrypath.sync` around one sync or delete call, counted in `scrypath.sync.calls`."""
    return _call(
        "scrypath.sync",
        record_sync,
        {"model": model, "index": index, "mode": mode, "document_count": document_count},
    )


def task_wait(task_uid: int, context: Mapping[str, Any]) -> Call | _NoSpan:
    """Waiting for one task, timed in `scrypath.task.wait.duration`; `context` is the
    caller's error context (model, index, mode, operation)."""
    return _call(
        None,
        record_task_wait,
        {
            "task_uid": task_uid,
            "model": context.get("model"),
            "index": context.get("index"),
            "mode": context.get("mode"),
            "operation": context.get("operation"),
        },
    )


def search_call(name: str, operation: str, **attributes: Any) -> Call | _NoSpan:
    """`name` (`scrypath.search` or `scrypath.search_many`) around one search, timed in
    `scrypath.search.duration`."""
    return _call(name, record_search, {"operation": operation, **attributes})
