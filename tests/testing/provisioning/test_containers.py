"""The testcontainers provider, tested without Docker: ping bound, container set-up, health."""

from __future__ import annotations

import sys
import threading
import time
import types
from typing import Any

import pytest

from scrypath.testing.provisioning import IMAGE_ENV, containers


class FakeDockerModule(types.ModuleType):
    def __init__(self, behaviour: str) -> None:
        super().__init__("docker")
        self.behaviour = behaviour
        self.released = threading.Event()

    def from_env(self, timeout: int) -> Any:
        if self.behaviour == "hang":
            self.released.wait(30)
        raise RuntimeError("Error while fetching server API version: connection refused")


def test_ping_reports_a_refused_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docker", FakeDockerModule("refuse"))
    reason = containers.docker_ping(timeout=3.0)
    assert reason is not None
    assert "no Docker engine answered a ping" in reason
    assert "connection refused" in reason


def test_ping_gives_up_at_its_deadline_even_when_the_client_hangs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docker = FakeDockerModule("hang")
    monkeypatch.setitem(sys.modules, "docker", docker)
    started = time.monotonic()
    try:
        reason = containers.docker_ping(timeout=0.5)
    finally:
        docker.released.set()
    assert reason == "no Docker engine answered a ping within 0.5 s"
    assert time.monotonic() - started < 5, "the check must stay bounded"


def test_real_ping_on_this_machine_is_bounded() -> None:
    started = time.monotonic()
    reason = containers.docker_ping()
    elapsed = time.monotonic() - started
    assert elapsed < 5
    if reason is None:
        pytest.skip("a Docker engine answered here; the skip path is covered by the stubs above")
    assert reason.startswith(("no Docker engine", "the docker extra"))


class RecordingContainer:
    def __init__(self, image: str) -> None:
        self.image = image
        self.env: dict[str, str] = {}
        self.ports: tuple[int, ...] = ()
        self.stopped = False

    def with_env(self, key: str, value: str) -> RecordingContainer:
        self.env[key] = value
        return self

    def with_exposed_ports(self, *ports: int) -> RecordingContainer:
        self.ports = ports
        return self

    def start(self) -> RecordingContainer:
        return self

    def stop(self) -> None:
        self.stopped = True

    def get_container_host_ip(self) -> str:
        return "127.0.0.1"

    def get_exposed_port(self, port: int) -> int:
        return 49153


def test_container_uses_the_pinned_image_a_strong_key_and_port_7700(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[RecordingContainer] = []
    monkeypatch.setattr(containers, "wait_healthy", lambda url: None)

    def factory(image: str) -> RecordingContainer:
        made.append(RecordingContainer(image))
        return made[-1]

    url, key, stop = containers.start_container({}, factory)
    (container,) = made
    assert container.image == containers.DEFAULT_IMAGE
    assert container.image.startswith("getmeili/meilisearch:v1.")
    assert container.env["MEILI_MASTER_KEY"] == key
    assert len(key.encode()) >= 16
    assert container.ports == (7700,)
    assert url == "http://127.0.0.1:49153"
    stop()
    assert container.stopped


def test_image_can_be_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(containers, "wait_healthy", lambda url: None)
    made: list[RecordingContainer] = []
    containers.start_container(
        {IMAGE_ENV: "getmeili/meilisearch:v1.40.0"},
        lambda image: made.append(RecordingContainer(image)) or made[-1],
    )
    assert made[0].image == "getmeili/meilisearch:v1.40.0"


def test_an_unhealthy_container_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    def never_healthy(url: str) -> None:
        raise TimeoutError("not healthy")

    monkeypatch.setattr(containers, "wait_healthy", never_healthy)
    made: list[RecordingContainer] = []
    with pytest.raises(TimeoutError):
        containers.start_container(
            {}, lambda image: made.append(RecordingContainer(image)) or made[-1]
        )
    assert made[0].stopped


def test_master_keys_are_fresh_and_long_enough() -> None:
    keys = {containers.master_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(key) >= 16 for key in keys)
