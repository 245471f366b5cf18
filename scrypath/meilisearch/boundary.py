"""The one place where foreign errors become scrypath errors.

Everything that talks to Meilisearch runs inside `backend_call(...)`, so the
official client's and the HTTP stack's exceptions never leak to callers. The
context given to `backend_call` (index, model, operation) lands on the error.

No translated error may carry a secret. The HTTP stack quotes a header value it
refuses, and that value holds the API key, so such refusals (and a `ValueError`
or `UnicodeEncodeError` the stack raises while sending) become a generic message;
any other text has the API keys in use and bearer tokens masked. When the foreign
error held a secret it is not chained to the translated one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import requests
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

from scrypath.config import resolve
from scrypath.errors import (
    BackendError,
    HTTPError,
    IndexNotFoundError,
    ScrypathError,
    TransportError,
)
from scrypath.meilisearch.client import api_keys_in_use

# Every foreign exception family, most specific first; a test checks that each
# class the client and requests define is caught by one of these.
FOREIGN_ERRORS: tuple[type[BaseException], ...] = (
    MeilisearchApiError,
    MeilisearchTimeoutError,
    MeilisearchCommunicationError,
    MeilisearchError,
    requests.RequestException,
    ConnectionError,
    TimeoutError,
)
SENDING_ERRORS: tuple[type[BaseException], ...] = (UnicodeEncodeError, ValueError)
"""Foreign only when the HTTP stack raised them while sending; elsewhere they pass through."""

_HTTP_STACK = ("requests", "urllib3", "http.client")
# A bearer token: a word after "Bearer" that is not plain prose (it holds a non-letter).
_BEARER = re.compile(r"(?i)\b(bearer)\s+(?=[^\s'\"]*[^A-Za-z\s'\"])[^\s'\"]+")
_MASK = "***"
_UNSENDABLE = (
    "the request to Meilisearch could not be sent: HTTP cannot carry a header or other "
    "value in it ({kind}); the value is not shown, as it may hold the API key, which must be "
    "visible ASCII characters only, with no spaces or line breaks"
)


def translate(exc: BaseException, **context: Any) -> ScrypathError:
    """Map a foreign exception to its scrypath error, keeping the context."""
    if isinstance(exc, ScrypathError):
        return exc
    if _unsendable(exc):
        return BackendError(_UNSENDABLE.format(kind=type(exc).__name__), **context)
    if isinstance(exc, MeilisearchApiError):
        return _api_error(exc, context)
    if isinstance(exc, MeilisearchTimeoutError):
        # scrypath waits for tasks itself, so the client raises this only when an HTTP
        # request went unanswered: a transport failure, not a task still running.
        return TransportError(
            f"Meilisearch did not answer within the HTTP timeout: {_first_line(exc)}", **context
        )
    if isinstance(exc, MeilisearchCommunicationError | requests.RequestException | OSError):
        return TransportError(f"could not reach Meilisearch: {_first_line(exc)}", **context)
    return BackendError(f"Meilisearch client error: {_first_line(exc)}", **context)


def scrub(text: str) -> str:
    """`text` with bearer tokens and the API keys in use (in any quoted form) masked."""
    text = _BEARER.sub(rf"\1 {_MASK}", text)
    for form in sorted(_secret_forms(), key=len, reverse=True):
        text = text.replace(form, _MASK)
    return text


def backend_call(**context: Any) -> _BackendCall:
    """Run a block that talks to Meilisearch; foreign errors leave it translated."""
    return _BackendCall(context)


class _BackendCall:
    """The context manager behind `backend_call`; a class, so a secret-bearing cause can be
    cut from the translated error entirely (`__cause__` and `__context__`)."""

    __slots__ = ("_context",)

    def __init__(self, context: dict[str, Any]) -> None:
        self._context = context

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if exc is None or not _foreign(exc):
            return
        error = translate(exc, **self._context)
        if not _exposes_secret(exc):
            raise error from exc
        del exc, trace
        try:
            raise error from None
        finally:
            error.__context__ = None


def _foreign(exc: BaseException) -> bool:
    if isinstance(exc, FOREIGN_ERRORS):
        return True
    return isinstance(exc, SENDING_ERRORS) and _raised_while_sending(exc)


def _raised_while_sending(exc: BaseException) -> bool:
    """Whether the HTTP stack raised `exc`, rather than code that prepares a request."""
    trace = exc.__traceback__
    while trace is not None:
        module = str(trace.tb_frame.f_globals.get("__name__", ""))
        if module.startswith(_HTTP_STACK):
            return True
        trace = trace.tb_next
    return False


def _unsendable(exc: BaseException) -> bool:
    """A refused header value, or a value the stack could not encode: texts that quote it."""
    if isinstance(exc, requests.exceptions.InvalidHeader):
        return True
    return isinstance(exc, ValueError) and not isinstance(exc, requests.RequestException)


def _exposes_secret(exc: BaseException) -> bool:
    forms = _secret_forms()
    for link in _chain(exc):
        if _unsendable(link):
            return True
        text = _text(link)
        if _BEARER.search(text) or any(form in text for form in forms):
            return True
    return False


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen and len(seen) < 32:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _secret_forms() -> set[str]:
    """Each API key in use as it may appear in a message: raw, stripped, or escaped."""
    keys = set(api_keys_in_use())
    try:
        configured = resolve().meilisearch_api_key
    except ScrypathError:
        configured = None
    if configured is not None:
        keys.add(configured)
    forms = set()
    for key in keys:
        forms |= {key, key.strip(), repr(key)[1:-1], ascii(key)[1:-1]}
    forms.discard("")
    return forms


def _api_error(exc: MeilisearchApiError, context: dict[str, Any]) -> ScrypathError:
    code = exc.code if isinstance(exc.code, str) else None
    status = exc.status_code
    message = scrub(str(exc.message))
    if code == "index_not_found":
        return IndexNotFoundError(message, status=status, code=code, **context)
    detail = f" ({code})" if code else ""
    return HTTPError(
        f"Meilisearch answered HTTP {status}{detail}: {message}",
        status=status,
        code=code,
        **context,
    )


def _text(exc: BaseException) -> str:
    try:
        return f"{exc} {getattr(exc, 'message', '')}"
    except Exception:  # a foreign __str__ that fails tells us nothing
        return ""


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    return scrub(text.splitlines()[0])[:300]
