"""Each numbered phase fails when what it covers breaks, and passes when it is intact.

Each test breaks one thing a phase promises to guard, in a copy of the docs tree, and
runs the phase's own contract step (the same step object the phase runs) against the
copy through `SCRYPATH_DOCS_ROOT`: the step must fail there and pass on the intact copy.
Phase 11's agreement check is a function of a project tree, so its test breaks a copied
project instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from verify.phases import phase11, phase14, phase20, phase26, phase28
from verify.release.agreement import check_agreement
from verify.release.project import CHANGELOG, VERSION_FILE, WORKFLOWS, Project
from verify.steps import PytestStep, StepContext

ROOT = Path(__file__).resolve().parents[2]
DOCS_ROOT_VARIABLE = "SCRYPATH_DOCS_ROOT"

Edit = Callable[[Path], None]


def replace_in(relative: str, old: str, new: str) -> Edit:
    """An edit of one docs page that refuses to be a no-op."""

    def edit(docs: Path) -> None:
        page = docs / relative
        text = page.read_text(encoding="utf-8")
        assert old in text, f"{relative} no longer holds {old!r}: update this fixture"
        page.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def docs_copy(where: Path, edit: Edit | None = None) -> Path:
    """The docs tree (and mkdocs.yml beside it) copied under `where`, then edited."""
    where.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", where / "mkdocs.yml")
    docs = shutil.copytree(ROOT / "docs", where / "docs")
    if edit is not None:
        edit(docs)
    return docs


def run_step(step: PytestStep, docs: Path) -> int:
    env = {**os.environ, DOCS_ROOT_VARIABLE: str(docs)}
    return step.run(StepContext(ROOT, env))


def assert_step_guards(
    step: PytestStep, edit: Edit, failing: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The step fails on the broken copy, in the test named `failing`, and passes intact."""
    code = run_step(step, docs_copy(tmp_path / "broken", edit))
    output = capfd.readouterr().out
    assert code != 0, "the broken tree passed"
    assert f"FAILED {failing}" in output, f"the step failed, but not in {failing}"
    assert run_step(step, docs_copy(tmp_path / "intact")) == 0, capfd.readouterr().out[-3000:]


def test_phase14_fails_on_a_changed_cli_line_in_the_docs(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert phase14.DOCS_CONTRACT in phase14.PHASE.steps
    edit = replace_in(
        "operations/cli.md",
        "$ scrypath status myapp.models:Product --import myapp.search --json",
        "$ scrypath status myapp.models:Product --import myapp.search --bogus",
    )
    failing = "tests/docs/test_docs_examples.py::test_every_scrypath_command_in_the_docs_parses"
    assert_step_guards(phase14.DOCS_CONTRACT, edit, failing, tmp_path, capfd)


def test_phase20_fails_when_the_faceted_guide_misses_an_option(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert phase20.GUIDE_CONTRACT in phase20.PHASE.steps
    edit = replace_in("guide/faceted-search.md", "max_values_per_facet", "max_facet_values")
    failing = (
        "tests/docs/test_faceted_guide_contract.py"
        "::test_the_guide_names_the_faceting_settings_the_declaration_becomes"
    )
    assert_step_guards(phase20.GUIDE_CONTRACT, edit, failing, tmp_path, capfd)


def test_phase26_fails_when_the_cli_page_misses_the_class_rollup(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert phase26.DOCS_CONTRACT in phase26.PHASE.steps
    edit = replace_in("operations/cli.md", "Failed work by class:", "Failures:")
    failing = (
        "tests/docs/test_operator_docs_contract.py"
        "::test_the_cli_page_names_its_flags_and_pins_the_output_lines"
    )
    assert_step_guards(phase26.DOCS_CONTRACT, edit, failing, tmp_path, capfd)


def test_phase28_fails_when_the_drift_page_misses_a_dimension(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert phase28.OPERATOR_DOCS_CONTRACT in phase28.PHASE.steps
    edit = replace_in(
        "operations/cli.md", "`sortable_attributes`, `faceting` and", "`faceting` and"
    )
    failing = (
        "tests/docs/test_operator_docs_contract.py"
        "::test_the_drift_signals_and_dimensions_are_shown_in_contract_order"
    )
    assert_step_guards(phase28.OPERATOR_DOCS_CONTRACT, edit, failing, tmp_path, capfd)


def project_copy(where: Path, version: str | None = None) -> Project:
    """The files the agreement check reads, copied; optionally with another `__version__`."""
    for relative in ("pyproject.toml", VERSION_FILE, CHANGELOG, f"{WORKFLOWS}/release.yml"):
        (where / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, where / relative)
    if version is not None:
        version_file = where / VERSION_FILE
        current = Project(where).version()
        text = version_file.read_text(encoding="utf-8")
        version_file.write_text(
            text.replace(f'__version__ = "{current}"', f'__version__ = "{version}"'),
            encoding="utf-8",
        )
        assert Project(where).version() == version
    return Project(where)


def test_phase11_fails_when_the_version_and_the_changelog_disagree(tmp_path: Path) -> None:
    checks = [getattr(step, "check", None) for step in phase11.PHASE.steps]
    assert "agreement" in checks, "phase11 runs the agreement check this test breaks"
    intact = check_agreement(project_copy(tmp_path / "intact"), env={})
    assert not intact, intact.lines
    broken = check_agreement(project_copy(tmp_path / "broken", version="9.9.9"), env={})
    assert broken, "a version the changelog never released passed the agreement check"
    assert any("9.9.9" in line for line in broken.lines), broken.lines
