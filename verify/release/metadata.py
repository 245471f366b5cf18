"""Package metadata a release needs: license, URLs, classifiers, Python range, entry points.

The `verify` package is repository tooling and is not in the wheel. So the wheel must not
advertise a `scrypath.verify` plugin it does not ship, while the group name the runner loads
(`verify/hookspecs.py`) must stay the documented one, for third-party distributions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import trove_classifiers
from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from verify.release.problems import Problems
from verify.release.project import Project, string_constant
from verify.release.single_version import check_single_version
from verify.release.targets import target_problem

REQUIRED_URLS = ("homepage", "source", "changelog", "documentation", "issues")
PYTHON_CLASSIFIER = re.compile(r"^Programming Language :: Python :: 3\.(\d+)$")
VERIFY_GROUP = "scrypath.verify"
"""The entry-point group third-party phase plugins are documented to use."""


def check_metadata(project: Project) -> Problems:
    """Every metadata problem of the project, the version's single source included."""
    problems = Problems("metadata")
    meta: dict[str, Any] = project.pyproject().get("project", {})
    _check_license(project, meta, problems)
    _check_urls(meta.get("urls", {}), problems)
    supported = _check_python(meta, problems)
    _check_classifiers(meta.get("classifiers", []), supported, meta, problems)
    _check_entry_points(project, meta, problems)
    _check_verify_group(project, problems)
    problems.extend(check_single_version(project))
    return problems


def _check_license(project: Project, meta: Mapping[str, Any], problems: Problems) -> None:
    license_ = meta.get("license")
    if not isinstance(license_, str):
        problems.add("project.license must be an SPDX license expression (a string)")
    else:
        try:
            canonicalize_license_expression(license_)
        except InvalidLicenseExpression:
            problems.add(f"project.license {license_!r} is not a valid SPDX expression")
    files = meta.get("license-files", [])
    if not files:
        problems.add("project.license-files names no license file")
    for pattern in files:
        if not any(project.root.glob(pattern)):
            problems.add(f"license file {pattern!r} does not exist")
    for classifier in meta.get("classifiers", []):
        if classifier.startswith("License ::"):
            problems.add(f"{classifier!r}: a License classifier next to a license expression")


def normalize_label(label: str) -> str:
    """URL labels compare without case, spaces or punctuation (`Change Log` = `changelog`)."""
    return re.sub(r"[\W_]+", "", label.lower())


def _check_urls(urls: Mapping[str, str], problems: Problems) -> None:
    by_label = {normalize_label(label): url for label, url in urls.items()}
    for label in REQUIRED_URLS:
        if label not in by_label:
            problems.add(f"project.urls has no {label!r} URL")
    for label, url in urls.items():
        if not url.startswith("https://"):
            problems.add(f"project.urls {label!r} is not an https URL: {url}")
    source = by_label.get("source", "").rstrip("/")
    if source and by_label.get("homepage", "").rstrip("/") not in ("", source):
        problems.add("project.urls homepage and source name different repositories")
    for label in ("issues", "changelog"):
        url = by_label.get(label, "")
        if source and url and not url.startswith(source + "/"):
            problems.add(f"project.urls {label!r} is not under the source repository {source}")


def _check_python(meta: Mapping[str, Any], problems: Problems) -> list[int]:
    """The supported minor versions of Python 3, as the classifiers declare them."""
    raw = meta.get("requires-python")
    minors = sorted(
        int(m.group(1))
        for c in meta.get("classifiers", [])
        if (m := PYTHON_CLASSIFIER.match(c)) is not None
    )
    if not isinstance(raw, str):
        problems.add("project.requires-python is missing")
        return minors
    try:
        spec = SpecifierSet(raw)
    except InvalidSpecifier:
        problems.add(f"project.requires-python {raw!r} is not a version specifier")
        return minors
    floors = [s.version for s in spec if s.operator == ">="]
    if not floors:
        problems.add(f"project.requires-python {raw!r} has no lower bound (>=)")
    elif minors and Version(floors[0]).release[:2] != (3, minors[0]):
        problems.add(
            f"requires-python {raw!r} does not start at the oldest classifier 3.{minors[0]}"
        )
    for minor in minors:
        if not spec.contains(f"3.{minor}", prereleases=True):
            problems.add(f"classifier Python 3.{minor} is outside requires-python {raw!r}")
    if minors and minors != list(range(minors[0], minors[-1] + 1)):
        problems.add(f"the Python classifiers skip a version: {minors}")
    return minors


def _check_classifiers(
    classifiers: list[str], supported: list[int], meta: Mapping[str, Any], problems: Problems
) -> None:
    for classifier in classifiers:
        if classifier not in trove_classifiers.classifiers:
            problems.add(f"unknown classifier {classifier!r}")
    if not supported:
        problems.add("no 'Programming Language :: Python :: 3.X' classifier")
    expected = {
        "Programming Language :: Python :: 3",
        "Operating System :: OS Independent",
        "Typing :: Typed",
    }
    if "pytest11" in meta.get("entry-points", {}):
        expected.add("Framework :: Pytest")
    for classifier in sorted(expected - set(classifiers)):
        problems.add(f"classifier {classifier!r} is missing")
    if not any(c.startswith("Topic ::") for c in classifiers):
        problems.add("no 'Topic ::' classifier")


def _shipped_packages(project: Project) -> tuple[str, ...]:
    wheel = project.pyproject().get("tool", {}).get("hatch", {}).get("build", {})
    packages = wheel.get("targets", {}).get("wheel", {}).get("packages", [])
    return tuple(str(p).split("/")[-1] for p in packages)


def _check_entry_points(project: Project, meta: Mapping[str, Any], problems: Problems) -> None:
    shipped = _shipped_packages(project)
    scripts: Mapping[str, str] = meta.get("scripts", {})
    if "scrypath" not in scripts:
        problems.add("project.scripts has no 'scrypath' console script")
    groups: Mapping[str, Mapping[str, str]] = meta.get("entry-points", {})
    if not groups.get("pytest11"):
        problems.add("no pytest11 entry point for the pytest plugin")
    for group, entries in {"scripts": scripts, **groups}.items():
        for name, target in entries.items():
            problem = target_problem(project.root, target, shipped)
            if problem is not None:
                problems.add(f"entry point {group}:{name} = {target!r} {problem}")


def _check_verify_group(project: Project, problems: Problems) -> None:
    path = project.root / "verify" / "hookspecs.py"
    group = string_constant(path, "ENTRY_POINT_GROUP")
    if group != VERIFY_GROUP:
        problems.add(
            f"verify/hookspecs.py loads the group {group!r}; the documented one is {VERIFY_GROUP!r}"
        )
