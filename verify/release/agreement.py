"""The package version, the changelog's top release heading and the release workflow agree.

A development version (`0.2.0.dev0`) sits under `## [Unreleased]`, above any older release.
A release version is the newest dated heading, and the release workflow's tag patterns
accept its tag (`v` + version); when run for a tag push, the tag is exactly that.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from packaging.version import InvalidVersion, Version

from verify.release.changelog import DATE, UNRELEASED, Section, sections
from verify.release.problems import Problems
from verify.release.project import Project
from verify.release.tags import accepts, tag_for
from verify.release.workflow_file import WorkflowError, load

RELEASE_WORKFLOW = "release.yml"


def check_agreement(project: Project, env: Mapping[str, str] | None = None) -> Problems:
    """Every disagreement between version, changelog and release workflow, all reported."""
    problems = Problems("agreement")
    raw = project.version()
    if raw is None:
        problems.add("scrypath/__init__.py assigns no literal __version__")
        return problems
    try:
        version = Version(raw)
    except InvalidVersion:
        problems.add(f"__version__ {raw!r} is not a PEP 440 version")
        return problems
    _check_changelog(raw, version, sections(project.changelog()), problems)
    _check_workflow(project, raw, version, problems)
    _check_pushed_tag(raw, os.environ if env is None else env, problems)
    return problems


def _releases(found: list[Section], problems: Problems) -> list[tuple[Version, Section]]:
    releases = []
    for section in found:
        if section.is_unreleased:
            continue
        try:
            releases.append((Version(section.name), section))
        except InvalidVersion:
            problems.add(f"changelog heading [{section.name}] is not a version")
    order = [v for v, _ in releases]
    if order != sorted(order, reverse=True):
        problems.add("changelog release headings are not newest first")
    return releases


def _check_changelog(raw: str, version: Version, found: list[Section], problems: Problems) -> None:
    if not found:
        problems.add("the changelog has no '## [...]' release heading")
        return
    for section in found[1:]:
        if section.is_unreleased:
            problems.add(f"[{UNRELEASED}] must be the top heading")
    releases = _releases(found, problems)
    newest = releases[0] if releases else None
    if version.is_devrelease:
        if not found[0].is_unreleased:
            problems.add(
                f"{raw} is a development version, but the top heading is not [{UNRELEASED}]"
            )
        if newest is not None and newest[0] >= version:
            problems.add(f"the changelog already releases {newest[1].name}, not older than {raw}")
        return
    if newest is None or newest[0] != version:
        named = newest[1].name if newest else "none"
        problems.add(f"version {raw} is not the changelog's top release heading ({named})")
    elif newest[1].date is None or not DATE.match(newest[1].date):
        problems.add(f"changelog heading [{newest[1].name}] has no release date (YYYY-MM-DD)")
    if found[0].is_unreleased and found[0].has_entries:
        problems.add(f"[{UNRELEASED}] still has entries, but {raw} is a release: move them")


def _check_workflow(project: Project, raw: str, version: Version, problems: Problems) -> None:
    try:
        workflow = load(project.workflow(RELEASE_WORKFLOW))
    except WorkflowError as exc:
        problems.add(str(exc))
        return
    tag = tag_for(raw)
    try:
        triggered = accepts(workflow.tag_patterns(), tag)
    except ValueError as exc:
        problems.add(f"{RELEASE_WORKFLOW}: {exc}")
        return
    if version.is_devrelease and triggered:
        problems.add(f"{RELEASE_WORKFLOW} would publish development version tag {tag!r}")
    if not version.is_devrelease and not triggered:
        problems.add(f"{RELEASE_WORKFLOW} is not triggered by this version's tag {tag!r}")


def _check_pushed_tag(raw: str, env: Mapping[str, str], problems: Problems) -> None:
    if env.get("GITHUB_REF_TYPE") != "tag":
        return
    pushed = env.get("GITHUB_REF_NAME", "")
    if pushed != tag_for(raw):
        problems.add(f"the pushed tag {pushed!r} is not this version's tag {tag_for(raw)!r}")
