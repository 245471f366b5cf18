"""The repository as the release checks read it: pyproject, the version, the changelog path."""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VERSION_FILE = "scrypath/__init__.py"
CHANGELOG = "CHANGELOG.md"
WORKFLOWS = ".github/workflows"


@dataclass(frozen=True, slots=True)
class Project:
    """A checkout of scrypath (the real one, or a fixture tree in tests)."""

    root: Path = ROOT

    def pyproject(self) -> dict[str, Any]:
        with (self.root / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle)

    def version(self) -> str | None:
        """The literal `__version__` of the version file, or None when there is none."""
        return string_constant(self.root / VERSION_FILE, "__version__")

    def changelog(self) -> str:
        return (self.root / CHANGELOG).read_text(encoding="utf-8")

    def workflow(self, name: str) -> Path:
        return self.root / WORKFLOWS / name


def string_constant(path: Path, name: str) -> str | None:
    """The string literal a module assigns to `name` at top level, read without importing."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    return None
