"""Foreign errors are translated at one boundary, and every foreign type is covered."""

from __future__ import annotations

import json
import math
import threading
from typing import Any

import meilisearch as meilisearch_client
import meilisearch.errors as client_errors
import pytest
import requests

from scrypath.config import Config, configure
from scrypath.errors import (
    BackendError,
    HTTPError,
    IndexNotFoundError,
    ScrypathError,
    TransportError,
)
from scrypath.meilisearch.boundary import (
    FOREIGN_ERRORS,
    SENDING_ERRORS,
    backend_call,
    translate,
)
from scrypath.meilisearch.client import api_keys_in_use, client_for, forget_clients
from scrypath.meilisearch.raw import search as raw_search
from tests.conftest import closed_port


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


# --- secrets: header values and API keys never reach a translated error ---------------------

KEY = "masterKey-5e3c9a1f0b7d42a8"
UNSENDABLE_KEYS = {
    "newline": f"{KEY}\n",
    "carriage return": f"{KEY}\r",
    "inner line break": f"{KEY[:8]}\r\n{KEY[8:]}",
    "non-Latin-1": f"{KEY}☃",
}
ODD_KEYS = {
    "leading space": f" {KEY}",
    "trailing space": f"{KEY} ",
    "NUL": f"{KEY[:8]}\x00{KEY[8:]}",
    "Latin-1": f"{KEY}é",
}


def chain(error: BaseException) -> list[BaseException]:
    links: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and link not in links:
        links.append(link)
        link = link.__cause__ or link.__context__
    return links


def assert_no_key(error: ScrypathError, key: str) -> None:
    texts = [f"{link} {link!r} {getattr(link, 'args', '')}" for link in chain(error)]
    texts.append(repr(dict(error.context)))
    for form in (key, key.strip(), repr(key)[1:-1], KEY[:8], KEY[8:]):
        assert all(form not in text for text in texts), form


def send_with_key(url: str, key: str) -> None:
    requests.get(f"{url}/version", headers={"Authorization": f"Bearer {key}"}, timeout=5)


@pytest.mark.parametrize("key", UNSENDABLE_KEYS.values(), ids=UNSENDABLE_KEYS.keys())
def test_a_header_the_http_stack_refuses_becomes_a_generic_backend_error(key: str) -> None:
    with pytest.raises(BackendError) as caught, backend_call(index="books"):
        send_with_key(f"http://127.0.0.1:{closed_port()}", key)
    error = caught.value
    assert type(error) is BackendError
    assert "HTTP cannot carry" in str(error)
    assert error.context == {"index": "books"}
    assert error.__cause__ is None and error.__context__ is None
    assert_no_key(error, key)


# One way the HTTP stack raises each sending error type, with nothing listening.
SENDING_CASES = {
    UnicodeEncodeError: lambda url: requests.get(
        url, headers={"Authorization": f"Bearer {KEY}☃"}, timeout=5
    ),
    ValueError: lambda url: requests.get(url, timeout=-1),
}


def test_the_sending_cases_cover_every_sending_error_type() -> None:
    assert set(SENDING_CASES) == set(SENDING_ERRORS)


