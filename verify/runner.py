"""Run phases step by step, provision Meilisearch and PostgreSQL once, account for every step."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning import (
    REQUIRE_POSTGRES_ENV,
    NoDatabaseError,
    NoProviderError,
    Provisioned,
    ProvisionedDatabase,
    handoff_database_environment,
    handoff_environment,
    provision,
    provision_database,
)
from scrypath.testing.provisioning.absences import COUNTS_ENV, SkipCounts, read_counts
from scrypath.testing.provisioning.database_env import postgres_required
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
class DatabaseChoice:
    """Who serves PostgreSQL for this run, and how many tests skipped for the lack of it."""

    provisioned: ProvisionedDatabase | None = None
    missing: NoDatabaseError | None = None
    counts: SkipCounts = field(default_factory=SkipCounts)
    counts_unknown: list[str] = field(default_factory=list)

    @property
    def asked(self) -> bool:
        return self.provisioned is not None or self.missing is not None

    def to_json(self) -> dict[str, Any]:
        if self.provisioned is not None:
            served: dict[str, Any] = self.provisioned.to_json()
        elif self.missing is not None:
            skipped = [s.to_json() for s in self.missing.skipped]
            served = {"provider": None, "kind": "SQLite only", "skipped": skipped}
        else:
            served = {"provider": None, "needed": False, "skipped": []}
        return {
            **served,
            "skipped_tests": self.counts.postgres,
            "counts_unknown": list(self.counts_unknown),
        }

    def describe(self) -> list[str]:
        if self.provisioned is not None:
            lines = [self.provisioned.describe()]
        elif self.missing is not None:
            lines = [self.missing.skip_reason()]
        else:
            return ["PostgreSQL was not needed by these steps"]
        lines.append(self.counts.postgres_line())
        if self.counts_unknown:
            lines.append("skip counts unknown for: " + ", ".join(self.counts_unknown))
        return lines


def _needs_database(step: Step) -> bool:
    """pytest steps need PostgreSQL; any step may say otherwise with a `needs_database` flag."""
    return bool(getattr(step, "needs_database", step.kind == "pytest"))


@dataclass
class Run:
    """The state of one `python -m verify` invocation."""

    manager: pluggy.PluginManager
    root: Path = ROOT
    require_postgres: bool = False
    meilisearch: MeilisearchChoice = field(default_factory=MeilisearchChoice)
    database: DatabaseChoice = field(default_factory=DatabaseChoice)
    results: list[PhaseResult] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def run_phases(self, phases: Sequence[Phase]) -> None:
        try:
            for phase in phases:
                self.results.append(self._run_phase(phase))
        finally:
            if self.meilisearch.provisioned is not None:
                self.meilisearch.provisioned.stop()
            if self.database.provisioned is not None:
                self.database.provisioned.stop()

    @property
    def postgres_required(self) -> bool:
        return self.require_postgres or postgres_required(os.environ)

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
        env.pop(COUNTS_ENV, None)
        if step.needs_meilisearch:
            env.update(self._meilisearch_env())
        started = time.monotonic()
        if _needs_database(step):
            env.update(self._database_env())
            returncode = self._run_counted(phase, step, env)
        else:
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

    def _database_env(self) -> dict[str, str]:
        choice = self.database
        if not choice.asked:
            try:
                choice.provisioned = provision_database()
            except ConfigurationError as exc:
                raise VerifyError(str(exc)) from None
            except NoDatabaseError as exc:
                choice.missing = exc
        if choice.missing is not None and self.postgres_required:
            raise VerifyError(choice.missing.required_message())
        skipped = choice.missing.skipped if choice.missing is not None else ()
        env = handoff_database_environment(choice.provisioned, skipped)
        if self.postgres_required:
            env[REQUIRE_POSTGRES_ENV] = "1"
        return env

    def _run_counted(self, phase: Phase, step: Step, env: dict[str, str]) -> int:
        """Run a step that runs tests, and add up the skips its pytest run counted."""
        with tempfile.TemporaryDirectory(prefix="scrypath-verify-counts-") as where:
            path = Path(where) / "counts.json"
            returncode = step.run(StepContext(self.root, {**env, COUNTS_ENV: str(path)}))
            counts = read_counts(path)
        if counts is None:
            self.database.counts_unknown.append(f"[{phase.name}] {step.label}")
        else:
            self.database.counts = self.database.counts + counts
        return returncode
