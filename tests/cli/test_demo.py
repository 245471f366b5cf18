"""`scrypath demo`: the README's main job, end to end on embedded defaults."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def run_demo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = shutil.which("scrypath") or f"{sys.prefix}/bin/scrypath"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRYPATH_")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [script, "demo", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_demo_runs_end_to_end_and_says_it_used_the_fake(tmp_path: Path) -> None:
    result = run_demo("--count", "400", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Meilisearch: scrypath's fake Meilisearch (in process, not a real one)" in out
    assert "[1/4] Generated 400 products" in out
    assert "[3/4] Synced 400 documents inline" in out
    assert "category facet" in out and "brand facet" in out
    assert out.rstrip().splitlines()[-1].startswith("OK: demo finished in")
    assert list(tmp_path.iterdir()) == [], "the default database is temporary"


def test_demo_results_are_the_same_on_every_run(tmp_path: Path) -> None:
    def results(run: subprocess.CompletedProcess[str]) -> list[str]:
        lines = run.stdout.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("[4/4]"))
        return [line for line in lines[start:] if not line.startswith("OK:")]

    first = run_demo("--count", "300", cwd=tmp_path)
    second = run_demo("--count", "300", cwd=tmp_path)
    assert first.returncode == second.returncode == 0
    assert results(first) == results(second)
    assert "hits" in results(first)[0]


def test_demo_keeps_the_database_it_is_given(tmp_path: Path) -> None:
    database = tmp_path / "catalogue.sqlite3"
    result = run_demo("--count", "50", "--database", f"sqlite:///{database}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert database.is_file()


def test_demo_refuses_a_bad_count_with_exit_1(tmp_path: Path) -> None:
    result = run_demo("--count", "0", cwd=tmp_path)
    assert result.returncode == 1
    assert "Invalid value for '--count'" in result.stderr
