"""The one place where foreign errors become scrypath errors.

Everything that talks to Meilisearch runs inside `backend_call(...)`, so the
official client's and the HTTP stack's exceptions never leak to callers. The
context given to `backend_call` (index, model, operation) lands on the error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

from scrypath.errors import (
    BackendError,
    HTTPError,
    IndexNotFoundError,
    ScrypathError,
    TransportError,
)

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


def translate(exc: BaseException, **context: Any) -> ScrypathError:
    """Map a foreign exception to its scrypath error, keeping the context."""
    if isinstance(exc, ScrypathError):
        return exc
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


def _api_error(exc: MeilisearchApiError, context: dict[str, Any]) -> ScrypathError:
    code = exc.code if isinstance(exc.code, str) else None
    status = exc.status_code
    if code == "index_not_found":
        return IndexNotFoundError(exc.message, status=status, code=code, **context)
    detail = f" ({code})" if code else ""
    return HTTPError(
        f"Meilisearch answered HTTP {status}{detail}: {exc.message}",
        status=status,
        code=code,
        **context,
    )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    return text.splitlines()[0][:300]


@contextmanager
def backend_call(**context: Any) -> Iterator[None]:
    """Run a block that talks to Meilisearch; foreign errors leave it translated."""
    try:
        yield
    except FOREIGN_ERRORS as exc:
        raise translate(exc, **context) from exc
