"""The testcontainers provider, tested without Docker: ping bound, container set-up, health."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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


@contextmanager
def unix_engine(tmp_path: Path, answer: bytes | None) -> Iterator[str]:
    """A listener on a Unix socket that answers pings with `answer`, or never answers."""
    path = tmp_path / "engine.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = server.accept()
            held.append(conn)
            conn.recv(256)
            if answer is not None:
                conn.sendall(answer)
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"unix://{path}"
    finally:
        server.close()
        for conn in held:
            conn.close()
        thread.join(5)


def test_no_endpoint_means_no_engine() -> None:
    reason = containers.docker_ping(env={})
    if containers.docker_endpoint({}) is not None:
        pytest.skip("this machine has a Docker socket")
    assert reason == "no Docker engine: DOCKER_HOST is unset and no Docker socket exists"


def test_an_engine_that_answers_200_passes_the_ping(tmp_path: Path) -> None:
    with unix_engine(tmp_path, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK") as host:
        assert containers.docker_ping(timeout=3.0, env={"DOCKER_HOST": host}) is None


def test_an_endpoint_that_answers_otherwise_fails_the_ping(tmp_path: Path) -> None:
    with unix_engine(tmp_path, b"HTTP/1.1 500 Internal Server Error\r\n\r\n") as host:
        reason = containers.docker_ping(timeout=3.0, env={"DOCKER_HOST": host})
    assert reason is not None and "did not answer the ping with 200" in reason


def test_a_silent_engine_is_given_up_at_the_deadline(tmp_path: Path) -> None:
    started = time.monotonic()
    with unix_engine(tmp_path, None) as host:
        reason = containers.docker_ping(timeout=0.5, env={"DOCKER_HOST": host})
    assert reason is not None and "no Docker engine answered a ping" in reason
    assert time.monotonic() - started < 5, "the check must stay bounded"


def test_a_refused_tcp_engine_is_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reason = containers.docker_ping(env={"DOCKER_HOST": f"tcp://127.0.0.1:{port}"})
    assert reason is not None and "ConnectionRefusedError" in reason


def test_an_unknown_docker_host_scheme_is_reported() -> None:
    reason = containers.docker_ping(env={"DOCKER_HOST": "ssh://builder"})
    assert reason is not None and "unsupported DOCKER_HOST scheme 'ssh'" in reason


def test_a_tls_engine_is_pinged_through_the_sdk_within_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docker = FakeDockerModule("hang")
    monkeypatch.setitem(sys.modules, "docker", docker)
    env = {"DOCKER_HOST": "tcp://10.0.0.1:2376", "DOCKER_TLS_VERIFY": "1"}
    started = time.monotonic()
    try:
        reason = containers.docker_ping(timeout=0.5, env=env)
    finally:
        docker.released.set()
    assert reason == "no Docker engine answered a ping within 0.5 s"
    assert time.monotonic() - started < 5


def test_real_ping_on_this_machine_is_bounded() -> None:
    started = time.monotonic()
    reason = containers.docker_ping()
    assert time.monotonic() - started < 5
    if reason is None:
        pytest.skip("a Docker engine answered here; the skip path is covered above")
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
