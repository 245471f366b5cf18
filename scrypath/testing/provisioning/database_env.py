"""The environment variables of database provisioning, read and written in one place."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from scrypath.testing.provisioning.database_model import ProvisionedDatabase
from scrypath.testing.provisioning.model import Skip
from scrypath.testing.provisioning.pinning import forced_choice, pinned_skip
from scrypath.testing.provisioning.postgres_url import parse

DATABASE_URL_ENV = "SCRYPATH_TEST_DATABASE_URL"
DATABASE_PROVIDER_ENV = "SCRYPATH_TEST_DATABASE_PROVIDER"
REQUIRE_POSTGRES_ENV = "SCRYPATH_TEST_REQUIRE_POSTGRES"
POSTGRES_BIN_ENV = "SCRYPATH_TEST_POSTGRES_BIN"
POSTGRES_IMAGE_ENV = "SCRYPATH_TEST_POSTGRES_IMAGE"
# Set by a parent process (a verify run) that already chose, so that a child reports
# who really served (a throwaway cluster, not "an external URL") and why the others passed.
DATABASE_SERVED_BY_ENV = "SCRYPATH_TEST_DATABASE_SERVED_BY"

DATABASE_PROVIDERS = ("external", "cluster", "testcontainers", "sqlite")
_TRUE = frozenset({"1", "true", "yes", "on"})


def checked_database_url(env: Mapping[str, str]) -> str | None:
    """The URL in `SCRYPATH_TEST_DATABASE_URL`, or None when unset; malformed values fail."""
    raw = env.get(DATABASE_URL_ENV, "").strip()
    if not raw:
        return None
    parse(raw, DATABASE_URL_ENV)
    return raw


def forced_database_provider(env: Mapping[str, str]) -> str | None:
    """The provider an operator pinned, if any; an unknown name is an error."""
    return forced_choice(env, DATABASE_PROVIDER_ENV, DATABASE_PROVIDERS)


def database_pinned_elsewhere(env: Mapping[str, str], provider: str) -> Skip | None:
    """A skip for `provider` when the operator pinned another one, else None."""
    return pinned_skip(forced_database_provider(env), provider)


def postgres_required(env: Mapping[str, str]) -> bool:
    """Whether `SCRYPATH_TEST_REQUIRE_POSTGRES` turns a missing PostgreSQL into a failure."""
    return env.get(REQUIRE_POSTGRES_ENV, "").strip().lower() in _TRUE


def validate_database_env(env: Mapping[str, str]) -> None:
    """Fail fast on a malformed database variable, before any test runs."""
    checked_database_url(env)
    forced_database_provider(env)


@dataclass(frozen=True, slots=True)
class ServedBy:
    """A parent's choice as a child sees it: who served (None: nobody) and who passed."""

    provider: str | None
    kind: str | None
    skipped: tuple[Skip, ...]


def served_by(env: Mapping[str, str]) -> ServedBy | None:
    """The choice a parent process handed down, or None when this process chooses itself."""
    raw = env.get(DATABASE_SERVED_BY_ENV)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        skipped = tuple(Skip(str(i["provider"]), str(i["reason"])) for i in data["skipped"])
        provider, kind = data.get("provider"), data.get("kind")
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return ServedBy(str(provider) if provider else None, str(kind) if kind else None, skipped)


def handoff_database_environment(
    provisioned: ProvisionedDatabase | None, skipped: tuple[Skip, ...] = ()
) -> dict[str, str]:
    """Variables that make a child process use what this process provisioned.

    The child reaches the same server through its URL, and reports the parent's
    provider and kind. With no PostgreSQL, the child is pinned to SQLite and repeats
    the parent's reasons instead of trying again.
    """
    if provisioned is None:
        record: dict[str, object] = {
            "provider": None,
            "kind": None,
            "skipped": [s.to_json() for s in skipped],
        }
        return {DATABASE_PROVIDER_ENV: "sqlite", DATABASE_SERVED_BY_ENV: json.dumps(record)}
    record = {
        "provider": provisioned.provider,
        "kind": provisioned.kind,
        "skipped": [s.to_json() for s in provisioned.skipped],
    }
    return {
        DATABASE_URL_ENV: provisioned.url,
        DATABASE_PROVIDER_ENV: "external",
        DATABASE_SERVED_BY_ENV: json.dumps(record),
    }
