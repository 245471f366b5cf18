"""Spans: a context manager and a decorator that cost one global read when nothing records.

A span ends with `scrypath.outcome` set: what the code said (`completed`, `accepted`, ...),
else `ok`, or `failed` with the reason tag, its class and the error's type when an exception
leaves it. The span's status is then an error whose description is the reason tag: never the
exception's message, which can quote a value, and never a recorded traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import TracebackType
from typing import Any, ParamSpec, Protocol, TypeVar

from scrypath.telemetry.api import otel
from scrypath.telemetry.attributes import clean, failure
from scrypath.telemetry.providers import tracer

P = ParamSpec("P")
R = TypeVar("R")


class SpanHandle(Protocol):
    """What the body of a `span()` block may do: add attributes once it knows them."""

    def set(self, **values: Any) -> None: ...


class _NoSpan:
    """The span when nothing records: a shared, stateless no-op."""

    __slots__ = ()

    def set(self, **values: Any) -> None:
        return None

    def __enter__(self) -> _NoSpan:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        return None


NO_SPAN = _NoSpan()


class _Span:
    """A recording span, made current for the duration of the block."""

    __slots__ = ("_manager", "_outcome", "_span")

    def __init__(self, found: Any, name: str, attributes: dict[str, Any]) -> None:
        self._manager = found.start_as_current_span(
            name,
            attributes=clean(attributes),
            record_exception=False,
            set_status_on_exception=False,
        )
        self._outcome = "outcome" in attributes
        self._span: Any = None

    def set(self, **values: Any) -> None:
        self._outcome = self._outcome or values.get("outcome") is not None
        self._span.set_attributes(clean(values))

    def __enter__(self) -> _Span:
        self._span = self._manager.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool | None:
        if error is not None:
            self._fail(error)
        elif not self._outcome:
            self._span.set_attribute("scrypath.outcome", "ok")
        result: bool | None = self._manager.__exit__(kind, error, trace)
        return result

    def _fail(self, error: BaseException) -> None:
        described = failure(error)
        self._span.set_attributes(clean(described))
        api = otel()
        if api is not None:
            self._span.set_status(api.trace.Status(api.trace.StatusCode.ERROR, described["reason"]))


def span(name: str, **attributes: Any) -> _NoSpan | _Span:
    """A span named `name` around a block; the block receives a handle to add attributes.

    Keywords are attribute names from `names.ATTRIBUTES`; others and non-plain values are
    dropped. With OpenTelemetry absent or no tracer provider set, this is a shared no-op.
    """
    found = tracer()
    if found is None:
        return NO_SPAN
    return _Span(found, name, attributes)


def operator_command(command: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A `scrypath.operator` span around an operator verb, named by `command`, with the
    model (a class given first) and the model and index the returned report names."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def traced(*args: P.args, **kwargs: P.kwargs) -> R:
            found = tracer()
            if found is None:
                return function(*args, **kwargs)
            subject = args[0] if args else None
            model = subject.__name__ if isinstance(subject, type) else None
            with _Span(found, "scrypath.operator", {"command": command, "model": model}) as made:
                result = function(*args, **kwargs)
                made.set(model=_text(result, "model"), index=_text(result, "index"))
                return result

        return traced

    return decorate


def _text(report: object, name: str) -> str | None:
    value = getattr(report, name, None)
    return value if isinstance(value, str) else None
