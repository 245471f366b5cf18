"""Unpack both dists and check what they hold: shared by the smoke and the dist checks."""

from __future__ import annotations

from pathlib import Path

from verify.release.contents import sdist_problems, wheel_problems
from verify.release.dists import Dists
from verify.release.unpack import UnpackError, unpack


def inspect_dists(dists: Dists, version: str, workdir: Path) -> list[str]:
    """Every content problem of the wheel and the sdist, after unpacking each under `workdir`."""
    problems = []
    for archive, rules, label in (
        (dists.wheel, wheel_problems, "wheel"),
        (dists.sdist, sdist_problems, "sdist"),
    ):
        try:
            names = unpack(archive, workdir / label)
        except UnpackError as exc:
            problems.append(str(exc))
            continue
        problems += rules(names, version)
    return problems
