"""Phases, and what running them produced."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from verify.steps import Step

Outcome = Literal["passed", "failed", "not_run"]


@dataclass(frozen=True, slots=True)
class Phase:
    """A named, ordered list of steps; the first failure stops it."""

    name: str
    description: str
    steps: Sequence[Step]


@dataclass(frozen=True, slots=True)
class StepResult:
    label: str
    kind: str
    outcome: Outcome
    duration_s: float = 0.0
    returncode: int | None = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "outcome": self.outcome,
            "duration_s": round(self.duration_s, 3),
            "returncode": self.returncode,
            "detail": self.detail,
        }


@dataclass(slots=True)
class PhaseResult:
    name: str
    steps: list[StepResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(step.outcome == "passed" for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "outcome": "passed" if self.passed else "failed",
            "duration_s": round(sum(s.duration_s for s in self.steps), 3),
            "steps": [step.to_json() for step in self.steps],
        }
