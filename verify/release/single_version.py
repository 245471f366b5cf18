"""The version has one source, `scrypath/__init__.py`, which hatch reads at build time.

Code, configuration, tests and workflows never repeat it: a second copy drifts at the first
release that forgets it. The changelog names versions by design and is checked elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from packaging.version import InvalidVersion, Version

from verify.release.problems import Problems
from verify.release.project import VERSION_FILE, Project

SCANNED_TREES = ("scrypath", "verify", "tests", "benchmarks", "examples")
SCANNED_FILES = ("pyproject.toml", "mkdocs.yml")
SCANNED_SUFFIXES = (".py", ".toml", ".yml", ".yaml", ".cfg", ".ini", ".txt", ".json")
VERSION_ASSIGNMENT = re.compile(r"^\s*__version__\s*[:=]\s*[\"']", re.MULTILINE)


def check_single_version(project: Project) -> Problems:
    problems = Problems("metadata")
    meta = project.pyproject()
    if "version" in meta.get("project", {}):
        problems.add("pyproject.toml hard-codes project.version; it must be dynamic")
    if "version" not in meta.get("project", {}).get("dynamic", []):
        problems.add("project.dynamic does not list 'version'")
    source = meta.get("tool", {}).get("hatch", {}).get("version", {}).get("path")
    if source != VERSION_FILE:
        problems.add(f"tool.hatch.version.path is {source!r}, expected {VERSION_FILE!r}")
    version = project.version()
    if version is None:
        problems.add(f"{VERSION_FILE} assigns no literal __version__")
        return problems
    try:
        canonical = str(Version(version))
    except InvalidVersion:
        problems.add(f"__version__ {version!r} is not a PEP 440 version")
    else:
        if canonical != version:
            problems.add(f"__version__ {version!r} is not in canonical form ({canonical!r})")
    for path, line in _repeats(project.root, version):
        problems.add(f"{path}:{line}: hard-codes a version; read scrypath.__version__ instead")
    return problems


def _repeats(root: Path, version: str) -> Iterator[tuple[str, int]]:
    token = re.compile(r"(?<![\w.])" + re.escape(version) + r"(?![\w]|\.\w)")
    for path in _scanned(root):
        relative = path.relative_to(root).as_posix()
        if relative == VERSION_FILE:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits = {text.count("\n", 0, m.start()) + 1 for m in token.finditer(text)}
        if path.suffix == ".py":
            hits |= {text.count("\n", 0, m.start()) + 1 for m in VERSION_ASSIGNMENT.finditer(text)}
        for line in sorted(hits):
            yield relative, line


def _scanned(root: Path) -> Iterator[Path]:
    for name in SCANNED_FILES:
        if (root / name).is_file():
            yield root / name
    workflows = root / ".github" / "workflows"
    trees = [root / tree for tree in SCANNED_TREES] + [workflows]
    for tree in trees:
        for path in sorted(tree.rglob("*")) if tree.is_dir() else ():
            if path.suffix in SCANNED_SUFFIXES and "__pycache__" not in path.parts:
                yield path
