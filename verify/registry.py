"""Load phase plugins (built-ins first, then entry points) and index their phases by name."""

from __future__ import annotations

from typing import cast

import pluggy

from verify import hookspecs
from verify.model import Phase
from verify.phases import BUILTIN_PLUGINS


class VerifyError(Exception):
    """A usage or set-up problem: reported as one line, exit code 1, no traceback."""


def plugin_manager(*extra_plugins: object) -> pluggy.PluginManager:
    """Built-in phases are registered exactly as installed ones are; nothing loads on import."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for plugin in BUILTIN_PLUGINS:
        manager.register(plugin)
    for plugin in extra_plugins:
        manager.register(plugin)
    manager.load_setuptools_entrypoints(hookspecs.ENTRY_POINT_GROUP)
    manager.check_pending()
    return manager


def collect_phases(manager: pluggy.PluginManager) -> dict[str, Phase]:
    """Every phase by name, in registration order; a name provided twice is an error."""
    phases: dict[str, Phase] = {}
    owners: dict[str, str] = {}
    for impl in manager.hook.verify_phases.get_hookimpls():
        for phase in cast(list[Phase], impl.function()):
            if phase.name in phases:
                raise VerifyError(
                    f"phase {phase.name!r} is registered twice:"
                    f" by {owners[phase.name]} and by {impl.plugin_name}"
                )
            phases[phase.name] = phase
            owners[phase.name] = impl.plugin_name
    return phases
