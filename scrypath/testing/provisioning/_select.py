"""Run the provisioning hook and label the result honestly."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping

import pluggy

from scrypath.errors import ScrypathError
from scrypath.testing.provisioning import hookspecs
from scrypath.testing.provisioning._env import SERVED_BY_ENV, inherited_skips, validate
from scrypath.testing.provisioning.containers import ContainerProvider
from scrypath.testing.provisioning.external import ExternalProvider
from scrypath.testing.provisioning.fake import FakeProvider
from scrypath.testing.provisioning.model import Provisioned, Skip

ENTRY_POINT_GROUP = "scrypath.provisioning"


class NoProviderError(ScrypathError):
    """No provider could serve a Meilisearch; `skipped` says why each passed."""

    reason = "no_meilisearch_provider"

    def __init__(self, skipped: list[Skip]) -> None:
        reasons = "; ".join(f"{s.provider}: {s.reason}" for s in skipped) or "no provider"
        super().__init__(f"no Meilisearch could be provisioned ({reasons})")
        self.skipped = tuple(skipped)


def provider_manager(*, builtins: bool = True, entry_points: bool = True) -> pluggy.PluginManager:
    """A plugin manager with the built-in providers and any installed ones."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    if builtins:
        for provider in (ExternalProvider(), ContainerProvider(), FakeProvider()):
            manager.register(provider, name=provider.name)
    if entry_points:
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    manager.check_pending()
    return manager


def provision(
    env: Mapping[str, str] | None = None, manager: pluggy.PluginManager | None = None
) -> Provisioned:
    """Ask the providers in order and return the first server, labelled with who served."""
    env = os.environ if env is None else env
    validate(env)
    manager = manager or provider_manager()
    skipped: list[Skip] = []
    result: Provisioned | None = manager.hook.scrypath_provision_meilisearch(
        env=env, skipped=skipped
    )
    if result is None:
        raise NoProviderError(skipped)
    served_by = env.get(SERVED_BY_ENV)
    if served_by:
        result = dataclasses.replace(result, provider=served_by, skipped=inherited_skips(env))
    return result
