"""Settings that depend on each other are checked together, where they are set.

The rules: `queue_lease_seconds` > `task_timeout`, `queue_backoff_cap` >= `queue_backoff_base`,
`max_poll_interval` >= `poll_interval`, over the values in effect (environment, then
`configure()`, then the call), defaults filling the rest.
"""

from __future__ import annotations

import dataclasses
import operator
import os
from collections.abc import Callable
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrypath.config import (
    ENVIRONMENT,
    MAX_SECONDS,
    Config,
    configure,
    reset_configuration,
    resolve,
)
from scrypath.errors import ConfigurationError

pytestmark = pytest.mark.usefixtures("clean_configuration")

Rule = tuple[str, str, Callable[[float, float], bool]]
# (subject, other, holds): the relation `subject` must keep with `other`.
RULES: list[Rule] = [
    ("queue_lease_seconds", "task_timeout", operator.gt),
    ("queue_backoff_cap", "queue_backoff_base", operator.ge),
    ("max_poll_interval", "poll_interval", operator.ge),
]
# Settings that keep every rule whatever the one under test is set to.
RELAXED = {
    "queue_lease_seconds": MAX_SECONDS,
    "task_timeout": 1e-3,
    "queue_backoff_cap": MAX_SECONDS,
    "queue_backoff_base": 1e-3,
    "max_poll_interval": MAX_SECONDS,
    "poll_interval": 1e-3,
}
DEFAULTS = Config()
SECONDS = st.floats(min_value=1e-3, max_value=MAX_SECONDS)


def test_a_lease_shorter_than_the_task_wait_fails_at_configure() -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(queue_lease_seconds=10)
    message = str(caught.value)
    assert message.startswith("configure(queue_lease_seconds=...): ")
    assert "queue_lease_seconds (10s, from configure())" in message
    assert "task_timeout (30s, the default)" in message
    assert caught.value.context["key"] == "queue_lease_seconds"
    assert resolve().queue_lease_seconds == 60.0


def test_raising_the_task_wait_past_the_default_lease_blames_the_task_wait() -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(task_timeout=90)
    assert caught.value.context["key"] == "task_timeout"
    assert "queue_lease_seconds (60s, the default)" in str(caught.value)
    configure(task_timeout=90, queue_lease_seconds=120)
    assert (resolve().task_timeout, resolve().queue_lease_seconds) == (90.0, 120.0)


def test_poll_interval_above_its_maximum_fails_at_configure() -> None:
    with pytest.raises(ConfigurationError) as caught:
        configure(poll_interval=1.0)
    assert caught.value.context["key"] == "poll_interval"
    assert "max_poll_interval (0.5s, the default)" in str(caught.value)
    configure(poll_interval=1.0, max_poll_interval=4.0)
    assert resolve().poll_interval == 1.0


def test_configure_is_cumulative_and_a_failed_call_changes_nothing() -> None:
    configure(queue_lease_seconds=20, task_timeout=10)
    with pytest.raises(ConfigurationError) as caught:
        configure(task_timeout=25)
    assert "queue_lease_seconds (20s, from configure())" in str(caught.value)
    assert resolve().task_timeout == 10.0
    configure(queue_lease_seconds=None)
    assert resolve().queue_lease_seconds == 60.0


def test_going_back_to_a_default_is_checked_too() -> None:
    configure(task_timeout=90, queue_lease_seconds=120)
    with pytest.raises(ConfigurationError, match="queue_lease_seconds \\(60s, the default\\)"):
        configure(queue_lease_seconds=None)
    assert resolve().queue_lease_seconds == 120.0


def test_a_bad_combination_in_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCRYPATH_TASK_TIMEOUT", "120")
    with pytest.raises(ConfigurationError) as caught:
        resolve()
    assert str(caught.value).startswith("SCRYPATH_TASK_TIMEOUT: ")
    assert caught.value.context["variable"] == "SCRYPATH_TASK_TIMEOUT"
    with pytest.raises(ConfigurationError):
        configure(sync_mode="inline")


def test_configure_can_repair_an_environment_combination(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRYPATH_TASK_TIMEOUT", "120")
    configure(queue_lease_seconds=300)
    config = resolve()
    assert (config.task_timeout, config.queue_lease_seconds) == (120.0, 300.0)


def test_a_call_override_can_repair_or_break_a_combination() -> None:
    configure(queue_lease_seconds=40, task_timeout=30)
    assert resolve(queue_lease_seconds=200, task_timeout=100).task_timeout == 100.0
    with pytest.raises(ConfigurationError) as caught:
        resolve(task_timeout=45)
    message = str(caught.value)
    assert message.startswith("task_timeout=... (given to this call): ")
    assert "queue_lease_seconds (40s, from configure())" in message
    assert caught.value.context["key"] == "task_timeout"


def test_the_later_layer_is_blamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRYPATH_QUEUE_BACKOFF_CAP", "30")
    with pytest.raises(ConfigurationError) as caught:
        configure(queue_backoff_base=60)
    assert caught.value.context["key"] == "queue_backoff_base"
    assert "queue_backoff_cap (30s, from SCRYPATH_QUEUE_BACKOFF_CAP)" in str(caught.value)
    assert "variable" not in caught.value.context


def test_config_itself_and_replace_keep_the_rules() -> None:
    with pytest.raises(ConfigurationError, match=r"^Config\(queue_lease_seconds=\.\.\.\)"):
        Config(task_timeout=60, queue_lease_seconds=60)
    with pytest.raises(ConfigurationError, match="max_poll_interval"):
        dataclasses.replace(DEFAULTS, max_poll_interval=0.01)
    assert dataclasses.replace(DEFAULTS, max_poll_interval=DEFAULTS.poll_interval)


@given(rule=st.sampled_from(RULES), subject=SECONDS, other=SECONDS)
def test_each_rule_holds_exactly_where_configure_accepts(
    rule: Rule, subject: float, other: float
) -> None:
    name, other_name, holds = rule
    settings = {**RELAXED, name: subject, other_name: other}
    try:
        configure(**settings)
    except ConfigurationError as error:
        assert not holds(subject, other)
        assert error.context["key"] == name
        assert name in str(error) and other_name in str(error)
    else:
        assert holds(subject, other)
        assert getattr(resolve(), name) == subject
    finally:
        reset_configuration()


@given(rule=st.sampled_from(RULES), subject=SECONDS, other=SECONDS)
def test_each_rule_holds_in_the_environment(rule: Rule, subject: float, other: float) -> None:
    name, other_name, holds = rule
    settings = {**RELAXED, name: subject, other_name: other}
    environ = {ENVIRONMENT[key]: repr(value) for key, value in settings.items()}
    with mock.patch.dict(os.environ, environ):
        try:
            resolve()
        except ConfigurationError as error:
            assert not holds(subject, other)
            assert error.context["variable"] == ENVIRONMENT[name]
        else:
            assert holds(subject, other)
