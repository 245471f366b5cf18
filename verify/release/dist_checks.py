"""Build, check and unpack the sdist and wheel: `twine check --strict`, `check-wheel-contents`.

The content rules are the smoke's (`inspection`), so they are written once.
"""

from __future__ import annotations

import subprocess
import sys

from verify.release.dists import Dists, check_built
from verify.release.inspection import inspect_dists
from verify.release.problems import Problems
from verify.release.project import Project

TOOL_TIMEOUT_S = 300


def check_dists(project: Project) -> Problems:
    """Build (or reuse) the dists, run the packaging tools on them, then inspect them."""
    return check_built(
        project,
        "dist",
        lambda dists, version, work: (
            _tool_problems(dists) + inspect_dists(dists, version, work / "unpacked")
        ),
    )


def _tool(label: str, argv: list[str]) -> list[str]:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False)
    if done.returncode == 0:
        return []
    output = (done.stdout + done.stderr).strip().splitlines()
    relevant = [line.strip() for line in output if line.strip()] or ["no output"]
    return [f"{label}: {line}" for line in relevant[-8:]]


def _tool_problems(dists: Dists) -> list[str]:
    python = sys.executable
    return _tool(
        "twine check --strict",
        [python, "-m", "twine", "check", "--strict", str(dists.sdist), str(dists.wheel)],
    ) + _tool("check-wheel-contents", [python, "-m", "check_wheel_contents", str(dists.wheel)])
