"""The pytest plugin, seen from a user's test run: fixtures, summary line, fail-fast config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scrypath.testing.provisioning import FORCE_ENV, URL_ENV

USER_TEST = """
def test_uses_meilisearch(meilisearch, meilisearch_index_prefix):
    assert meilisearch.url.startswith("http://")
    assert meilisearch_index_prefix.startswith("t_")
    client = meilisearch.client
    task = client.create_index(meilisearch_index_prefix + "books", {"primaryKey": "id"})
    client.wait_for_task(task.task_uid)
    assert client.get_index(meilisearch_index_prefix + "books").primary_key == "id"

def test_does_not_use_meilisearch():
    assert True
"""


def run_user_suite(tmp_path: Path, **env_overrides: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user.py").write_text(USER_TEST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRYPATH_TEST_MEILISEARCH")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_summary_names_the_fake_and_why_others_were_skipped(tmp_path: Path) -> None:
    result = run_user_suite(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = [line for line in result.stdout.splitlines() if line.startswith("scrypath: ")]
    assert len(summary) == 1, result.stdout
    line = summary[0]
    assert "served by fake (scrypath's fake Meilisearch, not a real one)" in line
    assert f"external: {URL_ENV} is not set" in line
    assert "testcontainers: " in line


def test_runs_that_never_ask_for_meilisearch_print_nothing_about_it(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text("def test_x():\n    assert 1\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0
    assert "scrypath: " not in result.stdout


def test_malformed_url_stops_pytest_before_tests_run(tmp_path: Path) -> None:
    result = run_user_suite(tmp_path, **{URL_ENV: "meili:7700"})
    assert result.returncode == 4, result.stdout + result.stderr
    assert URL_ENV in result.stderr
    assert "passed" not in result.stdout


def test_pinned_provider_that_cannot_serve_skips_with_the_reason_chain(tmp_path: Path) -> None:
    result = run_user_suite(tmp_path, **{FORCE_ENV: "external"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    assert "no Meilisearch could be provisioned" in result.stdout
    assert f"external: {URL_ENV} is not set" in result.stdout
