from __future__ import annotations

import math
import os
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from scrypath.config import (
    ALIASES,
    ENVIRONMENT,
    KEYS,
    MAX_SECONDS,
    Config,
    configure,
    from_environment,
    reset_configuration,
    resolve,
)
from scrypath.errors import ConfigurationError

SECRET = "sk-live-3f9a0c1d2e"


pytestmark = pytest.mark.usefixtures("clean_configuration")


def test_defaults_suit_production_and_leave_the_sync_mode_unset() -> None:
    config = resolve()
    assert config.sync_mode is None
    assert (config.task_timeout, config.bulk_task_timeout) == (30.0, 600.0)
    assert (config.poll_interval, config.max_poll_interval) == (0.05, 0.5)
    assert config.http_timeout == 10.0
    assert config.ensure_index_on_first_sync is True


def test_syncing_without_a_mode_says_how_to_choose_one() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve().require_sync_mode()
    message = str(caught.value)
    assert "SCRYPATH_SYNC_MODE" in message
    assert "configure(sync_mode=" in message
    assert caught.value.context["key"] == "sync_mode"


def test_missing_url_and_session_factory_say_how_to_set_them() -> None:
    with pytest.raises(ConfigurationError, match="SCRYPATH_MEILISEARCH_URL"):
        resolve().require_url()
    with pytest.raises(ConfigurationError, match="session_factory"):
        resolve().require_session_factory()


def test_environment_then_configure_then_call_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRYPATH_SYNC_MODE", "manual")
    monkeypatch.setenv("SCRYPATH_TASK_TIMEOUT", "12.5")
    monkeypatch.setenv("SCRYPATH_INDEX_PREFIX", "env_")
    assert resolve().sync_mode == "manual"
    configure(sync_mode="queue", index_prefix="app_")
    config = resolve(index_prefix="call_")
    assert (config.sync_mode, config.index_prefix, config.task_timeout) == (
        "queue",
        "call_",
        12.5,
    )


def test_a_none_override_means_not_given() -> None:
    configure(sync_mode="inline")
    assert resolve(sync_mode=None).sync_mode == "inline"


def test_configure_none_falls_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRYPATH_SYNC_MODE", "manual")
    configure(sync_mode="inline")
    configure(sync_mode=None)
    assert resolve().sync_mode == "manual"


def test_reset_configuration_forgets_configure() -> None:
    configure(sync_mode="inline")
    reset_configuration()
    assert resolve().sync_mode is None


def test_every_environment_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "SCRYPATH_MEILISEARCH_URL": "https://search.example.com/",
        "SCRYPATH_MEILISEARCH_API_KEY": SECRET,
        "SCRYPATH_INDEX_PREFIX": "staging_",
        "SCRYPATH_SYNC_MODE": " Queue ",
        "SCRYPATH_TASK_TIMEOUT": "5",
        "SCRYPATH_BULK_TASK_TIMEOUT": "900",
        "SCRYPATH_POLL_INTERVAL": "0.1",
        "SCRYPATH_MAX_POLL_INTERVAL": "2",
        "SCRYPATH_HTTP_TIMEOUT": "3",
        "SCRYPATH_ENSURE_INDEX_ON_FIRST_SYNC": "no",
    }
    for variable, value in values.items():
        monkeypatch.setenv(variable, value)
    assert resolve() == Config(
        meilisearch_url="https://search.example.com",
        meilisearch_api_key=SECRET,
        index_prefix="staging_",
        sync_mode="queue",
        task_timeout=5.0,
        bulk_task_timeout=900.0,
        poll_interval=0.1,
        max_poll_interval=2.0,
        http_timeout=3.0,
        ensure_index_on_first_sync=False,
    )


