"""`ci.yml`: premerge over every supported Python, against real Meilisearch and PostgreSQL.

It tests and never publishes: no publish step and no `id-token: write`.
"""

from __future__ import annotations

import re
from typing import Any

from verify.release.workflow_file import Workflow
from verify.release.workflow_rules import id_token_grants, publish_steps, runs, uses

MEILISEARCH_IMAGE = re.compile(r"^getmeili/meilisearch:v1\.\d+\.\d+$")
POSTGRES_IMAGE = re.compile(r"^postgres:\d+(\.\d+)?(-[a-z0-9.]+)?$")
MIN_MASTER_KEY_BYTES = 16
PREMERGE = "python -m verify premerge"


def check_ci(workflow: Workflow, supported: list[str], pinned_image: str | None) -> list[str]:
    """Every way `ci.yml` falls short; `supported` are the classifiers' Python versions."""
    problems = [f"ci.yml: {line}" for line in _never_publishes(workflow)]
    if not {"pull_request", "push"} & set(workflow.triggers):
        problems.append("ci.yml: not triggered by pull_request or push")
    jobs = [(job_id, job) for job_id, job in workflow.jobs.items() if _runs_premerge(job)]
    if not jobs:
        return [*problems, f"ci.yml: no job runs {PREMERGE!r}"]
    for job_id, job in jobs:
        where = f"ci.yml job {job_id}"
        problems += [f"{where}: {line}" for line in _matrix(job, supported)]
        problems += [f"{where}: {line}" for line in _meilisearch(job, pinned_image)]
        problems += [f"{where}: {line}" for line in _postgres(job)]
    return problems


def _never_publishes(workflow: Workflow) -> list[str]:
    problems = [
        f"job {job} publishes ({uses(step) or 'twine upload'})"
        for job, step in publish_steps(workflow)
    ]
    return problems + [f"{where} grants id-token: write" for where in id_token_grants(workflow)]


def _runs_premerge(job: dict[str, Any]) -> bool:
    return any(PREMERGE in runs(step) for step in job.get("steps", []) if isinstance(step, dict))


def _premerge_command(job: dict[str, Any]) -> str:
    return next(
        runs(s) for s in job.get("steps", []) if isinstance(s, dict) and PREMERGE in runs(s)
    )


def _env(job: dict[str, Any]) -> dict[str, str]:
    """The job's env merged with the env of the step that runs premerge."""
    step = next(s for s in job.get("steps", []) if isinstance(s, dict) and PREMERGE in runs(s))
    merged = {**(job.get("env") or {}), **(step.get("env") or {})}
    return {str(k): str(v) for k, v in merged.items()}


def _matrix(job: dict[str, Any], supported: list[str]) -> list[str]:
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    versions = [str(v) for v in matrix.get("python-version", [])]
    problems = []
    if sorted(versions) != sorted(supported):
        problems.append(
            f"python-version matrix {versions} differs from the classifiers {supported}"
        )
    setup = [s for _, s in _steps(job) if uses(s).startswith("actions/setup-python")]
    if not any(
        "matrix.python-version" in str((s.get("with") or {}).get("python-version")) for s in setup
    ):
        problems.append("no actions/setup-python step takes ${{ matrix.python-version }}")
    return problems


def _steps(job: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return [(i, s) for i, s in enumerate(job.get("steps", [])) if isinstance(s, dict)]


def _service(job: dict[str, Any], image_prefix: str) -> dict[str, Any] | None:
    for service in (job.get("services") or {}).values():
        if isinstance(service, dict) and str(service.get("image", "")).startswith(image_prefix):
            return service
    return None


def _meilisearch(job: dict[str, Any], pinned_image: str | None) -> list[str]:
    service = _service(job, "getmeili/meilisearch")
    if service is None:
        return ["no getmeili/meilisearch service container"]
    problems = []
    image = str(service["image"])
    if not MEILISEARCH_IMAGE.match(image):
        problems.append(f"Meilisearch image {image!r} is not pinned to a v1.x.y tag")
    if pinned_image is not None and image != pinned_image:
        problems.append(
            f"Meilisearch image {image!r} differs from the provisioning pin {pinned_image!r}"
        )
    key = str((service.get("env") or {}).get("MEILI_MASTER_KEY", ""))
    if not key:
        problems.append("the Meilisearch service sets no MEILI_MASTER_KEY")
    elif "${{" not in key and len(key.encode()) < MIN_MASTER_KEY_BYTES:
        problems.append(f"MEILI_MASTER_KEY is shorter than {MIN_MASTER_KEY_BYTES} bytes")
    env = _env(job)
    if not env.get("SCRYPATH_TEST_MEILISEARCH_URL", "").startswith("http"):
        problems.append("SCRYPATH_TEST_MEILISEARCH_URL does not name the service")
    if key and env.get("SCRYPATH_TEST_MEILISEARCH_KEY") != key:
        problems.append("SCRYPATH_TEST_MEILISEARCH_KEY is not the service's master key")
    return problems


def _postgres(job: dict[str, Any]) -> list[str]:
    service = _service(job, "postgres")
    if service is None:
        return ["no postgres service container"]
    problems = []
    if not POSTGRES_IMAGE.match(str(service["image"])):
        problems.append(f"PostgreSQL image {service['image']!r} is not pinned to a version")
    if not _env(job).get("SCRYPATH_TEST_DATABASE_URL", "").startswith("postgresql"):
        problems.append("SCRYPATH_TEST_DATABASE_URL does not name the PostgreSQL service")
    if "--require-postgres" not in _premerge_command(job):
        problems.append("premerge does not run with --require-postgres")
    return problems
