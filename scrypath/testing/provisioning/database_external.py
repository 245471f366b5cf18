"""The external database provider: a PostgreSQL the operator points at with a URL."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning.database_env import (
    DATABASE_URL_ENV,
    checked_database_url,
    database_pinned_elsewhere,
)
from scrypath.testing.provisioning.database_model import ProvisionedDatabase
from scrypath.testing.provisioning.hookspecs import hookimpl
from scrypath.testing.provisioning.model import Skip
from scrypath.testing.provisioning.postgres_url import driver_missing, server_version


class ExternalDatabaseProvider:
    """Serves when `SCRYPATH_TEST_DATABASE_URL` is set; a URL that does not answer is an error."""

    name = "external"
    kind = "external URL"

    def __init__(self, probe: Callable[[str], str] = server_version) -> None:
        self._probe = probe

    @hookimpl(tryfirst=True)
    def scrypath_provision_database(
        self, env: Mapping[str, str], skipped: list[Skip]
    ) -> ProvisionedDatabase | None:
        url = checked_database_url(env)
        pinned = database_pinned_elsewhere(env, self.name)
        if pinned is not None:
            skipped.append(pinned)
            return None
        if url is None:
            skipped.append(Skip(self.name, f"{DATABASE_URL_ENV} is not set"))
            return None
        missing = driver_missing()
        if missing is not None:
            raise ConfigurationError(f"{DATABASE_URL_ENV} is set but {missing}")
        try:
            version = self._probe(url)
        except ConfigurationError as exc:
            message = f"{DATABASE_URL_ENV}: {exc}"
            raise ConfigurationError(message, variable=DATABASE_URL_ENV) from None
        return ProvisionedDatabase(self.name, url, self.kind, version, skipped=tuple(skipped))
