"""The console reporter (a plugin like any other), the summary table and the JSON report."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from scrypath.testing.provisioning.absences import OPENAPI_ENV
from verify.hookspecs import hookimpl
from verify.model import Phase, StepResult
from verify.runner import Run
from verify.steps import Step

REPORT_VERSION = 1


class ConsoleReporter:
    """Prints `==> label` before a step and its outcome and duration after it."""

    @hookimpl
    def verify_step_started(self, phase: Phase, step: Step) -> None:
        print(f"==> [{phase.name}] {step.label}", flush=True)

    @hookimpl
    def verify_step_finished(self, phase: Phase, step: Step, result: StepResult) -> None:
        status = "PASSED" if result.outcome == "passed" else f"FAILED (exit {result.returncode})"
        print(f"<== [{phase.name}] {step.label}: {status} in {result.duration_s:.1f}s", flush=True)


def summary(run: Run) -> str:
    """A table of every step with its outcome, closed by who served Meilisearch and PostgreSQL.

    It also counts the tests skipped for the lack of PostgreSQL (and of the OpenAPI
    description), so a run with skips never reads as a full pass.
    """
    rows = [("phase", "step", "outcome", "time")]
    for phase in run.results:
        for step in phase.steps:
            rows.append((phase.name, step.label, step.outcome, f"{step.duration_s:.1f}s"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["", "== verify summary =="]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    verdict = "passed" if run.passed else "FAILED"
    lines.append(f"Result: {verdict} in {time.monotonic() - run.started:.1f}s")
    lines.append(run.meilisearch.describe())
    lines.extend(run.database.describe())
    if run.database.counts.openapi:
        lines.append(run.database.counts.openapi_line())
    return "\n".join(lines)


def to_json(run: Run) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "outcome": "passed" if run.passed else "failed",
        "duration_s": round(time.monotonic() - run.started, 3),
        "meilisearch": run.meilisearch.to_json(),
        "database": run.database.to_json(),
        "openapi": {"skipped_tests": run.database.counts.openapi, "variable": OPENAPI_ENV},
        "phases": [phase.to_json() for phase in run.results],
    }


def check_report_path(path: Path) -> None:
    """Refuse a report path that cannot be written, before anything runs."""
    from verify.registry import VerifyError

    if path.is_dir():
        raise VerifyError(f"--json {path}: is a directory, expected a file path")
    if not path.parent.is_dir():
        raise VerifyError(f"--json {path}: directory {path.parent} does not exist")


def write_report(run: Run, path: Path) -> None:
    path.write_text(json.dumps(to_json(run), indent=2) + "\n", encoding="utf-8")
