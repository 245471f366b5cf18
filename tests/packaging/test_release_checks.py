"""Release checks: version agreement, the workflows, dist contents, and phase11's wiring."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import scrypath
from verify.phases import phase11
from verify.release.agreement import check_agreement
from verify.release.changelog import sections
from verify.release.dists import Dists, shared
from verify.release.inspection import inspect_dists
from verify.release.problems import Problems
from verify.release.project import Project
from verify.release.smoke import check_smoke, clean_env
from verify.release.step import DIST_DIR_ENV, DistWorkspace
from verify.release.tags import accepts, filter_regex
from verify.release.workflow_file import load
from verify.release.workflows import check_workflows

Edit = Callable[[str, str, str], None]
ROOT = Path(__file__).resolve().parents[2]
VERSION = scrypath.__version__
RELEASE_TAGS = load(ROOT / ".github/workflows/release.yml").tag_patterns()
NO_TAG_PUSH: dict[str, str] = {}


# --- agreement -------------------------------------------------------------------------


def test_the_real_version_changelog_and_workflow_agree() -> None:
    assert check_agreement(Project(), NO_TAG_PUSH).lines == []


def test_a_release_version_disagreeing_everywhere_reports_every_mismatch(
    release_tree: Project, edit: Edit
) -> None:
    edit("scrypath/__init__.py", f'"{VERSION}"', '"0.3.0"')
    edit(
        "CHANGELOG.md",
        "## [Unreleased]\n",
        "## [Unreleased]\n\n- pending\n\n## [0.2.0] - 2025-01-31\n",
    )
    edit(".github/workflows/release.yml", '      - "v[0-9]+.[0-9]+.[0-9]+"\n', "")
    lines = check_agreement(
        release_tree, {"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v0.2.0"}
    ).lines
    assert "version 0.3.0 is not the changelog's top release heading (0.2.0)" in lines
    assert "[Unreleased] still has entries, but 0.3.0 is a release: move them" in lines
    assert "release.yml is not triggered by this version's tag 'v0.3.0'" in lines
    assert "the pushed tag 'v0.2.0' is not this version's tag 'v0.3.0'" in lines
    assert len(lines) == 4


def test_a_release_version_matching_a_dated_heading_agrees(
    release_tree: Project, edit: Edit
) -> None:
    edit("scrypath/__init__.py", f'"{VERSION}"', '"0.3.0"')
    edit("CHANGELOG.md", "## [Unreleased]\n", "## [Unreleased]\n\n## [0.3.0] - 2025-02-01\n")
    env = {"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v0.3.0"}
    assert check_agreement(release_tree, env).lines == []


def test_an_undated_release_heading_is_reported(release_tree: Project, edit: Edit) -> None:
    edit("scrypath/__init__.py", f'"{VERSION}"', '"0.3.0"')
    edit("CHANGELOG.md", "## [Unreleased]\n", "## [Unreleased]\n\n## [0.3.0]\n")
    assert check_agreement(release_tree, NO_TAG_PUSH).lines == [
        "changelog heading [0.3.0] has no release date (YYYY-MM-DD)"
    ]


def test_a_dev_version_already_released_in_the_changelog_is_reported(
    release_tree: Project, edit: Edit
) -> None:
    edit("scrypath/__init__.py", f'"{VERSION}"', '"0.2.0.dev0"')
    edit("CHANGELOG.md", "## [Unreleased]\n", "## [0.2.0] - 2025-01-31\n")
    lines = check_agreement(release_tree, NO_TAG_PUSH).lines
    assert "0.2.0.dev0 is a development version, but the top heading is not [Unreleased]" in lines
    assert "the changelog already releases 0.2.0, not older than 0.2.0.dev0" in lines


def test_changelog_sections_keep_names_dates_and_entries() -> None:
    text = (
        "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2025-03-04\n\n- a\n\n[1.0.0]: https://x\n"
    )
    found = sections(text)
    assert [(s.name, s.date, s.has_entries) for s in found] == [
        ("Unreleased", None, False),
        ("1.0.0", "2025-03-04", True),
    ]


# --- tag patterns ----------------------------------------------------------------------

release_numbers = st.tuples(*[st.integers(min_value=0, max_value=999)] * 3).map(
    lambda t: ".".join(map(str, t))
)


@given(release_numbers, st.sampled_from(["", "a1", "b2", "rc10"]))
def test_the_release_workflow_triggers_on_every_release_tag(number: str, pre: str) -> None:
    assert accepts(RELEASE_TAGS, f"v{number}{pre}")


@given(release_numbers, st.sampled_from([".dev0", "+local", ".post1.dev3", "-beta"]))
def test_the_release_workflow_never_triggers_on_other_tags(number: str, suffix: str) -> None:
    assert not accepts(RELEASE_TAGS, f"v{number}{suffix}")
    assert not accepts(RELEASE_TAGS, number)


@given(st.text(alphabet="ab*?+.[]0-9v/!", max_size=12), st.text(alphabet="ab.0-9v/", max_size=12))
def test_tag_filter_patterns_compile_or_fail_with_value_error(pattern: str, tag: str) -> None:
    try:
        compiled = filter_regex(pattern)
    except ValueError:
        return
    compiled.fullmatch(tag)


@given(st.text(alphabet="abv0123456789.-_", min_size=1, max_size=16))
def test_a_pattern_without_special_characters_matches_only_itself(literal: str) -> None:
    assert accepts([literal], literal)
    assert not accepts([literal], literal + "x")
    assert not accepts([literal], "x" + literal)


def test_a_later_negated_pattern_excludes_a_tag() -> None:
    assert accepts(["v*"], "v1.0.0")
    assert not accepts(["v*", "!v1.*"], "v1.0.0")


# --- workflows -------------------------------------------------------------------------


def test_the_real_workflows_pass() -> None:
    assert check_workflows(Project()).lines == []


def _rewrite(project: Project, name: str, change: Callable[[dict[object, object]], None]) -> None:
    path = project.workflow(name)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _ci_job(data: dict[object, object]) -> dict[str, object]:
    jobs = data["jobs"]
    assert isinstance(jobs, dict)
    job = jobs["premerge"]
    assert isinstance(job, dict)
    return job


def test_a_ci_workflow_that_publishes_is_caught(release_tree: Project) -> None:
    def publish(data: dict[object, object]) -> None:
        job = _ci_job(data)
        job["permissions"] = {"id-token": "write"}
        steps = job["steps"]
        assert isinstance(steps, list)
        steps.append({"uses": "pypa/gh-action-pypi-publish@release/v1"})

    _rewrite(release_tree, "ci.yml", publish)
    lines = check_workflows(release_tree).lines
    assert "ci.yml: job premerge publishes (pypa/gh-action-pypi-publish@release/v1)" in lines
    assert "ci.yml: premerge grants id-token: write" in lines


def test_a_release_workflow_with_a_stored_token_is_caught(
    release_tree: Project, edit: Edit
) -> None:
    edit(
        ".github/workflows/release.yml",
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        with:\n          password: ${{ secrets.PYPI_API_TOKEN }}\n",
    )
    lines = check_workflows(release_tree).lines
    assert any(line.startswith("release.yml: line ") and "stored token" in line for line in lines)
    assert (
        "release.yml: job publish: pypa/gh-action-pypi-publish@release/v1"
        " is given a user or password" in lines
    )


def test_a_ci_workflow_without_a_meilisearch_service_is_caught(release_tree: Project) -> None:
    def drop(data: dict[object, object]) -> None:
        services = _ci_job(data)["services"]
        assert isinstance(services, dict)
        del services["meilisearch"]

    _rewrite(release_tree, "ci.yml", drop)
    assert check_workflows(release_tree).lines == [
        "ci.yml job premerge: no getmeili/meilisearch service container"
    ]


def test_ci_problems_are_reported_together(release_tree: Project, edit: Edit) -> None:
    ci = ".github/workflows/ci.yml"
    edit(ci, '["3.11", "3.12", "3.13"]', '["3.11", "3.12"]')
    edit(ci, "getmeili/meilisearch:v1.53.0", "getmeili/meilisearch:latest")
    edit(ci, "premerge --require-postgres", "premerge")
    edit(ci, "image: postgres:17", "image: postgres:latest")
    lines = check_workflows(release_tree).lines
    where = "ci.yml job premerge: "
    assert len(lines) == 5, lines
    assert any(line.startswith(where + "python-version matrix") for line in lines)
    assert (
        where + "Meilisearch image 'getmeili/meilisearch:latest' is not pinned to a v1.x.y tag"
        in lines
    )
    assert any("differs from the provisioning pin" in line for line in lines)
    assert where + "premerge does not run with --require-postgres" in lines
    assert where + "PostgreSQL image 'postgres:latest' is not pinned to a version" in lines


def test_a_literal_master_key_is_caught(release_tree: Project, edit: Edit) -> None:
    ci = ".github/workflows/ci.yml"
    edit(
        ci,
        "MEILI_MASTER_KEY: ci-master-key-${{ github.run_id }}-${{ github.run_attempt }}",
        "MEILI_MASTER_KEY: short",
    )
    lines = check_workflows(release_tree).lines
    assert "ci.yml job premerge: MEILI_MASTER_KEY is shorter than 16 bytes" in lines
    assert (
        "ci.yml job premerge: SCRYPATH_TEST_MEILISEARCH_KEY is not the service's master key"
        in lines
    )


def test_a_secret_named_setting_with_a_literal_value_is_caught(
    release_tree: Project, edit: Edit
) -> None:
    edit(".github/workflows/ci.yml", '      NO_COLOR: "1"\n', "      API_TOKEN: abcdefghijkl\n")
    assert check_workflows(release_tree).lines == [
        "ci.yml: job premerge env sets API_TOKEN to a literal value"
    ]


def test_a_release_without_phase11_or_trusted_publishing_is_caught(
    release_tree: Project, edit: Edit
) -> None:
    release = ".github/workflows/release.yml"
    edit(release, "run: python -m verify phase11", "run: python -m pytest")
    edit(release, "    permissions:\n      id-token: write\n", "")
    edit(
        release,
        "    environment:\n      name: pypi\n      url: https://pypi.org/project/scrypath/\n",
        "",
    )
    lines = check_workflows(release_tree).lines
    assert lines == [
        "release.yml: publish job publish lacks permissions: id-token: write",
        "release.yml: publish job publish names no environment",
        "release.yml: publish job publish does not run after 'python -m verify phase11'",
    ]


def test_a_release_triggered_by_branches_or_loose_tags_is_caught(
    release_tree: Project, edit: Edit
) -> None:
    edit(".github/workflows/release.yml", "on:\n  push:\n", "on:\n  pull_request:\n  push:\n")
    edit(".github/workflows/release.yml", '"v[0-9]+.[0-9]+.[0-9]+"', '"v*"')
    lines = check_workflows(release_tree).lines
    assert "release.yml: triggered by 'pull_request'; only a tag push may release" in lines
    assert "release.yml: tag pattern triggers on 'v1.2.3.dev0', which is not a release tag" in lines


def test_a_token_in_verify_code_is_reported_without_echoing_it(release_tree: Project) -> None:
    token = "pypi-" + "AgEIcHlwaS5vcmc" + "x" * 40
    (release_tree.root / "verify" / "leak.py").write_text(f"TOKEN = {token!r}\n", encoding="utf-8")
    out = io.StringIO()
    problems = check_workflows(release_tree)
    assert problems.report("ok", out) == 1
    assert "verify/leak.py:1: holds a PyPI API token" in out.getvalue()
    assert token not in out.getvalue()


def test_problems_report_every_line_then_a_verdict() -> None:
    problems = Problems("demo")
    out = io.StringIO()
    assert problems.report("all good", out) == 0
    assert out.getvalue() == "demo: OK, all good\n"
    problems.add("one")
    problems.add("two")
    out = io.StringIO()
    assert problems.report("all good", out) == 1
    assert out.getvalue() == "demo: one\ndemo: two\ndemo: FAILED, 2 problem(s)\n"


# --- dist contents ---------------------------------------------------------------------

GOOD_WHEEL = (
    "scrypath/__init__.py",
    "scrypath/py.typed",
    f"scrypath-{VERSION}.dist-info/METADATA",
    f"scrypath-{VERSION}.dist-info/entry_points.txt",
    f"scrypath-{VERSION}.dist-info/licenses/LICENSE",
)
GOOD_SDIST = tuple(
    f"scrypath-{VERSION}/{name}"
    for name in (
        "PKG-INFO",
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "docs/index.md",
        "tests/test_x.py",
        "scrypath/__init__.py",
    )
)


def _fake_dists(tmp_path: Path, wheel: tuple[str, ...], sdist: tuple[str, ...]) -> Dists:
    wheel_path = tmp_path / f"scrypath-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel_path, "w") as archive:
        for name in wheel:
            archive.writestr(name, "x")
    sdist_path = tmp_path / f"scrypath-{VERSION}.tar.gz"
    with tarfile.open(sdist_path, "w:gz") as archive:
        for name in sdist:
            info = tarfile.TarInfo(name)
            info.size = 1
            archive.addfile(info, io.BytesIO(b"x"))
    return Dists(sdist_path, wheel_path)


def test_clean_fake_dists_pass_inspection(tmp_path: Path) -> None:
    dists = _fake_dists(tmp_path, GOOD_WHEEL, GOOD_SDIST)
    assert inspect_dists(dists, VERSION, tmp_path / "unpacked") == []


def test_a_wheel_shipping_tests_is_caught(tmp_path: Path) -> None:
    dists = _fake_dists(tmp_path, (*GOOD_WHEEL, "tests/test_x.py"), GOOD_SDIST)
    assert inspect_dists(dists, VERSION, tmp_path / "unpacked") == [
        f"wheel ships tests/, but only scrypath/ and scrypath-{VERSION}.dist-info/ belong"
    ]


def test_an_sdist_holding_pycache_is_caught(tmp_path: Path) -> None:
    cached = f"scrypath-{VERSION}/scrypath/__pycache__/x.cpython-311.pyc"
    dists = _fake_dists(tmp_path, GOOD_WHEEL, (*GOOD_SDIST, cached))
    assert inspect_dists(dists, VERSION, tmp_path / "unpacked") == [
        "sdist holds scrypath/__pycache__/x.cpython-311.pyc: a cache (__pycache__)"
    ]


@pytest.mark.parametrize(
    ("member", "why"),
    [
        (".env", "a secret-looking file"),
        ("deploy/server.pem", "a secret-looking file"),
        ("site/index.html", "build leftovers (site/)"),
        ("scrypath.egg-info/PKG-INFO", "build leftovers (egg-info)"),
        (".venv/pyvenv.cfg", "a virtualenv"),
        (".mypy_cache/x.json", "a cache (.mypy_cache)"),
    ],
)
def test_sdist_leftovers_and_secrets_are_caught(tmp_path: Path, member: str, why: str) -> None:
    dists = _fake_dists(tmp_path, GOOD_WHEEL, (*GOOD_SDIST, f"scrypath-{VERSION}/{member}"))
    assert inspect_dists(dists, VERSION, tmp_path / "unpacked") == [f"sdist holds {member}: {why}"]


def test_an_sdist_without_docs_tests_or_changelog_is_caught(tmp_path: Path) -> None:
    kept = tuple(n for n in GOOD_SDIST if not n.endswith(("CHANGELOG.md", ".py", "index.md")))
    dists = _fake_dists(tmp_path, GOOD_WHEEL, kept)
    assert inspect_dists(dists, VERSION, tmp_path / "unpacked") == [
        "sdist lacks CHANGELOG.md",
        "sdist lacks docs/",
        "sdist lacks tests/",
        "sdist lacks scrypath/",
    ]


def test_an_archive_member_escaping_its_directory_is_refused(tmp_path: Path) -> None:
    dists = _fake_dists(tmp_path, (*GOOD_WHEEL, "../evil.py"), GOOD_SDIST)
    assert inspect_dists(dists, VERSION, tmp_path / "unpacked") == [
        f"{dists.wheel.name} holds '../evil.py', outside its own directory"
    ]
    assert not (tmp_path / "evil.py").exists()


# --- phase11 ---------------------------------------------------------------------------


def test_phase11_runs_the_release_path_in_order() -> None:
    assert phase11.PHASE.description == (
        "the release path: package metadata, a clean-consumer smoke, the release docs contract,"
        " the docs build, workflow and version-agreement checks, then build, check and unpack"
        " the sdist and wheel"
    )
    kinds = [(step.kind, getattr(step, "check", None)) for step in phase11.PHASE.steps]
    assert kinds == [
        ("pytest", None),
        ("command", "metadata"),
        ("command", "smoke"),
        ("docs", None),
        ("command", "workflows"),
        ("command", "agreement"),
        ("command", "dist"),
    ]
    assert phase11.verify_phases() == [phase11.PHASE]


def test_phase11_test_files_exist() -> None:
    for name in phase11.TEST_FILES:
        assert (ROOT / name).is_file(), name


def test_the_dist_workspace_clears_stale_dists_from_a_named_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "scrypath-0.0.1-py3-none-any.whl").write_text("old")
    (tmp_path / "notes.txt").write_text("kept")
    monkeypatch.setenv(DIST_DIR_ENV, str(tmp_path))
    workspace = DistWorkspace()
    assert workspace.path() == tmp_path.resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert workspace.path() == tmp_path.resolve()


def test_the_dist_workspace_defaults_to_a_temporary_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(DIST_DIR_ENV, raising=False)
    workspace = DistWorkspace()
    path = workspace.path()
    assert path.is_dir() and path.name.startswith("scrypath-release-")
    del workspace
    assert not path.exists()


def test_the_dist_checks_reuse_the_run_s_dists_without_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dists = _fake_dists(tmp_path, GOOD_WHEEL, GOOD_SDIST)
    monkeypatch.setenv(DIST_DIR_ENV, str(tmp_path))
    assert shared(tmp_path / "no-project-here", tmp_path / "unused") == dists


def test_a_failing_build_is_reported_as_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DIST_DIR_ENV, raising=False)
    (tmp_path / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    (tmp_path / "scrypath").mkdir()
    (tmp_path / "scrypath" / "__init__.py").write_text('__version__ = "1.0.0"\n')
    lines = check_smoke(Project(tmp_path)).lines
    assert len(lines) == 1
    assert lines[0].startswith("python -m build failed: ")


def test_the_consumer_environment_cannot_reach_the_source_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PYTHONHOME", str(ROOT))
    env = clean_env(tmp_path / "venv")
    assert "PYTHONPATH" not in env and "PYTHONHOME" not in env
    assert env["VIRTUAL_ENV"] == str(tmp_path / "venv")
    assert env["PATH"].split(os.pathsep)[0] == str(tmp_path / "venv" / "bin")
    assert env["PYTHONNOUSERSITE"] == "1"
