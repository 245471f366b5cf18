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
from collections.abc import Callable
from typing import Any, TypeVar

from scrypath.telemetry.api import otel
from scrypath.telemetry.instruments import Instruments, build
from scrypath.telemetry.names import SCOPE

_pinned: dict[str, Any] = {"tracer": None, "meter": None}
_tracers: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_instruments: weakref.WeakKeyDictionary[Any, Instruments] = weakref.WeakKeyDictionary()
_lock = threading.Lock()

Made = TypeVar("Made")


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
    if found is not None:
        return found
    return _made_once(_tracers, provider, lambda: provider.get_tracer(SCOPE, _version()))


def instruments() -> Instruments | None:
    """The instruments of the active meter provider (made on first use), or None."""
    api = otel()
    if api is None:
        return None
    provider = _pinned["meter"] or api.metrics.get_meter_provider()
    if isinstance(provider, api.inactive_meter_providers):
        return None
    found = _instruments.get(provider)
    if found is not None:
        return found
    return _made_once(_instruments, provider, lambda: build(provider.get_meter(SCOPE, _version())))


def _made_once(
    cache: weakref.WeakKeyDictionary[Any, Made], provider: Any, make: Callable[[], Made]
) -> Made:
    """What `make` builds for `provider`, built once however many threads ask at first (the
    callers look in `cache` first, so a hit costs no lock and no closure)."""
    with _lock:
        found = cache.get(provider)
        if found is None:
            found = cache[provider] = make()
    return found


def _version() -> str:
    from scrypath import __version__

    return __version__
