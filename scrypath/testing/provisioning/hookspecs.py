"""The provisioning hook: each provider is a plugin answering one call."""

from __future__ import annotations

from collections.abc import Mapping

import pluggy

from scrypath.testing.provisioning.database_model import ProvisionedDatabase
from scrypath.testing.provisioning.model import Provisioned, Skip

PROJECT = "scrypath.provisioning"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(firstresult=True)
def scrypath_provision_meilisearch(
    env: Mapping[str, str], skipped: list[Skip]
) -> Provisioned | None:
    """Fires once per test session or verify run, until one provider serves.

    A provider returns a running server, or appends a `Skip` saying why it
    passed and returns `None` so the next provider is asked. Providers are
    asked from the most explicit (an operator's URL) to the last resort (the
    fake). `skipped` already holds the reasons of the providers asked before.
    """


@hookspec(firstresult=True)
def scrypath_provision_database(
    env: Mapping[str, str], skipped: list[Skip]
) -> ProvisionedDatabase | None:
    """Fires once per test session or verify run that needs PostgreSQL, until one serves.

    Like the Meilisearch hook: a provider returns a running PostgreSQL, or appends a
    `Skip` saying why it passed and returns `None`. Providers are asked from the
    operator's URL to a throwaway cluster to a container; when none serves, the run
    has SQLite only and says so.
    """
