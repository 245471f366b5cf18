"""Pick the Meilisearch that tests and verify phases run against.

The order is fixed: an explicit URL from the environment, then a throwaway
container where a Docker engine answers, then scrypath's own fake. Each provider
that passes says why, and the result always names who served, so a run on the
fake never reads as a run against a real Meilisearch.
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
from scrypath.testing.provisioning.hookspecs import hookimpl
from scrypath.testing.provisioning.model import Provisioned, Skip

__all__ = [
    "FORCE_ENV",
    "IMAGE_ENV",
    "KEY_ENV",
    "SERVED_BY_ENV",
    "SKIPPED_ENV",
    "URL_ENV",
    "NoProviderError",
    "Provisioned",
    "Skip",
    "handoff_environment",
    "hookimpl",
    "provider_manager",
    "provision",
]
