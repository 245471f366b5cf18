"""The provisioning hook: each provider is a plugin answering one call."""

from __future__ import annotations

from collections.abc import Mapping

import pluggy

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
