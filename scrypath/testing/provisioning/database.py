"""Pick the PostgreSQL that tests and verify runs use, and label the result honestly.

The order is fixed: `SCRYPATH_TEST_DATABASE_URL`, then a throwaway cluster from local
server binaries, then a testcontainers PostgreSQL where Docker answers. When none
serves, the run has SQLite only: tests that need PostgreSQL skip with one recognisable
reason (or fail, when PostgreSQL is required), and every summary counts them.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping

import pluggy

from scrypath.errors import ScrypathError
from scrypath.testing.provisioning import hookspecs
from scrypath.testing.provisioning.absences import postgres_skip_reason
from scrypath.testing.provisioning.database_env import (
    DATABASE_URL_ENV,
    REQUIRE_POSTGRES_ENV,
    served_by,
    validate_database_env,
)
from scrypath.testing.provisioning.database_external import ExternalDatabaseProvider
from scrypath.testing.provisioning.database_model import ProvisionedDatabase
from scrypath.testing.provisioning.model import Skip
from scrypath.testing.provisioning.postgres_cluster import ClusterProvider
from scrypath.testing.provisioning.postgres_container import PostgresContainerProvider

ENTRY_POINT_GROUP = "scrypath.provisioning"


class NoDatabaseError(ScrypathError):
    """No provider could serve a PostgreSQL; `skipped` says why each passed."""

    reason = "no_postgres_provider"

    def __init__(self, skipped: tuple[Skip, ...] | list[Skip]) -> None:
        self.skipped = tuple(skipped)
        super().__init__(f"no PostgreSQL could be provisioned ({self.reasons})")

    @property
    def reasons(self) -> str:
        return "; ".join(f"{s.provider}: {s.reason}" for s in self.skipped) or "no provider"

    def skip_reason(self) -> str:
        """The reason every test that needs PostgreSQL skips with; the summaries count it."""
        return postgres_skip_reason(self.reasons)

    def required_message(self) -> str:
        """The failure when PostgreSQL was required: what was tried, and how to provide one."""
        return (
            f"PostgreSQL is required ({REQUIRE_POSTGRES_ENV}=1 or --require-postgres) but none"
            f" could be provisioned. Tried, in order: {self.reasons}. Set {DATABASE_URL_ENV},"
            " or install the PostgreSQL server binaries (initdb, pg_ctl)."
        )


def database_manager(*, builtins: bool = True, entry_points: bool = True) -> pluggy.PluginManager:
    """A plugin manager with the built-in database providers and any installed ones."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    if builtins:
        providers = (ExternalDatabaseProvider(), ClusterProvider(), PostgresContainerProvider())
        for provider in providers:
            manager.register(provider, name=f"database-{provider.name}")
    if entry_points:
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    manager.check_pending()
    return manager


def provision_database(
    env: Mapping[str, str] | None = None, manager: pluggy.PluginManager | None = None
) -> ProvisionedDatabase:
    """Ask the providers in order and return the first PostgreSQL, labelled with who served.

    Raises `NoDatabaseError` (with every provider's reason) when none serves.
    """
    env = os.environ if env is None else env
    validate_database_env(env)
    manager = manager or database_manager()
    skipped: list[Skip] = []
    result: ProvisionedDatabase | None = manager.hook.scrypath_provision_database(
        env=env, skipped=skipped
    )
    parent = served_by(env)
    if result is None:
        raise NoDatabaseError(parent.skipped if parent is not None else skipped)
    if parent is not None and parent.provider is not None:
        result = dataclasses.replace(
            result,
            provider=parent.provider,
            kind=parent.kind or result.kind,
            skipped=parent.skipped,
        )
    return result
