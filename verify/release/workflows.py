"""The two workflows, checked as files: they cannot run here, and this never claims they did."""

from __future__ import annotations

from pathlib import Path

from verify.release.ci_workflow import check_ci
from verify.release.metadata import PYTHON_CLASSIFIER
from verify.release.problems import Problems
from verify.release.project import WORKFLOWS, Project, string_constant
from verify.release.release_workflow import check_release
from verify.release.secret_scan import scan
from verify.release.workflow_file import WorkflowError, load
from verify.release.workflow_rules import literal_secrets

PROVISIONING_PIN = "scrypath/testing/provisioning/containers.py"


def check_workflows(project: Project) -> Problems:
    """Every problem of ci.yml and release.yml, and every secret-looking token in tooling."""
    problems = Problems("workflows")
    classifiers = project.pyproject().get("project", {}).get("classifiers", [])
    supported = [f"3.{m.group(1)}" for c in classifiers if (m := PYTHON_CLASSIFIER.match(c))]
    pinned = string_constant(project.root / PROVISIONING_PIN, "DEFAULT_IMAGE")
    try:
        ci = load(project.workflow("ci.yml"))
    except WorkflowError as exc:
        problems.add(str(exc))
    else:
        for line in check_ci(ci, supported, pinned) + literal_secrets(ci):
            problems.add(line)
    try:
        release = load(project.workflow("release.yml"))
    except WorkflowError as exc:
        problems.add(str(exc))
    else:
        text = project.workflow("release.yml").read_text(encoding="utf-8")
        for line in check_release(release, text) + literal_secrets(release):
            problems.add(line)
    for line in scan(_tooling_files(project.root), project.root):
        problems.add(line)
    return problems


def _tooling_files(root: Path) -> list[Path]:
    """The verify code and the workflows: where a pasted token would leak."""
    files = sorted(p for p in (root / "verify").rglob("*.py") if "__pycache__" not in p.parts)
    workflows = root / WORKFLOWS
    if workflows.is_dir():
        files += sorted(p for p in workflows.iterdir() if p.suffix in (".yml", ".yaml"))
    return files
