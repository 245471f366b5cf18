"""The pytest plugin's database side, seen from a user's test run: fixture, summary, counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from scrypath.testing.provisioning import (
    DATABASE_PROVIDER_ENV,
    DATABASE_URL_ENV,
    REQUIRE_POSTGRES_ENV,
    ProvisionedDatabase,
)
from scrypath.testing.provisioning.absences import COUNTS_ENV

USER_TESTS = """
import pytest
from sqlalchemy import create_engine, text

from scrypath.testing.provisioning.absences import openapi_skip_reason


@pytest.mark.parametrize("n", range({needing}))
def test_needs_postgres(postgres_database, n):
    engine = create_engine(postgres_database.url)
    with engine.connect() as connection:
        assert connection.execute(text("select 1")).scalar_one() == 1
    engine.dispose()


def test_plain():
    assert True


def test_skipped_for_another_reason():
    pytest.skip("not today")


@pytest.mark.skipif({openapi}, reason=openapi_skip_reason(__import__("pathlib").Path("x.json")))
def test_needs_the_openapi_description():
    assert True
"""


def run_user_suite(
    tmp_path: Path,
    *args: str,
    needing: int = 1,
    openapi: bool = False,
    **env_overrides: str,
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user_db.py").write_text(
        USER_TESTS.format(needing=needing, openapi=openapi), encoding="utf-8"
    )
    inherited = os.environ.items()
    env = {k: v for k, v in inherited if not k.startswith("SCRYPATH_TEST_") and k != COUNTS_ENV}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def summary(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("scrypath: ")]


def test_without_postgres_the_tests_skip_and_the_summary_counts_them(tmp_path: Path) -> None:
    result = run_user_suite(tmp_path, needing=3, **{DATABASE_PROVIDER_ENV: "sqlite"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 4 skipped" in result.stdout
    lines = summary(result)
    assert lines[0].startswith("scrypath: no PostgreSQL for this run, SQLite only (external: ")
    assert "cluster: not selected (provider pinned to sqlite)" in lines[0]
    assert "scrypath: 3 tests skipped for the lack of PostgreSQL" in lines


def test_require_postgres_turns_the_skips_into_failures_naming_each_reason(
    tmp_path: Path,
) -> None:
    for args, env in (
        (("--require-postgres",), {DATABASE_PROVIDER_ENV: "sqlite"}),
        ((), {DATABASE_PROVIDER_ENV: "sqlite", REQUIRE_POSTGRES_ENV: "1"}),
    ):
        result = run_user_suite(tmp_path, *args, needing=2, **env)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "2 passed, 1 skipped, 2 errors" in result.stdout
        assert "PostgreSQL is required" in result.stdout
        assert "external: not selected (provider pinned to sqlite)" in result.stdout
        assert "testcontainers: not selected (provider pinned to sqlite)" in result.stdout
        assert "scrypath: 0 tests skipped for the lack of PostgreSQL" in summary(result)


def test_an_external_url_serves_and_is_shown_without_its_password(
    tmp_path: Path, postgres_database: ProvisionedDatabase
) -> None:
    result = run_user_suite(tmp_path, **{DATABASE_URL_ENV: postgres_database.url})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed, 1 skipped" in result.stdout
    lines = summary(result)
    assert "served by external (external URL)" in lines[0]
    assert f"PostgreSQL {postgres_database.version} " in lines[0]
    assert postgres_database.display_url in lines[0]
    assert "scrypath: 0 tests skipped for the lack of PostgreSQL" in lines


def test_a_malformed_url_stops_pytest_before_any_test_runs(tmp_path: Path) -> None:
    secret = "pw-that-must-not-leak"
    result = run_user_suite(tmp_path, **{DATABASE_URL_ENV: f"postgresql://u:{secret}@h:port/d"})
    assert result.returncode == 4, result.stdout + result.stderr
    assert DATABASE_URL_ENV in result.stderr
    assert secret not in result.stdout + result.stderr


def test_runs_that_never_ask_for_postgres_print_nothing_about_it(tmp_path: Path) -> None:
    result = run_user_suite(tmp_path, "-k", "plain", **{DATABASE_PROVIDER_ENV: "sqlite"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary(result) == []


def test_openapi_skips_are_counted_with_the_variable_that_enables_them(tmp_path: Path) -> None:
    result = run_user_suite(tmp_path, "-k", "openapi", openapi=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary(result) == [
        "scrypath: 1 test skipped for the lack of Meilisearch's OpenAPI description"
        " (set SCRYPATH_MEILISEARCH_OPENAPI to its path)"
    ]


def test_under_xdist_the_controller_counts_every_workers_skips_and_writes_them(
    tmp_path: Path,
) -> None:
    counts = tmp_path / "counts.json"
    result = run_user_suite(
        tmp_path,
        "-n",
        "2",
        needing=5,
        openapi=True,
        **{DATABASE_PROVIDER_ENV: "sqlite", COUNTS_ENV: str(counts)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = summary(result)
    assert "scrypath: 5 tests skipped for the lack of PostgreSQL" in lines
    workers = [line for line in lines if "no PostgreSQL for this run" in line]
    assert 1 <= len(workers) <= 2, "one line per worker that asked"
    assert json.loads(counts.read_text(encoding="utf-8")) == {"postgres": 5, "openapi": 1}
