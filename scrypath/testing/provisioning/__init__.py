"""Pick the Meilisearch (and the PostgreSQL) that tests and verify phases run against.

The order is fixed: an explicit URL from the environment, then a throwaway
container where a Docker engine answers, then scrypath's own fake. Each provider
that passes says why, and the result always names who served, so a run on the
fake never reads as a run against a real Meilisearch. The database counterpart
(`provision_database`) asks an explicit URL, a throwaway cluster and a container.
"""

from __future__ import annotations

from scrypath.testing.provisioning._env import (
    FORCE_ENV,
    IMAGE_ENV,
    KEY_ENV,
    SERVED_BY_ENV,
    SKIPPED_ENV,
    URL_ENV,
    handoff_environment,
)
from scrypath.testing.provisioning._select import (
    NoProviderError,
    provider_manager,
    provision,
)
from scrypath.testing.provisioning.database import (
    NoDatabaseError,
    database_manager,
    provision_database,
)
from scrypath.testing.provisioning.database_env import (
    DATABASE_PROVIDER_ENV,
    DATABASE_SERVED_BY_ENV,
    DATABASE_URL_ENV,
    REQUIRE_POSTGRES_ENV,
    handoff_database_environment,
)
from scrypath.testing.provisioning.database_model import ProvisionedDatabase
from scrypath.testing.provisioning.hookspecs import hookimpl
from scrypath.testing.provisioning.model import Provisioned, Skip

__all__ = [
    "DATABASE_PROVIDER_ENV",
    "DATABASE_SERVED_BY_ENV",
    "DATABASE_URL_ENV",
    "FORCE_ENV",
    "IMAGE_ENV",
    "KEY_ENV",
    "REQUIRE_POSTGRES_ENV",
    "SERVED_BY_ENV",
    "SKIPPED_ENV",
    "URL_ENV",
    "NoDatabaseError",
    "NoProviderError",
    "Provisioned",
    "ProvisionedDatabase",
    "Skip",
    "database_manager",
    "handoff_database_environment",
    "handoff_environment",
    "hookimpl",
    "provider_manager",
    "provision",
    "provision_database",
]
