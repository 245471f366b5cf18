"""Package metadata: the real pyproject passes, and each broken fixture is reported."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scrypath
from verify.release.__main__ import main as release_main
from verify.release.metadata import check_metadata, normalize_label
from verify.release.project import Project

Edit = Callable[[str, str, str], None]


def test_the_real_project_passes_every_metadata_rule() -> None:
    assert check_metadata(Project()).lines == []


def test_the_command_prints_an_ok_line_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert release_main(["metadata"]) == 0
    assert capsys.readouterr().out.startswith("metadata: OK, ")


def test_an_unknown_check_is_a_usage_error_exiting_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert release_main(["bogus"]) == 1
    assert "one of: metadata, agreement, workflows, smoke, dist" in capsys.readouterr().err


def test_the_release_tree_fixture_passes_unbroken(release_tree: Project) -> None:
    assert check_metadata(release_tree).lines == []


def test_a_missing_url_is_reported(release_tree: Project, edit: Edit) -> None:
    edit("pyproject.toml", 'Issues = "https://github.com/scrypath/scrypath/issues"\n', "")
    assert check_metadata(release_tree).lines == ["project.urls has no 'issues' URL"]


def test_a_url_outside_the_source_repository_is_reported(release_tree: Project, edit: Edit) -> None:
    edit("pyproject.toml", "scrypath/scrypath/issues", "elsewhere/scrypath/issues")
    (line,) = check_metadata(release_tree).lines
    assert "'issues' is not under the source repository" in line


def test_a_second_hard_coded_version_is_reported(release_tree: Project) -> None:
    copy = release_tree.root / "scrypath" / "_version.py"
    copy.write_text(f"__version__ = {scrypath.__version__!r}\n", encoding="utf-8")
    assert check_metadata(release_tree).lines == [
        "scrypath/_version.py:1: hard-codes a version; read scrypath.__version__ instead"
    ]


def test_a_static_version_in_pyproject_is_reported(release_tree: Project, edit: Edit) -> None:
    edit("pyproject.toml", 'dynamic = ["version"]', f'version = "{scrypath.__version__}"')
    lines = check_metadata(release_tree).lines
    assert "pyproject.toml hard-codes project.version; it must be dynamic" in lines
    assert "project.dynamic does not list 'version'" in lines
    assert any(line.startswith("pyproject.toml:") for line in lines)


def test_every_problem_is_reported_together(release_tree: Project, edit: Edit) -> None:
    edit("pyproject.toml", 'Source = "https://github.com/scrypath/scrypath"\n', "")
    edit("pyproject.toml", '    "Operating System :: OS Independent",\n', "")
    edit("pyproject.toml", 'requires-python = ">=3.11"\n', "")
    (release_tree.root / "verify" / "extra.py").write_text(
        f"__version__ = {scrypath.__version__!r}\n", encoding="utf-8"
    )
    lines = check_metadata(release_tree).lines
    assert "project.urls has no 'source' URL" in lines
    assert "classifier 'Operating System :: OS Independent' is missing" in lines
    assert "project.requires-python is missing" in lines
    assert any(line.startswith("verify/extra.py:1:") for line in lines)


def test_a_license_classifier_next_to_the_expression_is_reported(
    release_tree: Project, edit: Edit
) -> None:
    edit(
        "pyproject.toml",
        '    "Operating System :: OS Independent",\n',
        '    "Operating System :: OS Independent",\n'
        '    "License :: OSI Approved :: Apache Software License",\n',
    )
    (line,) = check_metadata(release_tree).lines
    assert "a License classifier next to a license expression" in line


def test_an_invalid_license_expression_is_reported(release_tree: Project, edit: Edit) -> None:
    edit("pyproject.toml", 'license = "Apache-2.0"', 'license = "Apache 2"')
    assert check_metadata(release_tree).lines == [
        "project.license 'Apache 2' is not a valid SPDX expression"
    ]


def test_python_classifiers_must_match_requires_python(release_tree: Project, edit: Edit) -> None:
    edit("pyproject.toml", 'requires-python = ">=3.11"', 'requires-python = ">=3.12"')
    lines = check_metadata(release_tree).lines
    assert "classifier Python 3.11 is outside requires-python '>=3.12'" in lines


def test_an_unknown_classifier_is_reported(release_tree: Project, edit: Edit) -> None:
    edit("pyproject.toml", '"Topic :: Database",', '"Topic :: Databases",')
    assert check_metadata(release_tree).lines == ["unknown classifier 'Topic :: Databases'"]


def test_a_verify_plugin_the_wheel_does_not_ship_is_reported(
    release_tree: Project, edit: Edit
) -> None:
    edit(
        "pyproject.toml",
        "[project.urls]",
        '[project.entry-points."scrypath.verify"]\nrelease = "verify.phases.phase11"\n\n'
        "[project.urls]",
    )
    assert check_metadata(release_tree).lines == [
        "entry point scrypath.verify:release = 'verify.phases.phase11'"
        " points into 'verify.phases.phase11', which the wheel does not ship"
    ]


def test_a_console_script_to_a_missing_function_is_reported(
    release_tree: Project, edit: Edit
) -> None:
    edit("pyproject.toml", '"scrypath.cli:run"', '"scrypath.cli:start"')
    assert check_metadata(release_tree).lines == [
        "entry point scripts:scrypath = 'scrypath.cli:start' 'scrypath.cli' defines no 'start'"
    ]


def test_the_runner_must_load_the_documented_group(release_tree: Project, edit: Edit) -> None:
    edit("verify/hookspecs.py", 'ENTRY_POINT_GROUP = "scrypath.verify"', 'ENTRY_POINT_GROUP = "x"')
    assert check_metadata(release_tree).lines == [
        "verify/hookspecs.py loads the group 'x'; the documented one is 'scrypath.verify'"
    ]


def test_a_non_canonical_version_is_reported(release_tree: Project, edit: Edit) -> None:
    edit("scrypath/__init__.py", f'"{scrypath.__version__}"', '"1.0.0-RC1"')
    assert check_metadata(release_tree).lines == [
        "__version__ '1.0.0-RC1' is not in canonical form ('1.0.0rc1')"
    ]


@given(st.text(max_size=30))
def test_url_labels_normalise_idempotently(label: str) -> None:
    once = normalize_label(label)
    assert normalize_label(once) == once
    assert once == once.lower()
    assert not any(char in once for char in " -_.:/")
