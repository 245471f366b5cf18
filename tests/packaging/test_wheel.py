"""The wheel ships the `scrypath` package and its metadata, and nothing else."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import scrypath

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
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"scrypath", f"scrypath-{scrypath.__version__}.dist-info"}
    assert "scrypath/py.typed" in names
    assert "scrypath/testing/meilisearch/__main__.py" in names
    entry_points = (
        zipfile.ZipFile(wheel)
        .read(f"scrypath-{scrypath.__version__}.dist-info/entry_points.txt")
        .decode()
    )
    assert "scrypath = scrypath.cli:run" in entry_points
    assert "scrypath = scrypath.testing.pytest_plugin" in entry_points
