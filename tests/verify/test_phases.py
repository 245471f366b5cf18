"""The numbered phases, the aggregates and `--list`: what each phase covers, and in what order.

The proof that each phase fails when what it covers breaks lives in
`test_phase_breakage.py`.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from verify import __main__ as verify_main
from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.phases import aggregates, phase11, phase14, phase20, phase26, phase28
from verify.registry import VerifyError, collect_phases, coverage_lines, expand, plugin_manager
from verify.runner import Run
from verify.steps import DocsStep, PytestStep

ROOT = Path(__file__).resolve().parents[2]
NUMBERED = {
    "phase14": phase14.PHASE,
    "phase20": phase20.PHASE,
    "phase26": phase26.PHASE,
    "phase28": phase28.PHASE,
    "phase11": phase11.PHASE,
}
VerifyCli = Callable[..., subprocess.CompletedProcess[str]]


def registered() -> dict[str, Phase]:
    return collect_phases(plugin_manager())


def test_list_prints_every_coverage_line_and_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_main.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name, description in coverage_lines().items():
        assert f"{name}: {description}" in lines
    for phase in NUMBERED.values():
        start = lines.index(f"{phase.name}: {phase.description}")
        listed = lines[start + 1 : start + 1 + len(phase.steps)]
        assert listed == [f"    - [{step.kind}] {step.label}" for step in phase.steps]


def test_list_shows_an_aggregate_as_its_member_phases(capsys: pytest.CaptureFixture[str]) -> None:
    verify_main.main(["--list"])
    lines = capsys.readouterr().out.splitlines()
    start = lines.index(f"premerge: {aggregates.PREMERGE.description}")
    assert lines[start + 1 : start + 5] == [
        "    - [phase] phase14",
        "    - [phase] phase20",
        "    - [phase] phase26",
        "    - [phase] phase28",
    ]


def test_coverage_lines_name_every_registered_phase_with_its_description() -> None:
    lines = coverage_lines()
    assert list(lines) == list(registered())
    assert {*NUMBERED, "premerge", "release"} <= set(lines)
    assert lines["premerge"] == "phases 14, 20, 26 and 28, in that order"
    assert lines["release"] == "phase11, the release path"
    for name, phase in NUMBERED.items():
        assert lines[name] == phase.description


def test_the_contributing_page_lists_every_phase_with_its_coverage_line() -> None:
    text = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    table = text.split("### The phases", 1)[1].split("\n#", 1)[0]
    rows = dict(re.findall(r"^\| `([\w-]+)` +\| (.+?) *\|$", table, flags=re.MULTILINE))
    assert rows == coverage_lines()


def test_premerge_runs_phases_14_20_26_28_in_that_order() -> None:
    assert [phase.name for phase in expand(registered(), ["premerge"])] == [
        "phase14",
        "phase20",
        "phase26",
        "phase28",
    ]


def test_release_runs_phase11() -> None:
    assert expand(registered(), ["release"]) == [phase11.PHASE]


def test_a_phase_named_twice_or_inside_an_aggregate_runs_once() -> None:
    names = [p.name for p in expand(registered(), ["phase26", "premerge", "phase26", "release"])]
    assert names == ["phase26", "phase14", "phase20", "phase28", "phase11"]


def test_main_hands_the_runner_the_member_phases(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(
        Run, "run_phases", lambda self, phases: seen.append([p.name for p in phases])
    )
    monkeypatch.setattr(verify_main, "summary", lambda run: "")
    assert verify_main.main(["premerge"]) == 0
    assert seen == [["phase14", "phase20", "phase26", "phase28"]]


@pytest.mark.parametrize("argv", [["phase99"], ["premerge", "phase99"], ["phase14", "PREMERGE"]])
def test_an_unknown_phase_exits_1_and_runs_nothing(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[object] = []
    monkeypatch.setattr(Run, "run_phases", lambda self, phases: ran.append(phases))
    assert verify_main.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("verify: error: unknown phase ")
    assert "premerge" in err and "phase28" in err, "the error lists the known phases"
    assert ran == []


class _Aggregates:
    def __init__(self, *phases: Phase) -> None:
        self.phases = list(phases)

    @hookimpl
    def verify_phases(self) -> list[Phase]:
        return self.phases


def test_an_aggregate_naming_an_unknown_phase_is_an_error_at_start_up() -> None:
    manager = plugin_manager(_Aggregates(Phase("nightly", "d", members=("phase14", "phase404"))))
    with pytest.raises(VerifyError, match="aggregate 'nightly' names unknown phase 'phase404'"):
        collect_phases(manager)


def test_an_aggregate_that_includes_itself_is_an_error_at_start_up() -> None:
    loop = _Aggregates(Phase("a", "d", members=("b",)), Phase("b", "d", members=("a",)))
    with pytest.raises(VerifyError, match="includes itself: a -> b -> a"):
        collect_phases(plugin_manager(loop))


def test_a_phase_has_steps_or_members_never_both() -> None:
    with pytest.raises(ValueError, match="both steps and member phases"):
        Phase("mixed", "d", (DocsStep(),), members=("phase14",))


def test_every_numbered_phase_ends_with_the_strict_docs_build() -> None:
    for phase in (phase14.PHASE, phase20.PHASE, phase26.PHASE, phase28.PHASE):
        assert isinstance(phase.steps[-1], DocsStep), phase.name
        assert phase.steps[0].kind == "pytest", phase.name


@pytest.mark.parametrize("phase", [phase26.PHASE, phase28.PHASE], ids=lambda p: p.name)
def test_phases_that_ask_for_it_run_every_pytest_step_with_warnings_as_errors(
    phase: Phase,
) -> None:
    steps = [step for step in phase.steps if isinstance(step, PytestStep)]
    assert steps
    assert all(step.warnings_as_errors and "-W" in step.argv() for step in steps)


def _listed_files(phase: Phase) -> list[str]:
    return [
        target for step in phase.steps if isinstance(step, PytestStep) for target in step.targets
    ]


@pytest.mark.parametrize("phase", list(NUMBERED.values()), ids=lambda p: p.name)
def test_every_test_file_a_phase_lists_exists(phase: Phase) -> None:
    files = _listed_files(phase)
    assert files and len(files) == len(set(files))
    assert [name for name in files if not (ROOT / name).exists()] == []


def test_the_phases_cover_what_their_lines_say() -> None:
    """A few anchors per line, so a step cannot silently lose what its phase promises."""
    anchors = {
        "phase14": ["tests/cli/test_entry.py", "tests/docs/test_docs_contract.py"],
        "phase20": [
            "tests/testing/meilisearch/search/test_search_facets.py",
            "tests/cli/test_settings_cli.py",
            "tests/test_search.py",
            "tests/docs/test_faceted_guide_contract.py",
        ],
        "phase26": [
            "tests/operator/test_failed.py",
            "tests/operator/test_reconcile.py",
            "tests/cli/test_operator_cli.py",
            "tests/docs/test_operator_docs_contract.py",
        ],
        "phase28": ["tests/operator/test_contract_drift.py", "tests/cli/test_index_drift_cli.py"],
    }
    for name, files in anchors.items():
        assert set(files) <= set(_listed_files(NUMBERED[name])), name


def test_premerge_runs_every_cli_and_operator_test_file() -> None:
    """Phases split the CLI tests by what their lines name; together they miss none."""
    covered = {
        name for phase in expand(registered(), ["premerge"]) for name in _listed_files(phase)
    }
    files = sorted(ROOT.glob("tests/cli/test_*.py")) + sorted(ROOT.glob("tests/operator/test_*.py"))
    relative = [path.relative_to(ROOT).as_posix() for path in files]
    assert [name for name in relative if name not in covered] == []


def test_the_example_step_appears_once_the_example_exists(tmp_path: Path) -> None:
    assert phase20._example_step(tmp_path) == ()
    (tmp_path / phase20.EXAMPLE).mkdir(parents=True)
    assert phase20._example_step(tmp_path) == ()
    for target in phase20.EXAMPLE_TESTS:
        (tmp_path / target).mkdir(parents=True)
    (step,) = phase20._example_step(tmp_path)
    assert isinstance(step, PytestStep) and step.targets == phase20.EXAMPLE_TESTS
    assert step.argv()[-4:] == [
        "-c",
        f"{phase20.EXAMPLE}/pyproject.toml",
        "--rootdir",
        "examples/catalog",
    ]


def test_phase20_runs_the_example_tests_when_the_repository_has_them() -> None:
    has_example = (ROOT / phase20.EXAMPLE_TESTS[0]).is_dir()
    labels = [step.label for step in phase20.PHASE.steps]
    assert ("pytest: the example app's tests" in labels) == has_example


AGGREGATE_PLUGIN = """
from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.steps import CommandStep

@hookimpl
def verify_phases():
    return [
        Phase("first", "One step.", (CommandStep("one", ("{python}", "-c", "pass")),)),
        Phase("second", "One step.", (CommandStep("two", ("{python}", "-c", "pass")),)),
        Phase("both", "first, then second", members=("first", "second")),
    ]
"""


def test_an_aggregate_reports_each_step_under_its_member_phase(
    plugin_dir: Path,
    tmp_path: Path,
    verify_cli: VerifyCli,
    plugin_distribution: Callable[[Path, str, str], None],
) -> None:
    plugin_distribution(plugin_dir, "aggregate_phases", AGGREGATE_PLUGIN)
    report = tmp_path / "report.json"
    result = verify_cli("both", "--json", str(report), plugin_path=plugin_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "==> [first] one" in result.stdout
    assert "==> [second] two" in result.stdout
    summary = result.stdout.split("== verify summary ==")[1].splitlines()
    assert [row.split()[:2] for row in summary if row.startswith(("first", "second"))] == [
        ["first", "one"],
        ["second", "two"],
    ]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [phase["name"] for phase in data["phases"]] == ["first", "second"]
