"""The runner provisions PostgreSQL once, hands it to its pytest steps, and counts their skips."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from scrypath.testing.provisioning import (
    DATABASE_PROVIDER_ENV,
    DATABASE_SERVED_BY_ENV,
    DATABASE_URL_ENV,
    REQUIRE_POSTGRES_ENV,
    NoDatabaseError,
    ProvisionedDatabase,
    Skip,
)
from scrypath.testing.provisioning.absences import COUNTS_ENV, SkipCounts, write_counts
from scrypath.testing.provisioning.postgres_cluster import find_binaries
from tests.verify.conftest import verify_process
from verify import runner as runner_module
from verify.model import Phase
from verify.registry import VerifyError, plugin_manager
from verify.report import summary, to_json
from verify.runner import Run
from verify.steps import StepContext

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ProvisionedDatabase(
    "cluster",
    "postgresql+psycopg://postgres@127.0.0.1:54321/postgres",
    "throwaway cluster",
    "16.4",
    skipped=(Skip("external", f"{DATABASE_URL_ENV} is not set"),),
)


class DatabaseStep:
    """A step that runs tests: it records its environment and may write skip counts."""

    kind = "pytest"
    needs_meilisearch = False
    needs_database = True

    def __init__(self, label: str, counts: SkipCounts | None = None) -> None:
        self.label = label
        self.counts = counts
        self.seen: list[dict[str, str]] = []

    def run(self, context: StepContext) -> int:
        self.seen.append(dict(context.env))
        if self.counts is not None:
            write_counts(Path(context.env[COUNTS_ENV]), self.counts)
        return 0


class PlainStep(DatabaseStep):
    needs_database = False


@pytest.fixture(autouse=True)
def no_inherited_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A verify run above this test hands its own choice down; these tests make their own."""
    for variable in (DATABASE_SERVED_BY_ENV, DATABASE_PROVIDER_ENV, DATABASE_URL_ENV):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv(REQUIRE_POSTGRES_ENV, raising=False)
    monkeypatch.delenv(COUNTS_ENV, raising=False)


def stub_provisioning(
    monkeypatch: pytest.MonkeyPatch, outcome: ProvisionedDatabase | NoDatabaseError
) -> list[str]:
    events: list[str] = []

    def provision_database() -> ProvisionedDatabase:
        events.append("provisioned")
        if isinstance(outcome, NoDatabaseError):
            raise outcome
        return outcome

    monkeypatch.setattr(runner_module, "provision_database", provision_database)
    return events


def test_the_database_is_provisioned_once_and_handed_to_each_step_that_runs_tests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stopped: list[str] = []
    cluster = ProvisionedDatabase(
        CLUSTER.provider,
        CLUSTER.url,
        CLUSTER.kind,
        CLUSTER.version,
        CLUSTER.skipped,
        close=lambda: stopped.append("stopped"),
    )
    events = stub_provisioning(monkeypatch, cluster)
    plain, first, second = PlainStep("docs"), DatabaseStep("one"), DatabaseStep("two")
    run = Run(plugin_manager())
    run.run_phases([Phase("p", "d", (plain, first, second))])
    assert events == ["provisioned"]
    assert stopped == ["stopped"], "the runner stops what it started"
    assert DATABASE_URL_ENV not in plain.seen[0]
    assert COUNTS_ENV not in plain.seen[0]
    for step in (first, second):
        env = step.seen[0]
        assert env[DATABASE_URL_ENV] == CLUSTER.url
        assert env[DATABASE_PROVIDER_ENV] == "external"
        assert json.loads(env[DATABASE_SERVED_BY_ENV])["kind"] == "throwaway cluster"
    assert first.seen[0][COUNTS_ENV] != second.seen[0][COUNTS_ENV]


def test_skip_counts_are_summed_over_steps_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_provisioning(monkeypatch, CLUSTER)
    steps = (
        DatabaseStep("a", SkipCounts(postgres=2, openapi=1)),
        DatabaseStep("b", SkipCounts(postgres=3)),
        DatabaseStep("crashed before writing"),
    )
    run = Run(plugin_manager())
    run.run_phases([Phase("p", "d", steps)])
    text = summary(run)
    assert "PostgreSQL 16.4 served by cluster (throwaway cluster)" in text
    assert "5 tests skipped for the lack of PostgreSQL" in text
    assert "1 test skipped for the lack of Meilisearch's OpenAPI description" in text
    assert "skip counts unknown for: [p] crashed before writing" in text
    report = to_json(run)
    assert report["database"]["provider"] == "cluster"
    assert report["database"]["kind"] == "throwaway cluster"
    assert report["database"]["skipped_tests"] == 5
    assert report["database"]["counts_unknown"] == ["[p] crashed before writing"]
    assert report["openapi"] == {"skipped_tests": 1, "variable": "SCRYPATH_MEILISEARCH_OPENAPI"}


