"""What the wheel and the sdist may hold, checked on their member names.

The wheel ships `scrypath` and its dist-info, nothing else. The sdist carries what a
rebuild or a downstream packager needs (docs, tests, the changelog), and never caches,
build leftovers, virtualenvs or secrets.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from pathlib import PurePosixPath

CACHE_DIRS = frozenset(
    {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", ".tox", ".nox"}
)
VENV_DIRS = frozenset({".venv", "venv", ".virtualenv"})
LEFTOVER_TOP_DIRS = frozenset({"site", "dist", "build", ".git"})
SECRET_NAMES = (
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "id_rsa*",
    "id_ed25519*",
    ".pypirc",
    ".netrc",
    "*.p12",
    "*.pfx",
    "*.keystore",
)
WHEEL_REQUIRED = ("scrypath/__init__.py", "scrypath/py.typed")
SDIST_REQUIRED = ("PKG-INFO", "pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE")
SDIST_REQUIRED_TREES = ("docs", "tests", "scrypath")


def forbidden(relative: str) -> str | None:
    """Why a path must not ship in any dist, or None."""
    path = PurePosixPath(relative)
    parts = path.parts
    if cache := CACHE_DIRS.intersection(parts):
        return f"a cache ({sorted(cache)[0]})"
    if path.suffix in (".pyc", ".pyo"):
        return "compiled bytecode"
    if VENV_DIRS.intersection(parts) or path.name == "pyvenv.cfg":
        return "a virtualenv"
    if any(part.endswith(".egg-info") for part in parts):
        return "build leftovers (egg-info)"
    if parts and parts[0] in LEFTOVER_TOP_DIRS:
        return f"build leftovers ({parts[0]}/)"
    if any(fnmatch.fnmatch(path.name, pattern) for pattern in SECRET_NAMES):
        return "a secret-looking file"
    return None


def _forbidden_lines(names: Iterable[str], artifact: str) -> list[str]:
    return [f"{artifact} holds {name}: {why}" for name in names if (why := forbidden(name))]


def wheel_problems(names: list[str], version: str) -> list[str]:
    """Problems of a wheel's member names; `version` names its dist-info directory."""
    dist_info = f"scrypath-{version}.dist-info"
    problems = []
    tops = sorted({name.split("/", 1)[0] for name in names})
    for top in tops:
        if top not in ("scrypath", dist_info):
            problems.append(f"wheel ships {top}/, but only scrypath/ and {dist_info}/ belong")
    for required in (*WHEEL_REQUIRED, f"{dist_info}/METADATA", f"{dist_info}/entry_points.txt"):
        if required not in names:
            problems.append(f"wheel lacks {required}")
    if not any(n.startswith(f"{dist_info}/licenses/") for n in names):
        problems.append("wheel ships no license file in its dist-info")
    return problems + _forbidden_lines(names, "wheel")


def sdist_problems(names: list[str], version: str) -> list[str]:
    """Problems of an sdist's member names, all under `scrypath-<version>/`."""
    prefix = f"scrypath-{version}/"
    outside = [n for n in names if not n.startswith(prefix)]
    problems = [f"sdist member {n} is outside {prefix}" for n in outside]
    inner = [n.removeprefix(prefix) for n in names if n.startswith(prefix)]
    for required in SDIST_REQUIRED:
        if required not in inner:
            problems.append(f"sdist lacks {required}")
    for tree in SDIST_REQUIRED_TREES:
        if not any(n.startswith(f"{tree}/") for n in inner):
            problems.append(f"sdist lacks {tree}/")
    return problems + _forbidden_lines(inner, "sdist")
