"""An API key must be usable as an HTTP header value, and no error ever quotes it.

The rule: one or more visible ASCII characters (`!` to `~`), so no whitespace anywhere, no
control characters, nothing outside ASCII. It holds for `configure()`, per-call overrides,
the environment, `Config(...)` itself, and the client cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrypath.config import Config, api_key_problem, configure, from_environment, resolve
from scrypath.errors import ConfigurationError, ScrypathError
from scrypath.meilisearch.client import client_for

pytestmark = pytest.mark.usefixtures("clean_configuration")

VARIABLE = "SCRYPATH_MEILISEARCH_API_KEY"
BODY = "masterKey-5e3c9a1f0b7d42a8"
BAD_KEYS = {
    "trailing newline": f"{BODY}\n",
    "trailing carriage return": f"{BODY}\r",
    "inner newline": f"{BODY[:8]}\n{BODY[8:]}",
    "leading space": f" {BODY}",
    "trailing space": f"{BODY} ",
    "inner space": f"{BODY[:8]} {BODY[8:]}",
    "tab": f"{BODY}\t",
    "NUL": f"{BODY[:8]}\x00{BODY[8:]}",
    "DEL": f"{BODY}\x7f",
    "Latin-1 letter": f"{BODY}é",
    "non-Latin-1 letter": f"{BODY}☃",
    "no-break space": f"{BODY}\xa0",
    "only whitespace inside": " \n ",
}


def shown(error: ScrypathError) -> str:
    return " ".join([str(error), repr(error), repr(dict(error.context)), repr(error.args)])


def assert_hidden(error: ScrypathError, key: str) -> None:
    text = shown(error)
    forms = {key, key.strip(), repr(key)[1:-1], BODY, BODY[:8], BODY[8:]}
    for form in forms:
        if form.strip():  # whitespace alone reveals nothing, and is in every message
            assert form not in text


def via_configure(key: str) -> Any:
    configure(meilisearch_api_key=key)


def via_override(key: str) -> Any:
    return resolve(meilisearch_api_key=key)


def via_config(key: str) -> Any:
    return Config(meilisearch_api_key=key)


@pytest.mark.parametrize("key", BAD_KEYS.values(), ids=BAD_KEYS.keys())
@pytest.mark.parametrize(
    "setter", [via_configure, via_override, via_config], ids=["configure", "override", "Config"]
)
def test_a_key_that_is_no_header_value_is_refused_without_being_quoted(
    setter: Callable[[str], Any], key: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        setter(key)
    assert caught.value.context["key"] == "meilisearch_api_key"
    assert "the key itself is not shown" in str(caught.value)
    assert_hidden(caught.value, key)


@pytest.mark.parametrize(
    "key", [key for key in BAD_KEYS.values() if key.strip() and "\x00" not in key]
)
def test_a_bad_key_in_the_environment_names_the_variable_not_the_key(key: str) -> None:
    with mock.patch.dict(os.environ, {VARIABLE: key}), pytest.raises(ConfigurationError) as caught:
        resolve()
    assert str(caught.value).startswith(f"{VARIABLE}: ")
    assert caught.value.context["variable"] == VARIABLE
    assert_hidden(caught.value, key)


def test_a_nul_in_the_environment_is_refused_too() -> None:
    # The OS cannot hold NUL in a variable; parse the mapping directly.
    with pytest.raises(ConfigurationError) as caught:
        from_environment({VARIABLE: BAD_KEYS["NUL"]})
    assert caught.value.context["variable"] == VARIABLE
    assert_hidden(caught.value, BAD_KEYS["NUL"])


def test_a_whitespace_only_variable_still_counts_as_unset() -> None:
    with mock.patch.dict(os.environ, {VARIABLE: " \n"}):
        assert resolve().meilisearch_api_key is None


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (f"{BODY}\n", "starts or ends with whitespace"),
        (f"{BODY[:4]}\r\n{BODY[4:]}", "line break"),
        (f"{BODY[:4]}\x00{BODY[4:]}", "control character"),
        (f"{BODY}☃", "outside ASCII"),
        (f"{BODY[:4]} {BODY[4:]}", "whitespace"),
        ("", "empty"),
    ],
)
def test_the_error_says_what_is_wrong(key: str, problem: str) -> None:
    assert problem in (api_key_problem(key) or "")


def test_a_key_of_another_type_is_refused_by_type_only() -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(meilisearch_api_key=BODY.encode())
    assert "got bytes" in str(caught.value)
    assert_hidden(caught.value, BODY)


def test_keys_meilisearch_issues_are_accepted() -> None:
    hex_key = "d0552b41536279a0ad88bd595327b96f01176a60c2243e906c52ac02375f9bc4"
    tenant_token = "eyJhbGciOiJIUzI1NiJ9.eyJzZWFyY2hSdWxlcyI6WyIqIl19.c2lnbmF0dXJl_-"
    for key in (hex_key, tenant_token, "masterKey!#$%&'*+~"):
        configure(meilisearch_api_key=key)
        assert resolve().meilisearch_api_key == key


@given(key=st.text(max_size=80))
def test_a_key_is_accepted_exactly_when_it_is_visible_ascii(key: str) -> None:
    visible = bool(key) and all("!" <= char <= "~" for char in key)
    try:
        config = resolve(meilisearch_api_key=key)
    except ConfigurationError as error:
        assert not visible
        assert api_key_problem(key) is not None
        if len(key.strip()) >= 8:  # long enough not to occur in the message by chance
            assert key.strip() not in shown(error)
    else:
        assert visible
        assert api_key_problem(key) is None
        assert config.meilisearch_api_key == key
        key.encode("latin-1")  # what the HTTP stack does with a header value


@given(key=st.text(st.characters(codec="ascii"), min_size=1, max_size=80))
def test_the_environment_follows_the_same_rule(key: str) -> None:
    try:
        values = from_environment({VARIABLE: key})
    except ConfigurationError as error:
        assert api_key_problem(key) is not None
        assert error.context["variable"] == VARIABLE
    else:
        assert values.get("meilisearch_api_key") in (None, key)
        assert (api_key_problem(key) is None) == (values.get("meilisearch_api_key") == key)


def test_the_client_cache_refuses_a_key_slipped_into_a_config() -> None:
    config = Config(meilisearch_url="http://127.0.0.1:7700", meilisearch_api_key=BODY)
    object.__setattr__(config, "meilisearch_api_key", BAD_KEYS["trailing newline"])
    with pytest.raises(ConfigurationError) as caught:
        client_for(config)
    assert_hidden(caught.value, BAD_KEYS["trailing newline"])
