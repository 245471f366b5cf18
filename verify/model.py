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
    """A named, ordered list of steps; the first failure stops it.

    An aggregate has no steps of its own: it names member phases (`members`), which the
    runner receives expanded, so every report still shows each member phase by name.
    """

    name: str
    description: str
    steps: Sequence[Step] = ()
    members: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.steps and self.members:
            raise ValueError(f"phase {self.name!r} has both steps and member phases")

    @property
    def is_aggregate(self) -> bool:
        return bool(self.members)


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
