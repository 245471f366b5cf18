"""The sdist and wheel: built once per phase run with `python -m build`, then reused.

`python -m build` builds the sdist first and the wheel from that sdist, in an isolated
environment, so a wheel that builds here also builds from the published sdist.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from verify.release.problems import Problems
from verify.release.project import Project
from verify.release.step import DIST_DIR_ENV

BUILD_TIMEOUT_S = 600


class BuildError(Exception):
    """`python -m build` failed or produced something other than one sdist and one wheel."""


@dataclass(frozen=True, slots=True)
class Dists:
    sdist: Path
    wheel: Path


def found(directory: Path) -> Dists | None:
    """The one sdist and one wheel in `directory`, or None unless there is exactly one each."""
    sdists = sorted(directory.glob("scrypath-*.tar.gz"))
    wheels = sorted(directory.glob("scrypath-*.whl"))
    if len(sdists) == 1 and len(wheels) == 1:
        return Dists(sdists[0], wheels[0])
    return None


def build(root: Path, directory: Path) -> Dists:
    """Build both dists from `root` into `directory`, replacing any it held."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in [*directory.glob("scrypath-*.whl"), *directory.glob("scrypath-*.tar.gz")]:
        stale.unlink()
    argv = [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(directory)]
    done = subprocess.run(
        argv, cwd=root, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise BuildError("python -m build failed: " + " | ".join(tail))
    dists = found(directory)
    if dists is None:
        raise BuildError(f"python -m build did not leave one sdist and one wheel in {directory}")
    return dists


def shared(root: Path, scratch: Path) -> Dists:
    """The run's shared dists (from `SCRYPATH_RELEASE_DIST_DIR`), else a build in `scratch`.

    The first check of a run builds into the shared directory; later checks reuse it.
    """
    named = os.environ.get(DIST_DIR_ENV, "").strip()
    directory = Path(named) if named else scratch
    existing = found(directory) if directory.is_dir() else None
    return existing if existing is not None else build(root, directory)


def check_built(
    project: Project, area: str, checks: Callable[[Dists, str, Path], list[str]]
) -> Problems:
    """The problems `checks` finds in the run's dists (given the version and a scratch
    directory); a build that fails is the one problem, since there is nothing to check."""
    problems = Problems(area)
    version = project.version() or "unknown"
    with tempfile.TemporaryDirectory(prefix=f"scrypath-{area}-") as tmp:
        work = Path(tmp)
        try:
            dists = shared(project.root, work / "dist")
        except BuildError as exc:
            problems.add(str(exc))
            return problems
        for line in checks(dists, version, work):
            problems.add(line)
    return problems
