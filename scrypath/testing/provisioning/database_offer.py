"""The steps every throwaway-database provider shares: honour a pin, probe what it started.

A cluster and a container start differently, but once either has a URL and a stopper
the rest is the same: ask the server its version, stop it again when it does not
answer, and record a skip, rather than an error, when it could not serve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning.database_env import database_pinned_elsewhere
from scrypath.testing.provisioning.database_model import ProvisionedDatabase
from scrypath.testing.provisioning.model import Skip

Serve = Callable[[tuple[Skip, ...]], ProvisionedDatabase | str]


def offer_database(
    provider: str, env: Mapping[str, str], skipped: list[Skip], serve: Serve
) -> ProvisionedDatabase | None:
    """What `serve` provisioned, or None after recording why `provider` passed."""
    pinned = database_pinned_elsewhere(env, provider)
    if pinned is not None:
        skipped.append(pinned)
        return None
    served = serve(tuple(skipped))
    if isinstance(served, str):
        skipped.append(Skip(provider, served))
        return None
    return served


def probe_started(
    provider: str,
    kind: str,
    what: str,
    started: tuple[str, Callable[[], None]],
    probe: Callable[[str], str],
    skipped: tuple[Skip, ...],
) -> ProvisionedDatabase | str:
    """The started `what` (cluster, container) with its version; or why not, once stopped."""
    url, stop = started
    try:
        version = probe(url)
    except ConfigurationError as exc:
        stop()
        return f"the {what} started but did not answer ({exc})"
    return ProvisionedDatabase(provider, url, kind, version, skipped, close=stop)
