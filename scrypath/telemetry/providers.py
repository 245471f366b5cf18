"""Which tracer and instruments scrypath records with, made once per provider.

By default scrypath follows the application's global providers, read on each call, so an
application that sets them after importing scrypath is still heard. `use_providers()` pins
explicit ones instead (for an application that keeps its providers out of the globals, and
for tests). While a provider records nothing (none set yet, or a no-op one), scrypath makes
no spans and no instruments at all.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from scrypath.telemetry.api import otel
from scrypath.telemetry.instruments import Instruments, build
from scrypath.telemetry.names import SCOPE

_pinned: dict[str, Any] = {"tracer": None, "meter": None}
_tracers: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_instruments: weakref.WeakKeyDictionary[Any, Instruments] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def use_providers(*, tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Record with these providers instead of the global ones; None follows the global."""
    with _lock:
        _pinned["tracer"] = tracer_provider
        _pinned["meter"] = meter_provider


def tracer() -> Any:
    """The `scrypath` tracer of the active tracer provider, or None when nothing records."""
    api = otel()
    if api is None:
        return None
    provider = _pinned["tracer"] or api.trace.get_tracer_provider()
    if isinstance(provider, api.inactive_tracer_providers):
        return None
    found = _tracers.get(provider)
    if found is None:
        with _lock:
            found = _tracers.get(provider)
            if found is None:
                found = _tracers[provider] = provider.get_tracer(SCOPE, _version())
    return found


def instruments() -> Instruments | None:
    """The instruments of the active meter provider (made on first use), or None."""
    api = otel()
    if api is None:
        return None
    provider = _pinned["meter"] or api.metrics.get_meter_provider()
    if isinstance(provider, api.inactive_meter_providers):
        return None
    found = _instruments.get(provider)
    if found is None:
        with _lock:
            found = _instruments.get(provider)
            if found is None:
                found = _instruments[provider] = build(provider.get_meter(SCOPE, _version()))
    return found


def _version() -> str:
    from scrypath import __version__

    return __version__