def test_an_empty_environment_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRYPATH_TASK_TIMEOUT", "  ")
    assert resolve().task_timeout == 30.0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SCRYPATH_TASK_TIMEOUT", "soon"),
        ("SCRYPATH_TASK_TIMEOUT", "-1"),
        ("SCRYPATH_HTTP_TIMEOUT", "inf"),
        ("SCRYPATH_POLL_INTERVAL", "0"),
        ("SCRYPATH_SYNC_MODE", "eventually"),
        ("SCRYPATH_ENSURE_INDEX_ON_FIRST_SYNC", "maybe"),
        ("SCRYPATH_MEILISEARCH_URL", "ftp://search.example.com"),
        ("SCRYPATH_INDEX_PREFIX", "bad prefix"),
    ],
)
def test_a_malformed_variable_is_named_in_the_error(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        resolve()
    assert variable in str(caught.value)
    assert caught.value.context["variable"] == variable


def test_an_unknown_key_is_named_with_the_closest_valid_key() -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(sync_mod="inline")
    assert "'sync_mod'" in str(caught.value)
    assert "did you mean 'sync_mode'?" in str(caught.value)
    assert caught.value.context["key"] == "sync_mod"
    with pytest.raises(ConfigurationError, match="unknown key 'zzz'"):
        resolve(zzz=1)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("meilisearch_url", "localhost:7700"),
        ("meilisearch_url", "http://"),
        ("meilisearch_url", "http://host:99999"),
        ("meilisearch_url", 7700),
        ("sync_mode", "INLINE"),
        ("task_timeout", 0),
        ("task_timeout", True),
        ("bulk_task_timeout", math.nan),
        ("poll_interval", "0.1"),
        ("index_prefix", "a/b"),
        ("index_prefix", "x" * 401),
        ("ensure_index_on_first_sync", "true"),
        ("session_factory", "sessionmaker"),
        ("meilisearch_api_key", ""),
        ("meilisearch_url", "http://search example.com"),
        ("meilisearch_url", "http://search.example.com/\n"),
        ("http_timeout", MAX_SECONDS * 2),
        ("queue_retention_seconds", 10**400),
        ("queue_lease_seconds", -math.inf),
        ("outbox_url", b"sqlite://"),
    ],
)
def test_invalid_values_are_rejected_at_configure_time(key: str, value: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(**{key: value})
    assert caught.value.context["key"] == key


def test_a_url_with_credentials_is_rejected_without_echoing_them() -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(meilisearch_url=f"https://admin:{SECRET}@search.example.com")
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value.context)


def test_the_api_key_is_masked_in_repr_and_describe() -> None:
    config = resolve(meilisearch_api_key=SECRET, meilisearch_url="http://127.0.0.1:7700")
    assert SECRET not in repr(config)
    assert "meilisearch_api_key='***'" in repr(config)
    assert config.describe()["meilisearch_api_key"] == "***"
    assert config.meilisearch_api_key == SECRET


def test_a_bad_api_key_type_is_reported_without_its_value() -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(meilisearch_api_key=["not", SECRET])
    assert SECRET not in str(caught.value)


def test_config_itself_validates_and_normalizes() -> None:
    with pytest.raises(ConfigurationError):
        Config(task_timeout=-5)
    config = Config(meilisearch_url="http://127.0.0.1:7700/", task_timeout=2)
    assert config.meilisearch_url == "http://127.0.0.1:7700"
    assert isinstance(config.task_timeout, float)


def test_session_factory_is_accepted_and_described_by_name() -> None:
    def make_session() -> Session:
        return Session()

    config = resolve(session_factory=make_session)
    assert config.require_session_factory() is make_session
    assert config.describe()["session_factory"].endswith("make_session")


def test_keys_and_environment_cover_the_config_fields() -> None:
    assert set(ENVIRONMENT) == set(KEYS) - {"session_factory"}
    assert set(ALIASES.values()) <= set(KEYS)
    assert not set(ALIASES) & set(KEYS)


@pytest.mark.parametrize("seconds", [1e-3, 1, 3600, MAX_SECONDS])
def test_durations_up_to_ten_years_are_accepted(seconds: float) -> None:
    configure(queue_retention_seconds=seconds, bulk_task_timeout=seconds)
    assert resolve().queue_retention_seconds == float(seconds)


def test_a_huge_whole_number_is_refused_without_printing_it() -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(queue_max_attempts=10**5000)
    assert "too large to show" in str(caught.value)


# What an environment variable can hold: any text but NUL and lone surrogates.
ENVIRONMENT_TEXT = st.text(
    st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=40
)


@given(variable=st.sampled_from(sorted(ENVIRONMENT.values())), text=ENVIRONMENT_TEXT)
def test_any_environment_text_parses_or_names_its_variable(variable: str, text: str) -> None:
    with mock.patch.dict(os.environ, {variable: text}):
        try:
            resolve()
        except ConfigurationError as error:
            assert variable in str(error)
            assert error.context["variable"] == variable


KEY_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", max_size=40)


@given(key=KEY_TEXT.map("KEY".__add__))
def test_an_api_key_from_the_environment_never_reaches_a_repr(key: str) -> None:
    config = Config(**from_environment({"SCRYPATH_MEILISEARCH_API_KEY": key}))
    assert key not in repr(config)
    assert key not in repr(config.describe())
