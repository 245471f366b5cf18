"""Rules both workflows share: what publishing looks like, and literal secrets in `env`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from verify.release.workflow_file import Workflow

PUBLISH_ACTION = "pypa/gh-action-pypi-publish"
SECRET_NAME = re.compile(r"(KEY|TOKEN|PASSWORD|SECRET)", re.IGNORECASE)
EXPRESSION = "${{"


def uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", ""))


def runs(step: dict[str, Any]) -> str:
    return str(step.get("run", ""))


def publish_steps(workflow: Workflow) -> list[tuple[str, dict[str, Any]]]:
    """Steps that upload to a package index: the publish action or `twine upload`."""
    return [
        (job, step)
        for job, step in workflow.steps()
        if uses(step).startswith(PUBLISH_ACTION) or "twine upload" in runs(step)
    ]


def grants_id_token(block: Any) -> bool:
    """Whether a `permissions:` block lets the job mint an OIDC token."""
    if block == "write-all":
        return True
    return isinstance(block, dict) and block.get("id-token") == "write"


def id_token_grants(workflow: Workflow) -> list[str]:
    """Where the workflow grants `id-token: write`: 'workflow' or job ids."""
    where = ["workflow"] if grants_id_token(workflow.data.get("permissions")) else []
    return where + [
        j for j, job in workflow.jobs.items() if grants_id_token(job.get("permissions"))
    ]


def env_blocks(workflow: Workflow) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every `env:` mapping with where it sits: workflow, jobs, services, steps."""
    if isinstance(workflow.data.get("env"), dict):
        yield "workflow env", workflow.data["env"]
    for job_id, job in workflow.jobs.items():
        if isinstance(job.get("env"), dict):
            yield f"job {job_id} env", job["env"]
        for service_id, service in (job.get("services") or {}).items():
            if isinstance(service, dict) and isinstance(service.get("env"), dict):
                yield f"service {service_id} env", service["env"]
    for job_id, step in workflow.steps():
        for key in ("env", "with"):
            if isinstance(step.get(key), dict):
                yield f"job {job_id} step {step.get('name', uses(step))!r} {key}", step[key]


def literal_secrets(workflow: Workflow) -> list[str]:
    """Secret-named settings given a literal value rather than an expression."""
    problems = []
    for where, block in env_blocks(workflow):
        for name, value in block.items():
            text = str(value)
            if not SECRET_NAME.search(str(name)) or EXPRESSION in text:
                continue
            if len(text) >= 8:
                problems.append(f"{workflow.name}: {where} sets {name} to a literal value")
    return problems
