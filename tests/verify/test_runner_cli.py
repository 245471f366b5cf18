"""`python -m verify`: discovery, selection, failures, exit codes and the JSON report."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

VerifyCli = Callable[..., subprocess.CompletedProcess[str]]

PASSING_AND_FAILING = """
from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.steps import CommandStep

@hookimpl
def verify_phases():
    return [
        Phase("green", "Two passing commands.", (
            CommandStep("first ok", ("{python}", "-c", "print('one')")),
            CommandStep("second ok", ("{python}", "-c", "print('two')")),
        )),
        Phase("red", "Fails in the middle.", (
            CommandStep("before", ("{python}", "-c", "pass")),
            CommandStep("boom", ("{python}", "-c", "raise SystemExit(3)")),
            CommandStep("after", ("{python}", "-c", "print('SHOULD-NOT-RUN')")),
        )),
    ]
"""


def test_list_shows_builtin_phases_with_descriptions_and_steps(verify_cli: VerifyCli) -> None:
    result = verify_cli("--list")
    assert result.returncode == 0, result.stderr
    assert "tests: The whole pytest suite." in result.stdout
    assert "docs: The strict documentation build." in result.stdout
    assert "[docs] docs: mkdocs build --strict" in result.stdout


def test_entry_point_phases_are_discovered_after_builtins(
    plugin_dir: Path, verify_cli: VerifyCli, plugin_distribution: Callable[[Path, str, str], None]
) -> None:
    plugin_distribution(plugin_dir, "extra_phases", PASSING_AND_FAILING)
    result = verify_cli("--list", plugin_path=plugin_dir)
    assert result.returncode == 0, result.stderr
    assert "green: Two passing commands." in result.stdout
    assert result.stdout.index("tests:") < result.stdout.index("green:")


def test_unknown_phase_exits_1_naming_it_and_the_known_ones(verify_cli: VerifyCli) -> None:
    result = verify_cli("no-such-phase")
    assert result.returncode == 1
    assert "unknown phase 'no-such-phase'" in result.stderr
    known = result.stderr.split("known phases: ", 1)[1].strip().split(", ")
    assert known == sorted(known) and {"all", "docs", "tests", "premerge"} <= set(known)
    assert "Traceback" not in result.stderr


def test_unknown_option_exits_1_without_traceback(verify_cli: VerifyCli) -> None:
    result = verify_cli("docs", "--frobnicate")
    assert result.returncode == 1
    assert "unrecognized arguments: --frobnicate" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_phase_named_exits_1(verify_cli: VerifyCli) -> None:
    result = verify_cli()
    assert result.returncode == 1
    assert "name at least one phase" in result.stderr


def test_json_path_in_missing_directory_exits_1_before_running(
    tmp_path: Path, verify_cli: VerifyCli
) -> None:
    result = verify_cli("docs", "--json", str(tmp_path / "absent" / "report.json"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert "==>" not in result.stdout


def test_json_path_that_is_a_directory_exits_1(tmp_path: Path, verify_cli: VerifyCli) -> None:
    result = verify_cli("docs", "--json", str(tmp_path))
    assert result.returncode == 1
    assert "is a directory" in result.stderr


def test_failing_step_stops_its_phase_and_exits_1(
    plugin_dir: Path,
    tmp_path: Path,
    verify_cli: VerifyCli,
    plugin_distribution: Callable[[Path, str, str], None],
) -> None:
    plugin_distribution(plugin_dir, "extra_phases", PASSING_AND_FAILING)
    report = tmp_path / "report.json"
    result = verify_cli("red", "green", "--json", str(report), plugin_path=plugin_dir)
    assert result.returncode == 1
    assert "SHOULD-NOT-RUN" not in result.stdout
    assert "==> [red] boom" in result.stdout
    assert "FAILED (exit 3)" in result.stdout
    data = json.loads(report.read_text())
    red, green = data["phases"]
    assert [s["outcome"] for s in red["steps"]] == ["passed", "failed", "not_run"]
    assert red["outcome"] == "failed"
    assert green["outcome"] == "passed", "a failure stops its own phase, not the next one"
    assert data["outcome"] == "failed"


def test_json_report_shape(
    plugin_dir: Path,
    tmp_path: Path,
    verify_cli: VerifyCli,
    plugin_distribution: Callable[[Path, str, str], None],
) -> None:
    plugin_distribution(plugin_dir, "extra_phases", PASSING_AND_FAILING)
    report = tmp_path / "report.json"
    result = verify_cli("green", "--json", str(report), plugin_path=plugin_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert data["version"] == 1
    assert data["outcome"] == "passed"
    assert isinstance(data["duration_s"], float)
    assert data["meilisearch"]["provider"] is None
    assert data["meilisearch"]["needed"] is False
    (phase,) = data["phases"]
    assert phase["name"] == "green"
    assert [s["label"] for s in phase["steps"]] == ["first ok", "second ok"]
    step = phase["steps"][0]
    assert set(step) == {"label", "kind", "outcome", "duration_s", "returncode", "detail"}
    assert step["kind"] == "command" and step["returncode"] == 0


def test_summary_table_closes_the_run(
    plugin_dir: Path, verify_cli: VerifyCli, plugin_distribution: Callable[[Path, str, str], None]
) -> None:
    plugin_distribution(plugin_dir, "extra_phases", PASSING_AND_FAILING)
    result = verify_cli("green", plugin_path=plugin_dir)
    assert "== verify summary ==" in result.stdout
    assert "Result: passed" in result.stdout
    assert "Meilisearch was not needed by these steps" in result.stdout


def test_a_phase_name_registered_twice_is_an_error(
    plugin_dir: Path, verify_cli: VerifyCli, plugin_distribution: Callable[[Path, str, str], None]
) -> None:
    plugin_distribution(
        plugin_dir,
        "clashing_phases",
        """
        from verify.hookspecs import hookimpl
        from verify.model import Phase

        @hookimpl
        def verify_phases():
            return [Phase("docs", "A second docs phase.", ())]
        """,
    )
    result = verify_cli("--list", plugin_path=plugin_dir)
    assert result.returncode == 1
    assert "phase 'docs' is registered twice" in result.stderr
