"""The queue's configuration keys: parsed from the environment, validated, never leaking."""

from __future__ import annotations

import os
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine

from scrypath.config import (
    ALIASES,
    ENVIRONMENT,
    configure,
    from_environment,
    resolve,
)
from scrypath.errors import ConfigurationError

QUEUE_VARIABLES = {key: ENVIRONMENT[key] for key in ENVIRONMENT if key.startswith("queue_")}
PASSWORD = "pg-s3cret-Passw0rd"


pytestmark = pytest.mark.usefixtures("clean_configuration")


def test_queue_defaults() -> None:
    config = resolve()
    assert config.outbox_url is None
    assert config.queue_max_attempts == 8
    assert (config.queue_backoff_base, config.queue_backoff_cap) == (15.0, 3600.0)
    assert config.queue_lease_seconds == 60.0
    assert config.queue_retention_seconds == 7 * 24 * 3600


def test_queue_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRYPATH_QUEUE_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("SCRYPATH_QUEUE_BACKOFF_BASE", "0.5")
    monkeypatch.setenv("SCRYPATH_QUEUE_BACKOFF_CAP", "60")
    monkeypatch.setenv("SCRYPATH_QUEUE_LEASE_SECONDS", "45")
    monkeypatch.setenv("SCRYPATH_QUEUE_RETENTION_SECONDS", "3600")
    monkeypatch.setenv("SCRYPATH_OUTBOX_URL", "sqlite:///outbox.db")
    config = resolve()
    assert config.queue_max_attempts == 3
    assert (config.queue_backoff_base, config.queue_backoff_cap) == (0.5, 60.0)
    assert (config.queue_lease_seconds, config.queue_retention_seconds) == (45.0, 3600.0)
    assert config.outbox_url == "sqlite:///outbox.db"
    assert config.outbox == config.outbox_url  # the older attribute name still reads it