@pytest.mark.parametrize("foreign", SENDING_ERRORS, ids=lambda cls: cls.__name__)
def test_every_sending_error_type_is_translated_when_the_http_stack_raised_it(
    foreign: type[BaseException],
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/version"
    with pytest.raises(foreign) as raw:
        SENDING_CASES[foreign](url)
    assert type(raw.value) is foreign
    with pytest.raises(BackendError) as caught, backend_call():
        SENDING_CASES[foreign](url)
    assert foreign.__name__ in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_a_value_error_of_our_own_code_passes_through_untranslated() -> None:
    # Encoding a request body is not sending it: callers turn that into an EncodingError.
    with pytest.raises(ValueError, match="Out of range float") as caught, backend_call():
        json.dumps({"price": math.nan}, allow_nan=False)
    assert not isinstance(caught.value, ScrypathError)


def test_an_encode_error_never_shows_its_object() -> None:
    foreign = UnicodeEncodeError("latin-1", f"Bearer {KEY}☃", 33, 34, "ordinal not in range")
    error = translate(foreign, index="books")
    assert type(error) is BackendError
    assert "UnicodeEncodeError" in str(error)
    assert_no_key(error, KEY)


def test_the_configured_key_and_bearer_tokens_are_masked_in_any_message(
    clean_configuration: None,
) -> None:
    configure(meilisearch_api_key=KEY)
    foreign = requests.ConnectionError(f"proxy: no ({KEY}); sent Authorization: Bearer abc.def")
    with pytest.raises(TransportError) as caught, backend_call():
        raise foreign
    assert "proxy: no (***); sent Authorization: Bearer ***" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert_no_key(caught.value, KEY)
    body = f'{{"message":"key {KEY} is not allowed","code":"invalid_api_key","type":"auth"}}'
    assert KEY not in str(translate(api_error(403, body)))


def test_an_answer_without_secrets_keeps_its_cause() -> None:
    cause = requests.ConnectionError("refused")
    with pytest.raises(TransportError) as caught, backend_call():
        raise cause
    assert caught.value.__cause__ is cause


@pytest.mark.parametrize(
    "key", [*UNSENDABLE_KEYS.values(), *ODD_KEYS.values()], ids=[*UNSENDABLE_KEYS, *ODD_KEYS]
)
def test_a_request_with_a_bad_key_fails_typed_and_never_quotes_it(
    meilisearch: Any, key: str
) -> None:
    # Built directly, so the configuration's key check is bypassed on purpose.
    client = meilisearch_client.Client(meilisearch.url, key, timeout=5)
    with pytest.raises(BackendError) as caught, backend_call(operation="version"):
        client.get_version()
    assert_no_key(caught.value, key)


@pytest.mark.parametrize("key", UNSENDABLE_KEYS.values(), ids=UNSENDABLE_KEYS.keys())
def test_a_key_slipped_past_validation_never_reaches_a_scrypath_error(
    meilisearch: Any, clean_configuration: None, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setattr("scrypath.config_values.api_key_problem", lambda key: None)
    configure(meilisearch_url=meilisearch.url, meilisearch_api_key=key, sync_mode="inline")
    with pytest.raises(BackendError) as caught:
        raw_search("anything", {"q": "x"})
    assert caught.value.reason == "backend"
    assert_no_key(caught.value, key)


def test_the_keys_in_use_are_those_of_the_cached_clients() -> None:
    forget_clients()
    assert api_keys_in_use() == frozenset()
    client_for(Config(meilisearch_url="http://127.0.0.1:7700", meilisearch_api_key=KEY))
    assert api_keys_in_use() == {KEY}
    forget_clients()
    assert api_keys_in_use() == frozenset()


def test_forget_clients_drops_the_cached_clients_of_every_thread() -> None:
    config = Config(meilisearch_url="http://127.0.0.1:7700", meilisearch_api_key=KEY)
    mine = client_for(config)
    theirs: dict[str, Any] = {}
    cached, forgotten = threading.Event(), threading.Event()

    def other_thread() -> None:
        theirs["before"] = client_for(config)
        theirs["again"] = client_for(config)
        cached.set()
        forgotten.wait(10)
        theirs["after"] = client_for(config)

    thread = threading.Thread(target=other_thread)
    thread.start()
    assert cached.wait(10)
    forget_clients()
    forgotten.set()
    thread.join(10)
    assert theirs["before"] is theirs["again"]  # cached per thread ...
    assert theirs["before"] is not mine  # ... never shared between threads
    assert theirs["after"] is not theirs["before"]
    assert client_for(config) is not mine


def test_prose_about_bearer_authorization_is_left_alone() -> None:
    message = "The Authorization header is missing. It must use the bearer authorization method."
    body = json.dumps({"message": message, "code": "missing_authorization_header", "type": "auth"})
    error = translate(api_error(401, body))
    assert message in str(error)
