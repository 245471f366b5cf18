"""The testcontainers database provider, tested without Docker: set-up, failures, skip reasons.

No Docker engine runs where these tests were written, so nothing here claims a container
ran: the container object is a stand-in, and the ping is either stubbed or the real,
bounded one that reports the missing engine.
"""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from scrypath.testing.provisioning import Skip, postgres_container
from scrypath.testing.provisioning.containers import docker_ping
from scrypath.testing.provisioning.database_env import POSTGRES_IMAGE_ENV
from scrypath.testing.provisioning.postgres_container import (
    DEFAULT_POSTGRES_IMAGE,
    PostgresContainerProvider,
    container_password,
    start_postgres_container,
)


class StandIn:
    """Records what the provider asks of a container."""

    def __init__(self, image: str, password: str, *, fail: str | None = None) -> None:
        self.image = image
        self.password = password
        self.fail = fail
        self.calls: list[str] = []

    def start(self) -> StandIn:
        self.calls.append("start")
        if self.fail is not None:
            raise RuntimeError(self.fail.replace("PASSWORD", self.password))
        return self

    def stop(self) -> None:
        self.calls.append("stop")

    def get_connection_url(self) -> str:
        return f"postgresql+psycopg://scrypath:{self.password}@127.0.0.1:32768/scrypath"


def recording_factory(made: list[StandIn], fail: str | None = None) -> Any:
    def factory(image: str, password: str) -> StandIn:
        made.append(StandIn(image, password, fail=fail))
        return made[-1]

    return factory


def test_the_pinned_image_starts_with_a_fresh_password() -> None:
    made: list[StandIn] = []
    url, stop = start_postgres_container({}, recording_factory(made))
    (container,) = made
    assert container.image == DEFAULT_POSTGRES_IMAGE
    assert len(container.password) == 32
    assert container.password in url
    stop()
    assert container.calls == ["start", "stop"]


def test_the_image_can_be_overridden() -> None:
    made: list[StandIn] = []
    start_postgres_container({POSTGRES_IMAGE_ENV: "postgres:17"}, recording_factory(made))
    assert made[0].image == "postgres:17"


def test_a_container_that_fails_to_start_is_stopped_and_its_password_kept_out() -> None:
    made: list[StandIn] = []
    factory = recording_factory(made, fail="container exited; POSTGRES_PASSWORD=PASSWORD")
    with pytest.raises(RuntimeError) as caught:
        start_postgres_container({}, factory)
    assert made[0].password not in str(caught.value)
    assert "***" in str(caught.value)
    assert made[0].calls == ["start", "stop"]


def test_passwords_are_fresh_and_url_safe() -> None:
    seen = {container_password() for _ in range(50)}
    assert len(seen) == 50
    assert all(len(p) == 32 and p.isalnum() for p in seen)


def test_the_default_container_asks_for_psycopg_and_the_project_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorded: dict[str, Any] = {}

    class PostgresContainer:
        def __init__(self, image: str, **options: Any) -> None:
            recorded.update(options, image=image)

    module = types.ModuleType("testcontainers.community.postgres")
    module.PostgresContainer = PostgresContainer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "testcontainers.community.postgres", module)
    postgres_container.default_postgres_container("postgres:16-alpine", "pw")
    assert recorded == {
        "image": "postgres:16-alpine",
        "username": "scrypath",
        "password": "pw",
        "dbname": "scrypath",
        "driver": "psycopg",
    }


def provider(
    ping: str | None,
    start: Callable[[Mapping[str, str]], tuple[str, Callable[[], None]]] | None = None,
) -> PostgresContainerProvider:
    def started(env: Mapping[str, str]) -> tuple[str, Callable[[], None]]:
        return "postgresql+psycopg://scrypath:pw@127.0.0.1:1/scrypath", lambda: None

    return PostgresContainerProvider(
        ping=lambda timeout, env: ping, start=start or started, probe=lambda url: "16.4"
    )


def test_no_engine_skips_with_the_pings_reason() -> None:
    skipped: list[Skip] = []
    result = provider("no Docker engine: DOCKER_HOST is unset").scrypath_provision_database(
        env={}, skipped=skipped
    )
    assert result is None
    assert skipped == [Skip("testcontainers", "no Docker engine: DOCKER_HOST is unset")]


def test_a_container_that_does_not_start_skips_with_the_error() -> None:
    def broken(env: Mapping[str, str]) -> tuple[str, Callable[[], None]]:
        raise RuntimeError("pull access denied")

    skipped: list[Skip] = []
    assert provider(None, broken).scrypath_provision_database(env={}, skipped=skipped) is None
    assert skipped == [
        Skip("testcontainers", "the container did not start (RuntimeError: pull access denied)")
    ]


def test_an_engine_that_answers_serves_a_labelled_container() -> None:
    skipped = [Skip("external", "unset"), Skip("cluster", "no binaries")]
    result = provider(None).scrypath_provision_database(env={}, skipped=skipped)
    assert result is not None
    assert (result.provider, result.kind, result.version) == (
        "testcontainers",
        "throwaway container",
        "16.4",
    )
    assert result.skipped == tuple(skipped)
    assert "pw@" not in result.describe()


def test_without_the_postgres_extra_the_container_is_not_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postgres_container, "driver_missing", lambda: "no driver")
    skipped: list[Skip] = []
    assert provider(None).scrypath_provision_database(env={}, skipped=skipped) is None
    assert skipped == [Skip("testcontainers", "no driver")]


def test_the_real_ping_here_is_bounded_and_gives_a_reason() -> None:
    started = time.monotonic()
    reason = docker_ping(1.0, {"DOCKER_HOST": "tcp://127.0.0.1:9"})
    assert time.monotonic() - started < 5
    assert reason is not None and "docker" in reason.lower()
