"""A copy of the files the release checks read, for breaking one thing at a time."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from verify.release.project import Project

ROOT = Path(__file__).resolve().parents[2]
RELEASE_FILES = (
    "pyproject.toml",
    "LICENSE",
    "CHANGELOG.md",
    "scrypath/__init__.py",
    "scrypath/py.typed",
    "scrypath/cli/__init__.py",
    "scrypath/testing/pytest_plugin.py",
    "scrypath/testing/provisioning/containers.py",
    "verify/hookspecs.py",
    ".github/workflows/ci.yml",
    ".github/workflows/release.yml",
)


@pytest.fixture
def release_tree(tmp_path: Path) -> Project:
    """A project holding copies of the real release files, free to be broken."""
    root = tmp_path / "project"
    for name in RELEASE_FILES:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, target)
    return Project(root)


Edit = Callable[[str, str, str], None]


@pytest.fixture
def edit(release_tree: Project) -> Edit:
    """Replace text (which must be there) in one of the release tree's files."""

    def replace(name: str, old: str, new: str) -> None:
        path = release_tree.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return replace
