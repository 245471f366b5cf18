"""Helpers to run `python -m verify` against phases written for a test."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def write_plugin_distribution(where: Path, module: str, body: str) -> None:
    """A tiny installed-looking distribution: a module plus a dist-info with an entry point.

    importlib.metadata discovers `*.dist-info` folders on `sys.path`, so putting
    `where` on PYTHONPATH exercises the real entry-point discovery without
    installing anything into the environment the suite runs in.
    """
    (where / f"{module}.py").write_text(textwrap.dedent(body), encoding="utf-8")
    info = where / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[scrypath.verify]\n{module} = {module}\n", encoding="utf-8"
    )


def verify_process(
    *args: str, env: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m verify ARGS` from the repository root in `env`, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "verify", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_verify(*args: str, plugin_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if plugin_path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(plugin_path), str(ROOT)])
    return verify_process(*args, env=env)


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def verify_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Runs `python -m verify` with the given arguments (and optional plugin path)."""
    return run_verify


@pytest.fixture
def plugin_distribution() -> Callable[[Path, str, str], None]:
    """Writes a tiny entry-point distribution into a folder."""
    return write_plugin_distribution
