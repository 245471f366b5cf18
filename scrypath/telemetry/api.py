"""The one guarded import of the OpenTelemetry API.

The import happens on first use, never when scrypath is imported, and its result (the API, or
its absence) is kept for the life of the process: with the `otel` extra missing, every later
call answers None at the cost of reading one global.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

_UNSET: Any = object()
_loaded: Any = _UNSET
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class OTel:
    """The parts of the OpenTelemetry API scrypath uses."""

    trace: ModuleType
    metrics: ModuleType
    inactive_tracer_providers: tuple[type, ...]
    inactive_meter_providers: tuple[type, ...]


def otel() -> OTel | None:
    """The OpenTelemetry API, or None when it cannot be imported."""
    loaded = _loaded
    if loaded is _UNSET:
        loaded = _load_once()
    result: OTel | None = loaded
    return result


def reset() -> None:
    """Forget the import's result, so the next call tries again (for tests)."""
    global _loaded
    with _lock:
        _loaded = _UNSET


def _load_once() -> OTel | None:
    global _loaded
    with _lock:
        if _loaded is _UNSET:
            _loaded = _import()
        result: OTel | None = _loaded
        return result


def _import() -> OTel | None:
    try:
        from opentelemetry import metrics, trace
    except ImportError:
        return None
    return OTel(
        trace=trace,
        metrics=metrics,
        inactive_tracer_providers=(trace.ProxyTracerProvider, trace.NoOpTracerProvider),
        inactive_meter_providers=_inactive_meter_providers(metrics),
    )


def _inactive_meter_providers(metrics: ModuleType) -> tuple[type, ...]:
    """The providers that record nothing: the no-op one, and the stand-in the API hands out
    until an application sets its own (instruments made on it would be made twice)."""
    found: list[type] = [metrics.NoOpMeterProvider]
    try:
        from opentelemetry.metrics._internal import _ProxyMeterProvider
    except ImportError:  # a later API that moved it: the stand-in then counts as active
        return tuple(found)
    found.append(_ProxyMeterProvider)
    return tuple(found)
