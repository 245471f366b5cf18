"""The testcontainers database provider: a throwaway `postgres` container where Docker runs.

It is asked only after the explicit URL and the local cluster, and only when a Docker
engine answers a ping within a few seconds (the same bounded ping the Meilisearch
container provider uses).
"""

from __future__ import annotations

import contextlib
import functools
import secrets
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from scrypath.testing.provisioning.containers import PING_TIMEOUT_S, docker_ping
from scrypath.testing.provisioning.database_env import POSTGRES_IMAGE_ENV
from scrypath.testing.provisioning.database_model import ProvisionedDatabase
from scrypath.testing.provisioning.database_offer import offer_database, probe_started
from scrypath.testing.provisioning.hookspecs import hookimpl
from scrypath.testing.provisioning.model import Skip
from scrypath.testing.provisioning.postgres_url import driver_missing, server_version

DEFAULT_POSTGRES_IMAGE = "postgres:16-alpine"
DATABASE_NAME = "scrypath"
USER_NAME = "scrypath"


class DatabaseContainer(Protocol):
    """The part of testcontainers' `PostgresContainer` this provider uses."""

    def start(self) -> Any: ...
    def stop(self) -> None: ...
    def get_connection_url(self) -> str: ...


def container_password() -> str:
    """A fresh password of 32 hex characters: URL-safe, so it needs no quoting."""
    return secrets.token_hex(16)


def default_postgres_container(image: str, password: str) -> DatabaseContainer:
    try:
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:  # testcontainers releases before the community namespace
        from testcontainers.postgres import PostgresContainer
    container: DatabaseContainer = PostgresContainer(
        image, username=USER_NAME, password=password, dbname=DATABASE_NAME, driver="psycopg"
    )
    return container


def start_postgres_container(
    env: Mapping[str, str],
    factory: Callable[[str, str], DatabaseContainer] = default_postgres_container,
) -> tuple[str, Callable[[], None]]:
    """Start the image with a fresh password; return the URL and a stopper."""
    password = container_password()
    container = factory(env.get(POSTGRES_IMAGE_ENV) or DEFAULT_POSTGRES_IMAGE, password)
    try:
        container.start()
    except Exception as exc:
        with contextlib.suppress(Exception):  # a container that started but never got ready
            container.stop()
        # Whatever the engine echoes back, the password stays out of the skip reason.
        raise RuntimeError(str(exc).replace(password, "***")) from None
    try:
        url = container.get_connection_url()
    except BaseException:
        container.stop()
        raise
    return url, container.stop


class PostgresContainerProvider:
    """Serves a fresh PostgreSQL container when a Docker engine answers."""

    name = "testcontainers"
    kind = "throwaway container"

    def __init__(
        self,
        ping: Callable[[float, Mapping[str, str]], str | None] = docker_ping,
        start: Callable[[Mapping[str, str]], tuple[str, Callable[[], None]]] = (
            start_postgres_container
        ),
        probe: Callable[[str], str] = server_version,
        ping_timeout: float = PING_TIMEOUT_S,
    ) -> None:
        self._ping = ping
        self._start = start
        self._probe = probe
        self._ping_timeout = ping_timeout

    @hookimpl(trylast=True)
    def scrypath_provision_database(
        self, env: Mapping[str, str], skipped: list[Skip]
    ) -> ProvisionedDatabase | None:
        return offer_database(self.name, env, skipped, functools.partial(self._serve, env))

    def _serve(
        self, env: Mapping[str, str], skipped: tuple[Skip, ...]
    ) -> ProvisionedDatabase | str:
        missing = driver_missing()
        if missing is not None:
            return missing
        reason = self._ping(self._ping_timeout, env)
        if reason is not None:
            return reason
        try:
            started = self._start(env)
        except Exception as exc:
            return f"the container did not start ({type(exc).__name__}: {exc})"
        return probe_started(self.name, self.kind, "container", started, self._probe, skipped)
