"""Load phase plugins (built-ins first, then entry points) and index their phases by name."""

from __future__ import annotations

from collections.abc import Sequence
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
    _check_members(phases)
    return phases


def _check_members(phases: dict[str, Phase]) -> None:
    """An aggregate may only name registered phases, and never itself, however indirectly."""
    for phase in phases.values():
        for member in phase.members:
            if member not in phases:
                raise VerifyError(f"aggregate {phase.name!r} names unknown phase {member!r}")
        expand(phases, [phase.name])


def expand(phases: dict[str, Phase], names: Sequence[str]) -> list[Phase]:
    """The phases to run for `names`: aggregates become their members, each phase runs once."""
    selected: dict[str, Phase] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name not in phases:
            known = ", ".join(sorted(phases))
            raise VerifyError(f"unknown phase {name!r}; known phases: {known}")
        if name in path:
            cycle = " -> ".join((*path[path.index(name) :], name))
            raise VerifyError(f"aggregate {name!r} includes itself: {cycle}")
        phase = phases[name]
        for member in phase.members:
            visit(member, (*path, name))
        if not phase.is_aggregate:
            selected.setdefault(name, phase)

    for name in names:
        visit(name, ())
    return list(selected.values())


def coverage_lines() -> dict[str, str]:
    """Every registered phase's name and its coverage line (its description), in list order.

    This is what `python -m verify --list` prints first for each phase, and so the one
    source the documentation's table of phases is checked against.
    """
    return {name: phase.description for name, phase in collect_phases(plugin_manager()).items()}
