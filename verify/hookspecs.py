"""Hooks of the verify runner. Built-in phases and reporters implement them like any plugin."""

from __future__ import annotations

import pluggy

from verify.model import Phase, StepResult
from verify.steps import Step

PROJECT = "scrypath.verify"
ENTRY_POINT_GROUP = "scrypath.verify"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def verify_phases() -> list[Phase]:
    """Fires once at start-up, after every plugin is registered.

    Return the phases this plugin provides. A phase name may be provided by one
    plugin only; a second registration is an error.
    """
    return []


@hookspec
def verify_step_started(phase: Phase, step: Step) -> None:
    """Fires just before a step runs."""


@hookspec
def verify_step_finished(phase: Phase, step: Step, result: StepResult) -> None:
    """Fires when a step has run (passed or failed), before the next one starts."""