@pytest.mark.parametrize("value", [-1, 0, 101, 2.5, True, "8"])
def test_max_attempts_must_be_a_whole_number_from_1_to_100(value: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(queue_max_attempts=value)
    assert caught.value.context["key"] == "queue_max_attempts"


@pytest.mark.parametrize(
    "settings",
    [
        {"queue_backoff_base": 0},
        {"queue_backoff_base": -1},
        {"queue_backoff_cap": float("inf")},
        {"queue_backoff_base": 100.0, "queue_backoff_cap": 10.0},
        {"queue_backoff_cap": 1.0},
        {"queue_lease_seconds": 0},
        {"queue_lease_seconds": 10},
        {"queue_lease_seconds": 30},
        {"task_timeout": 60},
        {"queue_retention_seconds": -5},
        {"queue_retention_seconds": 1e12},
    ],
)
def test_bad_backoff_and_lease_settings_fail_at_configure(settings: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        configure(**settings)


def test_a_backoff_cap_below_its_base_names_both_keys() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve(queue_backoff_base=30.0, queue_backoff_cap=10.0)
    assert "queue_backoff_cap" in str(caught.value)
    assert "queue_backoff_base" in str(caught.value)


def test_a_backoff_cap_below_its_base_in_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCRYPATH_QUEUE_BACKOFF_CAP", "2")
    with pytest.raises(ConfigurationError) as caught:
        resolve()
    assert caught.value.context["variable"] == "SCRYPATH_QUEUE_BACKOFF_CAP"


def test_the_outbox_url_password_never_shows() -> None:
    url = f"postgresql+psycopg://app:{PASSWORD}@db.internal:5432/app"
    config = resolve(outbox_url=url)
    assert PASSWORD not in repr(config)
    assert PASSWORD not in repr(config.describe())
    assert config.describe()["outbox_url"] == "postgresql+psycopg://app:***@db.internal:5432/app"
    engine = create_engine(url)
    assert PASSWORD not in repr(resolve(outbox_url=engine).describe())


@pytest.mark.parametrize("name", ["outbox_url", "outbox"])
@pytest.mark.parametrize("value", ["not a url", 42, ["sqlite://"]])
def test_a_bad_outbox_is_refused(name: str, value: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(**{name: value})
    assert caught.value.context["key"] == "outbox_url"
    assert str(caught.value).startswith("configure(outbox_url=...): ")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (f"postgresql//app:{PASSWORD}@db/app", "'postgresql//app:***@db/app'"),
        (f"postgresql://app:{PASSWORD}/app", "'postgresql://app:***/app'"),
        (
            f"postgresql+psycopg://app:{PASSWORD}@db:port/app",
            "'postgresql+psycopg://app:***@db:port/app'",
        ),
        (f"app:{PASSWORD}@db", "'app:***@db'"),
        ("not a url", "'not a url'"),
    ],
)
def test_a_bad_outbox_url_is_named_with_its_password_masked(typed: str, shown: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(outbox_url=typed)
    message = str(caught.value)
    assert message == (
        f"configure(outbox_url=...): {shown} is not a SQLAlchemy database URL "
        "(dialect+driver://...)"
    )
    assert PASSWORD not in repr(caught.value.context)


def test_a_bad_outbox_url_variable_is_named_with_its_password_masked() -> None:
    with pytest.raises(ConfigurationError) as caught:
        from_environment({"SCRYPATH_OUTBOX_URL": f"postgresql//app:{PASSWORD}@db/app"})
    assert str(caught.value).startswith("SCRYPATH_OUTBOX_URL: 'postgresql//app:***@db/app' is not")
    assert caught.value.context["variable"] == "SCRYPATH_OUTBOX_URL"


def test_outbox_is_an_alias_of_outbox_url() -> None:
    assert ALIASES == {"outbox": "outbox_url"}
    configure(outbox="sqlite:///a.db")
    assert resolve().outbox_url == "sqlite:///a.db"
    assert resolve(outbox="sqlite:///b.db").outbox_url == "sqlite:///b.db"
    assert resolve(outbox=None, outbox_url="sqlite:///c.db").outbox_url == "sqlite:///c.db"
    configure(outbox=None)
    assert resolve().outbox_url is None


def test_both_names_at_once_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="another name for 'outbox_url'"):
        configure(outbox="sqlite:///a.db", outbox_url="sqlite:///b.db")
    with pytest.raises(ConfigurationError, match="give only one"):
        resolve(outbox="sqlite:///a.db", outbox_url="sqlite:///b.db")


def test_a_typo_of_the_old_name_suggests_the_new_one() -> None:
    with pytest.raises(ConfigurationError, match="did you mean 'outbox_url'"):
        configure(outbx="sqlite://")


ENVIRONMENT_TEXT = st.text(
    st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=40
)


@given(
    variable=st.sampled_from(sorted([*QUEUE_VARIABLES.values(), "SCRYPATH_OUTBOX_URL"])),
    text=ENVIRONMENT_TEXT,
)
def test_any_queue_variable_text_parses_or_names_its_variable(variable: str, text: str) -> None:
    with mock.patch.dict(os.environ, {variable: text}):
        try:
            resolve()
        except ConfigurationError as error:
            assert variable in str(error)
            assert error.context["variable"] == variable


@given(attempts=st.integers(min_value=-(10**6), max_value=10**6))
def test_max_attempts_from_the_environment(attempts: int) -> None:
    variable = "SCRYPATH_QUEUE_MAX_ATTEMPTS"
    if 1 <= attempts <= 100:
        assert from_environment({variable: f" {attempts} "})["queue_max_attempts"] == attempts
    else:
        with pytest.raises(ConfigurationError, match=variable):
            from_environment({variable: str(attempts)})


def test_an_outbox_whose_driver_is_missing_is_a_configuration_error() -> None:
    from scrypath.config import resolve
    from scrypath.errors import ConfigurationError
    from scrypath.queue.database import outbox_engine

    config = resolve(outbox_url="mysql://user:secret-pw@db.invalid/app")
    with pytest.raises(ConfigurationError, match="driver 'MySQLdb' is not installed") as info:
        outbox_engine(config)
    assert "secret-pw" not in str(info.value)
