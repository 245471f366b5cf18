"""Database variables, URL checks and skip accounting: bad input fails, secrets never show."""

from __future__ import annotations

import json
import socket
import string
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning import DATABASE_URL_ENV, REQUIRE_POSTGRES_ENV
from scrypath.testing.provisioning.absences import (
    OPENAPI_ENV,
    SkipCounts,
    absence_of,
    openapi_path,
    openapi_skip_reason,
    postgres_skip_reason,
    read_counts,
    write_counts,
)
from scrypath.testing.provisioning.database_env import (
    checked_database_url,
    postgres_required,
    validate_database_env,
)
from scrypath.testing.provisioning.postgres_url import masked, server_version

SECRET = "pw-that-must-not-leak-42"


@pytest.mark.parametrize(
    "value",
    [
        "localhost:5432",
        f"postgresql+psycopg://u:{SECRET}@h:notaport/d",
        f"sqlite:///{SECRET}.db",
        f"mysql://u:{SECRET}@h/d",
        "::::",
    ],
)
def test_a_malformed_or_foreign_url_fails_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigurationError, match=DATABASE_URL_ENV) as caught:
        validate_database_env({DATABASE_URL_ENV: value})
    assert caught.value.reason == "configuration"
    assert SECRET not in str(caught.value)


def test_an_unset_or_blank_url_means_not_set() -> None:
    assert checked_database_url({}) is None
    assert checked_database_url({DATABASE_URL_ENV: "   "}) is None


password_text = st.text(
    alphabet=string.ascii_letters + string.digits + "-_.~", min_size=8, max_size=30
)


@given(password=password_text, junk=st.text(max_size=20))
def test_whatever_the_value_its_password_never_reaches_an_error(password: str, junk: str) -> None:
    assume(password not in junk)
    value = f"postgresql+psycopg://app:{password}@db{junk}:5432/test"
    try:
        url = checked_database_url({DATABASE_URL_ENV: value})
    except ConfigurationError as exc:
        assert f"{password}@" not in str(exc)
        return
    assert url is not None
    assert password not in masked(url)


@given(st.text(max_size=60))
def test_checking_any_text_either_passes_or_raises_a_configuration_error(value: str) -> None:
    try:
        checked_database_url({DATABASE_URL_ENV: value})
    except ConfigurationError as exc:
        assert DATABASE_URL_ENV in str(exc)


def test_a_refused_connection_reports_the_driver_without_the_password() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://app:{SECRET}@127.0.0.1:{port}/app"
    with pytest.raises(ConfigurationError, match="did not answer") as caught:
        server_version(url, timeout=2)
    assert SECRET not in str(caught.value)
    assert "app:***@127.0.0.1" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "required"),
    [("1", True), ("true", True), ("YES", True), ("0", False), ("", False), ("no", False)],
)
def test_the_require_variable_reads_the_usual_spellings(value: str, required: bool) -> None:
    assert postgres_required({REQUIRE_POSTGRES_ENV: value}) is required


def test_skip_reasons_are_recognised_by_what_was_absent(tmp_path: Path) -> None:
    assert absence_of(postgres_skip_reason("cluster: no binaries")) == "postgres"
    assert absence_of("Skipped: " + openapi_skip_reason(tmp_path / "x.json")) == "openapi"
    assert absence_of("SQLite has one writer") is None
    assert OPENAPI_ENV in openapi_skip_reason(tmp_path / "x.json")


def test_the_openapi_path_comes_from_its_variable_else_the_default(tmp_path: Path) -> None:
    default = tmp_path / "default.json"
    assert openapi_path(default, {}) == default
    assert openapi_path(default, {OPENAPI_ENV: "/elsewhere/spec.json"}) == Path(
        "/elsewhere/spec.json"
    )


def test_counts_add_up_and_survive_a_file_round_trip(tmp_path: Path) -> None:
    counts = SkipCounts().add("postgres").add("postgres").add("openapi")
    assert counts + SkipCounts(1, 0) == SkipCounts(3, 1)
    path = tmp_path / "counts.json"
    write_counts(path, counts)
    assert read_counts(path) == counts
    assert counts.postgres_line() == "2 tests skipped for the lack of PostgreSQL"
    assert SkipCounts(1, 1).openapi_line().startswith("1 test skipped for the lack of")


@pytest.mark.parametrize(
    "content", ["", "{", "[]", '{"postgres": -1}', '{"postgres": true}', '{"openapi": "3"}']
)
def test_unreadable_counts_are_reported_as_unknown_or_zero(tmp_path: Path, content: str) -> None:
    path = tmp_path / "counts.json"
    path.write_text(content, encoding="utf-8")
    found = read_counts(path)
    assert found is None or found == SkipCounts()
    assert read_counts(tmp_path / "missing.json") is None


def test_counts_file_is_plain_json(tmp_path: Path) -> None:
    path = tmp_path / "counts.json"
    write_counts(path, SkipCounts(4, 2))
    assert json.loads(path.read_text(encoding="utf-8")) == {"postgres": 4, "openapi": 2}
