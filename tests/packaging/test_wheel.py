"""The wheel ships the `scrypath` package and its metadata, and nothing else.

The content rules are the release checks' own (`verify.release.contents`), applied here
to a real wheel built from this tree.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import scrypath
from verify.release.contents import wheel_problems
from verify.release.unpack import member_names

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_scrypath_only(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("scrypath-*.whl")
    names = member_names(wheel)
    assert wheel_problems(names, scrypath.__version__) == []
    assert "scrypath/testing/meilisearch/__main__.py" in names
    dist_info = f"scrypath-{scrypath.__version__}.dist-info"
    entry_points = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "scrypath = scrypath.cli:run" in entry_points
    assert "scrypath = scrypath.testing.pytest_plugin" in entry_points
    assert "scrypath.verify" not in entry_points
