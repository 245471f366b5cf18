"""The testcontainers provider: a throwaway `getmeili/meilisearch` where Docker runs.

It is asked only when a Docker engine answers a ping within a few seconds, so a
machine without Docker pays for one short, bounded check.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from scrypath.testing.provisioning._env import IMAGE_ENV, forced_provider, pinned_elsewhere
from scrypath.testing.provisioning.hookspecs import hookimpl
from scrypath.testing.provisioning.model import Provisioned, Skip

DEFAULT_IMAGE = "getmeili/meilisearch:v1.53.0"
MEILISEARCH_PORT = 7700
PING_TIMEOUT_S = 3.0
HEALTH_TIMEOUT_S = 60.0


class Container(Protocol):
    """The part of a testcontainers container this provider uses."""

    def with_env(self, key: str, value: str) -> Any: ...
    def with_exposed_ports(self, *ports: int) -> Any: ...
    def start(self) -> Any: ...
    def stop(self) -> None: ...
    def get_container_host_ip(self) -> str: ...
    def get_exposed_port(self, port: int) -> int | str: ...


def docker_endpoint(env: Mapping[str, str]) -> str | None:
    """Where the Docker engine should listen: `DOCKER_HOST`, else the usual sockets."""
    host = env.get("DOCKER_HOST", "").strip()
    if host:
        return host
    for candidate in (Path("/var/run/docker.sock"), Path.home() / ".docker/run/docker.sock"):
        if candidate.exists():
            return f"unix://{candidate}"
    return None


def docker_ping(
    timeout: float = PING_TIMEOUT_S, env: Mapping[str, str] | None = None
) -> str | None:
    """None when a Docker engine answered `GET /_ping` within `timeout`, else why not.

    The ping speaks HTTP on the engine's socket directly: it is bounded by one
    deadline and leaves no client or socket behind. An engine behind TLS is
    pinged through the Docker SDK in a thread joined with the same deadline.
    """
    env = os.environ if env is None else env
    if importlib.util.find_spec("testcontainers") is None:
        return "the docker extra is not installed (pip install 'scrypath[docker]')"
    endpoint = docker_endpoint(env)
    if endpoint is None:
        return "no Docker engine: DOCKER_HOST is unset and no Docker socket exists"
    if env.get("DOCKER_TLS_VERIFY"):
        return _sdk_ping(timeout)
    try:
        answer = _raw_ping(endpoint, timeout)
    except (OSError, ValueError) as exc:
        return f"no Docker engine answered a ping at {endpoint} ({type(exc).__name__}: {exc})"
    if not answer.startswith(b"HTTP/1.") or b" 200 " not in answer.split(b"\r\n", 1)[0]:
        return f"the Docker endpoint {endpoint} did not answer the ping with 200"
    return None


def _raw_ping(endpoint: str, timeout: float) -> bytes:
    scheme, _, rest = endpoint.partition("://")
    if scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address: Any = rest
    elif scheme in ("tcp", "http"):
        host, _, port = rest.rstrip("/").rpartition(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        address = (host, int(port))
    else:
        raise ValueError(f"unsupported DOCKER_HOST scheme {scheme!r}")
    with sock:
        sock.settimeout(timeout)
        sock.connect(address)
        sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        return sock.recv(256)


def _sdk_ping(timeout: float) -> str | None:
    import docker

    outcome: list[str | None] = []

    def ping() -> None:
        try:
            client = docker.from_env(timeout=max(1, int(timeout)))
            try:
                client.ping()
            finally:
                client.close()
            outcome.append(None)
        except Exception as exc:
            outcome.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")

    worker = threading.Thread(target=ping, name="scrypath-docker-ping", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        return f"no Docker engine answered a ping within {timeout:g} s"
    if outcome[0] is not None:
        return f"no Docker engine answered a ping ({outcome[0]})"
    return None


def default_container(image: str) -> Container:
    from testcontainers.core.container import DockerContainer

    container: Container = DockerContainer(image)
    return container


def master_key() -> str:
    """A fresh key of 32 URL-safe characters (24 random bytes); Meilisearch wants 16+ bytes."""
    return secrets.token_urlsafe(24)


def wait_healthy(url: str, *, timeout: float = HEALTH_TIMEOUT_S, interval: float = 0.25) -> None:
    """Poll `/health` until Meilisearch says it is available."""
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if b"available" in response.read():
                    return
        except OSError as exc:
            last_error = str(exc)
        time.sleep(interval)
    raise TimeoutError(f"Meilisearch at {url} was not healthy after {timeout:g} s ({last_error})")


def start_container(
    env: Mapping[str, str], factory: Callable[[str], Container] = default_container
) -> tuple[str, str, Callable[[], None]]:
    """Start the pinned image with a fresh master key; return URL, key and a stopper."""
    key = master_key()
    container = factory(env.get(IMAGE_ENV) or DEFAULT_IMAGE)
    container.with_env("MEILI_MASTER_KEY", key)
    container.with_env("MEILI_ENV", "development")
    container.with_env("MEILI_NO_ANALYTICS", "true")
    container.with_exposed_ports(MEILISEARCH_PORT)
    container.start()
    try:
        host = container.get_container_host_ip()
        url = f"http://{host}:{container.get_exposed_port(MEILISEARCH_PORT)}"
        wait_healthy(url)
    except BaseException:
        container.stop()
        raise
    return url, key, container.stop


class ContainerProvider:
    """Serves a fresh container when a Docker engine answers."""

    name = "testcontainers"

    def __init__(
        self,
        ping: Callable[[float], str | None] = docker_ping,
        start: Callable[[Mapping[str, str]], tuple[str, str, Callable[[], None]]] = start_container,
        ping_timeout: float = PING_TIMEOUT_S,
    ) -> None:
        self._ping = ping
        self._start = start
        self._ping_timeout = ping_timeout

    @hookimpl
    def scrypath_provision_meilisearch(
        self, env: Mapping[str, str], skipped: list[Skip]
    ) -> Provisioned | None:
        pinned = pinned_elsewhere(env, self.name)
        if pinned is not None:
            skipped.append(pinned)
            return None
        forced = forced_provider(env)
        reason = self._ping(self._ping_timeout)
        if reason is None:
            try:
                url, key, stop = self._start(env)
            except Exception as exc:
                if forced == self.name:
                    raise
                reason = f"the container did not start ({type(exc).__name__}: {exc})"
            else:
                served = tuple(skipped)
                return Provisioned(self.name, url, key, real=True, skipped=served, close=stop)
        skipped.append(Skip(self.name, reason))
        return None
