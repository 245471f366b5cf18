"""Foreign errors are translated at one boundary, and every foreign type is covered."""

from __future__ import annotations

from typing import Any

import meilisearch.errors as client_errors
import pytest
import requests

from scrypath.errors import (
    BackendError,
    HTTPError,
    IndexNotFoundError,
    TransportError,
)
from scrypath.meilisearch.boundary import FOREIGN_ERRORS, backend_call, translate


def all_subclasses(root: type[BaseException]) -> set[type[BaseException]]:
    found = {root}
    for sub in root.__subclasses__():
        found |= all_subclasses(sub)
    return found


def api_error(status: int, body: str) -> client_errors.MeilisearchApiError:
    response = requests.Response()
    response.status_code = status
    response._content = body.encode()
    return client_errors.MeilisearchApiError("boom", response)


FOREIGN_ROOTS = (client_errors.MeilisearchError, requests.RequestException)


@pytest.mark.parametrize(
    "foreign",
    sorted(
        {cls for root in FOREIGN_ROOTS for cls in all_subclasses(root)},
        key=lambda cls: cls.__qualname__,
    ),
    ids=lambda cls: cls.__qualname__,
)
def test_every_foreign_error_type_is_caught_by_the_boundary(foreign: type[BaseException]) -> None:
    assert issubclass(foreign, FOREIGN_ERRORS)


@pytest.mark.parametrize(
    ("foreign", "expected"),
    [
        (client_errors.MeilisearchCommunicationError("refused"), TransportError),
        (requests.ConnectionError("reset by peer"), TransportError),
        (requests.Timeout("read timed out"), TransportError),
        (ConnectionResetError("reset"), TransportError),
        (client_errors.MeilisearchTimeoutError("read timed out"), TransportError),
        (client_errors.MeilisearchError("odd"), BackendError),
    ],
)
def test_transport_and_timeout_errors_get_their_reason(
    foreign: BaseException, expected: type[BackendError]
) -> None:
    error = translate(foreign, index="books")
    assert type(error) is expected
    assert error.context["index"] == "books"


def test_http_error_carries_status_and_meilisearch_code() -> None:
    body = '{"message":"bad filter","code":"invalid_search_filter","type":"invalid_request"}'
    error = translate(api_error(400, body), index="books")
    assert isinstance(error, HTTPError)
    assert error.reason == "http_error"
    assert error.status == 400
    assert error.code == "invalid_search_filter"
    assert "bad filter" in str(error)


def test_index_not_found_answer_becomes_its_own_error() -> None:
    body = '{"message":"Index `x` not found.","code":"index_not_found","type":"invalid_request"}'
    error = translate(api_error(404, body))
    assert isinstance(error, IndexNotFoundError)
    assert error.reason == "index_not_found"


def test_a_non_json_error_body_still_translates() -> None:
    error = translate(api_error(502, "<html>bad gateway</html>"))
    assert isinstance(error, HTTPError)
    assert error.status == 502
    assert error.code is None


def test_backend_call_reraises_translated_with_the_cause() -> None:
    cause = requests.ConnectionError("refused")
    with pytest.raises(TransportError) as info, backend_call(index="books", model="Book"):
        raise cause
    assert info.value.__cause__ is cause
    assert info.value.context == {"index": "books", "model": "Book"}


def test_backend_call_lets_unrelated_errors_through() -> None:
    def boom() -> Any:
        raise KeyError("not ours")

    with pytest.raises(KeyError), backend_call():
        boom()
