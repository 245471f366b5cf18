"""A GitHub Actions workflow read as data, with the `on:` key YAML 1.1 reads as `True`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class WorkflowError(Exception):
    """The workflow file is missing or is not a YAML mapping."""


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    data: dict[Any, Any]

    @property
    def triggers(self) -> dict[str, Any]:
        raw = self.data.get("on", self.data.get(True))
        if isinstance(raw, str):
            return {raw: None}
        if isinstance(raw, list):
            return {str(event): None for event in raw}
        return raw if isinstance(raw, dict) else {}

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        jobs = self.data.get("jobs")
        return (
            {k: v for k, v in jobs.items() if isinstance(v, dict)} if isinstance(jobs, dict) else {}
        )

    def tag_patterns(self) -> list[str]:
        push = self.triggers.get("push")
        tags = push.get("tags", []) if isinstance(push, dict) else []
        return [str(tag) for tag in tags] if isinstance(tags, list) else [str(tags)]

    def steps(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every step of every job, with its job's id."""
        for job_id, job in self.jobs.items():
            for step in job.get("steps", []) or []:
                if isinstance(step, dict):
                    yield job_id, step


def load(path: Path) -> Workflow:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkflowError(f"{path.name} does not exist") from None
    except yaml.YAMLError as exc:
        raise WorkflowError(f"{path.name} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise WorkflowError(f"{path.name} is not a YAML mapping")
    return Workflow(path.name, data)
