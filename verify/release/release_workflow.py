"""`release.yml`: on a version tag, phase11 passes, then trusted publishing uploads.

Trusted publishing means PyPI trusts this workflow's OIDC identity: the publish job holds
`id-token: write` and an environment, and no stored token exists anywhere.
"""

from __future__ import annotations

import re
from typing import Any

from verify.release.tags import scheme_problems
from verify.release.workflow_file import Workflow
from verify.release.workflow_rules import (
    PUBLISH_ACTION,
    grants_id_token,
    id_token_grants,
    publish_steps,
    runs,
    uses,
)

VERIFY_COMMANDS = ("python -m verify phase11", "python -m verify release")
STORED_TOKEN = re.compile(r"secrets\.(PYPI|TWINE|TEST_PYPI)\w*|TWINE_PASSWORD", re.IGNORECASE)


def check_release(workflow: Workflow, text: str) -> list[str]:
    """Every way `release.yml` falls short of verified, tokenless, tag-triggered publishing."""
    problems = _triggers(workflow) + _stored_tokens(workflow, text)
    publishing = publish_steps(workflow)
    if not publishing:
        return [*problems, f"no step uses {PUBLISH_ACTION}"]
    for job_id, step in publishing:
        problems += _publish_step(workflow, job_id, step)
    publish_jobs = {job_id for job_id, _ in publishing}
    for where in id_token_grants(workflow):
        if where not in publish_jobs:
            problems.append(f"{where} grants id-token: write but does not publish")
    return [f"release.yml: {line}" for line in problems]


def _triggers(workflow: Workflow) -> list[str]:
    problems = [
        f"triggered by {event!r}; only a tag push may release"
        for event in workflow.triggers
        if event != "push"
    ]
    push = workflow.triggers.get("push")
    if isinstance(push, dict) and push.get("branches"):
        problems.append("triggered by branch pushes; only a tag push may release")
    return problems + scheme_problems(workflow.tag_patterns())


def _stored_tokens(workflow: Workflow, text: str) -> list[str]:
    problems = [
        f"line {text.count(chr(10), 0, m.start()) + 1}: refers to a stored token"
        for m in STORED_TOKEN.finditer(text)
    ]
    for job_id, step in workflow.steps():
        given = step.get("with") or {}
        if isinstance(given, dict) and {"password", "user"} & set(given):
            problems.append(f"job {job_id}: {uses(step) or 'a step'} is given a user or password")
    return problems


def _publish_step(workflow: Workflow, job_id: str, step: dict[str, Any]) -> list[str]:
    job = workflow.jobs[job_id]
    problems = []
    if "twine upload" in runs(step):
        problems.append(f"job {job_id} uploads with twine instead of trusted publishing")
    elif "@" not in uses(step):
        problems.append(f"job {job_id}: {PUBLISH_ACTION} is not pinned to a ref")
    if not grants_id_token(job.get("permissions")):
        problems.append(f"publish job {job_id} lacks permissions: id-token: write")
    if not job.get("environment"):
        problems.append(f"publish job {job_id} names no environment")
    if not _verified_before(workflow, job_id, step):
        problems.append(f"publish job {job_id} does not run after 'python -m verify phase11'")
    return problems


def _verifies(step: dict[str, Any]) -> bool:
    return any(command in runs(step) for command in VERIFY_COMMANDS)


def _verified_before(workflow: Workflow, job_id: str, publish: dict[str, Any]) -> bool:
    """phase11 ran earlier in the publish job, or in a job it needs (however indirectly)."""
    steps = [s for s in workflow.jobs[job_id].get("steps", []) if isinstance(s, dict)]
    if any(_verifies(s) for s in steps[: steps.index(publish)]):
        return True
    return any(
        any(
            _verifies(s)
            for s in workflow.jobs.get(need, {}).get("steps", [])
            if isinstance(s, dict)
        )
        for need in _needs(workflow, job_id)
    )


def _needs(workflow: Workflow, job_id: str) -> set[str]:
    seen: set[str] = set()
    pending = [job_id]
    while pending:
        raw = workflow.jobs.get(pending.pop(), {}).get("needs", [])
        for need in [raw] if isinstance(raw, str) else list(raw or []):
            if need not in seen:
                seen.add(str(need))
                pending.append(str(need))
    return seen
