"""Run phases step by step, provision Meilisearch once, and account for every step."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning import (
    NoProviderError,
    Provisioned,
    handoff_environment,
    provision,
)
from verify.model import Phase, PhaseResult, StepResult
from verify.registry import VerifyError
from verify.steps import Step, StepContext

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class MeilisearchChoice:
    """Who serves Meilisearch for this run, once a step has needed it."""

    provisioned: Provisioned | None = None
    failure: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.provisioned is not None:
            return self.provisioned.to_json()
        if self.failure is not None:
            return {"provider": None, "real": False, "error": self.failure, "skipped": []}
        return {"provider": None, "real": False, "needed": False, "skipped": []}

    def describe(self) -> str:
        if self.provisioned is not None:
            return self.provisioned.describe()
        if self.failure is not None:
            return f"no Meilisearch could be provisioned: {self.failure}"
        return "Meilisearch was not needed by these steps"


@dataclass
class Run:
    """The state of one `python -m verify` invocation."""

    manager: pluggy.PluginManager
    root: Path = ROOT
    meilisearch: MeilisearchChoice = field(default_factory=MeilisearchChoice)
    results: list[PhaseResult] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def run_phases(self, phases: Sequence[Phase]) -> None:
        try:
            for phase in phases:
                self.results.append(self._run_phase(phase))
        finally:
            if self.meilisearch.provisioned is not None:
                self.meilisearch.provisioned.stop()

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    def _run_phase(self, phase: Phase) -> PhaseResult:
        result = PhaseResult(phase.name)
        failed = False
        for step in phase.steps:
            if failed:
                result.steps.append(StepResult(step.label, step.kind, "not_run"))
                continue
            outcome = self._run_step(phase, step)
            result.steps.append(outcome)
            failed = outcome.outcome != "passed"
        return result

    def _run_step(self, phase: Phase, step: Step) -> StepResult:
        self.manager.hook.verify_step_started(phase=phase, step=step)
        env = dict(os.environ)
        if step.needs_meilisearch:
            env.update(self._meilisearch_env())
        started = time.monotonic()
        returncode = step.run(StepContext(self.root, env))
        result = StepResult(
            step.label,
            step.kind,
            "passed" if returncode == 0 else "failed",
            duration_s=time.monotonic() - started,
            returncode=returncode,
        )
        self.manager.hook.verify_step_finished(phase=phase, step=step, result=result)
        return result

    def _meilisearch_env(self) -> dict[str, str]:
        choice = self.meilisearch
        if choice.provisioned is None and choice.failure is None:
            try:
                choice.provisioned = provision()
            except ConfigurationError as exc:
                raise VerifyError(str(exc)) from None
            except NoProviderError as exc:
                choice.failure = str(exc)
        if choice.provisioned is None:
            return {}
        return handoff_environment(choice.provisioned)
