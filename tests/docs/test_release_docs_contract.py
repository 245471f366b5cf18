"""The release docs say how to cut a release, and agree with phase11 and the workflows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from verify.phases import phase11
from verify.release.__main__ import CHECKS
from verify.release.__main__ import main as release_main
from verify.release.tags import accepts
from verify.release.workflow_file import load

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "releasing.md"
TEXT = PAGE.read_text(encoding="utf-8")
FLAT = " ".join(TEXT.split())


def _numbered_steps(text: str) -> list[str]:
    section = text.split("## Cut a release", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\d+\. (.+(?:\n(?!\d+\. ).*)*)", section, re.MULTILINE)


def test_the_page_is_in_the_nav_and_linked_from_contributing() -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    assert "releasing.md" in str(nav)
    assert "(releasing.md)" in (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")


def test_the_release_steps_are_numbered_and_in_order() -> None:
    steps = _numbered_steps(TEXT)
    assert len(steps) >= 6
    order = [
        "scrypath/__init__.py",
        "CHANGELOG.md",
        "python -m verify release",
        "git tag -a vX.Y.Z",
        "git push origin vX.Y.Z",
        "trusted publishing",
        ".dev0",
    ]
    joined = "\n".join(steps)
    positions = [joined.find(marker) for marker in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)


def test_phase11_its_coverage_line_and_its_test_files_are_documented() -> None:
    assert "python -m verify phase11" in TEXT
    assert "python -m verify release" in TEXT
    assert " ".join(phase11.PHASE.description.split()) in FLAT
    for name in phase11.TEST_FILES:
        assert f"`{name}`" in TEXT


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_every_release_check_is_documented(check: str) -> None:
    assert f"`python -m verify.release {check}`" in TEXT


def test_the_documented_ok_line_is_the_real_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert release_main(["agreement"]) == 0
    real = capsys.readouterr().out.strip()
    assert f"$ python -m verify.release agreement\n{real}\n" in TEXT


def test_trusted_publishing_is_documented_as_the_workflow_does_it() -> None:
    release = load(ROOT / ".github" / "workflows" / "release.yml")
    publish = release.jobs["publish"]
    environment = publish["environment"]
    name = environment["name"] if isinstance(environment, dict) else environment
    assert "trusted publishing" in TEXT
    assert "id-token: write" in FLAT
    assert "pypa/gh-action-pypi-publish" in TEXT
    assert f"environment `{name}`" in FLAT
    assert "no stored token" in TEXT


def test_the_changelog_rule_is_documented() -> None:
    assert "## [Unreleased]" in TEXT
    assert "## [X.Y.Z] - YYYY-MM-DD" in TEXT
    assert "changelog rule" in TEXT


def test_documented_tags_are_the_ones_the_release_workflow_accepts() -> None:
    patterns = load(ROOT / ".github" / "workflows" / "release.yml").tag_patterns()
    for tag in ("v1.2.3", "v1.2.3a1", "v1.2.3b1", "v1.2.3rc1"):
        assert f"`{tag}`" in TEXT
        assert accepts(patterns, tag)
    assert "`0.2.0.dev0`" in TEXT
    assert not accepts(patterns, "v0.2.0.dev0")


def test_the_verify_entry_point_decision_is_documented() -> None:
    assert "`scrypath.verify`" in TEXT
    assert "not in the wheel" in TEXT
    assert "`ENTRY_POINT_GROUP` in `verify/hookspecs.py`" in TEXT


def test_the_workflows_are_not_claimed_to_have_run() -> None:
    assert "a passing phase11 does not mean they ran" in FLAT