def test_without_postgres_the_steps_are_pinned_to_sqlite_with_the_reasons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reasons = (Skip("cluster", "no server binaries"), Skip("testcontainers", "no engine"))
    stub_provisioning(monkeypatch, NoDatabaseError(reasons))
    step = DatabaseStep("a", SkipCounts(postgres=7))
    run = Run(plugin_manager())
    run.run_phases([Phase("p", "d", (step,))])
    env = step.seen[0]
    assert env[DATABASE_PROVIDER_ENV] == "sqlite"
    assert DATABASE_URL_ENV not in env
    text = summary(run)
    assert "no PostgreSQL for this run, SQLite only (cluster: no server binaries;" in text
    assert "7 tests skipped for the lack of PostgreSQL" in text
    report = to_json(run)["database"]
    assert report["provider"] is None
    assert report["skipped"][0] == {"provider": "cluster", "reason": "no server binaries"}


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_required_postgres_stops_the_run_naming_every_reason(
    monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    reasons = (Skip("external", "unset"), Skip("cluster", "no server binaries"))
    stub_provisioning(monkeypatch, NoDatabaseError(reasons))
    if how == "environment":
        monkeypatch.setenv(REQUIRE_POSTGRES_ENV, "1")
    step = DatabaseStep("a")
    run = Run(plugin_manager(), require_postgres=how == "flag")
    with pytest.raises(VerifyError, match="PostgreSQL is required") as caught:
        run.run_phases([Phase("p", "d", (step,))])
    assert "cluster: no server binaries" in str(caught.value)
    assert step.seen == [], "no step runs without the database it needs"


def test_required_postgres_is_handed_to_the_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_provisioning(monkeypatch, CLUSTER)
    step = DatabaseStep("a")
    Run(plugin_manager(), require_postgres=True).run_phases([Phase("p", "d", (step,))])
    assert step.seen[0][REQUIRE_POSTGRES_ENV] == "1"


def test_a_malformed_url_stops_the_run_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, "not a url")
    with pytest.raises(VerifyError, match=DATABASE_URL_ENV):
        Run(plugin_manager()).run_phases([Phase("p", "d", (DatabaseStep("a"),))])


def test_a_run_without_test_steps_says_postgres_was_not_needed() -> None:
    run = Run(plugin_manager())
    run.run_phases([Phase("p", "d", (PlainStep("docs"),))])
    assert "PostgreSQL was not needed by these steps" in summary(run)
    assert to_json(run)["database"]["needed"] is False


RECORDING_TEST = """
def test_records_the_database(postgres_database):
    with open({seen!r}, "a", encoding="utf-8") as seen:
        seen.write(postgres_database.url + " " + postgres_database.provider + "\\n")
"""

TWO_STEP_PHASE = """
from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.steps import PytestStep

@hookimpl
def verify_phases():
    target = ({target!r},)
    return [Phase("dbtwice", "Two pytest steps that need PostgreSQL.", (
        PytestStep("first", target, extra_args=("-p", "no:cacheprovider")),
        PytestStep("second", target, extra_args=("-p", "no:cacheprovider")),
    ))]
"""


def run_verify(
    plugin_dir: Path, *args: str, **env_overrides: str
) -> subprocess.CompletedProcess[str]:
    inherited = os.environ.items()
    env = {k: v for k, v in inherited if not k.startswith("SCRYPATH_TEST_") and k != COUNTS_ENV}
    env.update(env_overrides, PYTHONPATH=os.pathsep.join([str(plugin_dir), str(ROOT)]))
    return verify_process(*args, env=env, timeout=300)


def two_step_plugin(
    tmp_path: Path, plugin_distribution: Callable[[Path, str, str], None]
) -> tuple[Path, Path]:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    seen = tmp_path / "seen.txt"
    target = tmp_path / "db_tests" / "test_records_db.py"
    target.parent.mkdir()
    target.write_text(RECORDING_TEST.format(seen=str(seen)), encoding="utf-8")
    plugin_distribution(plugins, "db_twice_phase", TWO_STEP_PHASE.format(target=str(target)))
    return plugins, seen


def test_a_throwaway_cluster_starts_once_for_the_whole_run(
    tmp_path: Path, plugin_distribution: Callable[[Path, str, str], None]
) -> None:
    if isinstance(find_binaries(os.environ), str):
        pytest.skip("needs PostgreSQL server binaries for the throwaway cluster")
    plugins, seen = two_step_plugin(tmp_path, plugin_distribution)
    report = tmp_path / "report.json"
    result = run_verify(plugins, "dbtwice", "--json", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    first, second = seen.read_text(encoding="utf-8").splitlines()
    assert first == second, "both steps used the same server"
    assert first.endswith(" cluster")
    assert "served by cluster (throwaway cluster)" in result.stdout
    assert "0 tests skipped for the lack of PostgreSQL" in result.stdout
    database = json.loads(report.read_text(encoding="utf-8"))["database"]
    assert (database["provider"], database["kind"]) == ("cluster", "throwaway cluster")
    url = first.split()[0]
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the cluster was stopped at the end"


def test_require_postgres_fails_the_run_when_none_can_be_provisioned(
    tmp_path: Path, plugin_distribution: Callable[[Path, str, str], None]
) -> None:
    plugins, seen = two_step_plugin(tmp_path, plugin_distribution)
    empty = tmp_path / "no-binaries"
    empty.mkdir()
    result = run_verify(
        plugins,
        "dbtwice",
        "--require-postgres",
        SCRYPATH_TEST_POSTGRES_BIN=str(empty),
        DOCKER_HOST="tcp://127.0.0.1:9",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "verify: error: PostgreSQL is required" in result.stderr
    assert "cluster: no initdb and pg_ctl in SCRYPATH_TEST_POSTGRES_BIN" in result.stderr
    assert f"external: {DATABASE_URL_ENV} is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert not seen.exists(), "no test ran"


def test_without_postgres_the_run_passes_and_counts_the_skips(
    tmp_path: Path, plugin_distribution: Callable[[Path, str, str], None]
) -> None:
    plugins, seen = two_step_plugin(tmp_path, plugin_distribution)
    result = run_verify(plugins, "dbtwice", **{DATABASE_PROVIDER_ENV: "sqlite"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no PostgreSQL for this run, SQLite only" in result.stdout
    assert "\n2 tests skipped for the lack of PostgreSQL" in result.stdout
    assert not seen.exists()
