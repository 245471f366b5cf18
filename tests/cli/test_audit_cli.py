"""`scrypath audit`: exit codes 0/2/1, exact lines, one JSON document, a progress line only
on a terminal; and `scrypath reconcile --include-document-drift --action repair` from audit
to a clean re-audit."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

import scrypath
from scrypath.cli.audit import progress_text
from scrypath.config import Config, configure
from scrypath.operator.audit_report import AuditProgress
from tests.cli.cli_support import Terminal, importable, run
from tests.conftest import Models, closed_port
from tests.operator.support import index_of
from tests.operator.test_audit import hand_delete, hand_write, seed_posts

APP = "audit_cli_app"
POST = f"{APP}:Post"


@pytest.fixture
def app(models: Models, scrypath_config: Config, monkeypatch: pytest.MonkeyPatch) -> Models:
    importable(monkeypatch, APP, models, "Post")
    configure(session_factory=models.database.sessions, poll_interval=0.002)
    return models


@pytest.fixture
def index(app: Models) -> str:
    seed_posts(app, 12)
    return index_of(app.Post, scrypath.config.resolve())


def test_a_matching_index_prints_the_ok_line_and_exits_0(
    index: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "audit", POST) == (
        0,
        f"Document audit OK for {POST} (index={index}): no drift the index equals the "
        "database (12 rows, 12 documents compared)\n",
        "",
    )


def test_drift_prints_each_kind_and_exits_2(
    index: str, meilisearch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    hand_delete(meilisearch, index, [4])
    hand_write(meilisearch, index, [{"id": 40, "title": "x"}, {"id": 5, "title": "edited"}])
    code, out, err = run(capsys, "audit", POST)
    assert (code, err) == (2, "")
    assert out.splitlines() == [
        f"DOCUMENT DRIFT for {POST} (index={index}) (12 rows, 12 documents compared)",
        "  ! missing: 1: 4",
        "  ! extra: 1: 40",
        "  ! stale: 1: 5",
        "Next steps:",
        f"  scrypath reconcile {POST} --include-document-drift --action repair: write exactly "
        "the drifted ids again",
        f"  scrypath audit {POST}: check again once the repair is delivered",
    ]


def test_json_is_one_document_with_the_same_exit_code(
    index: str, meilisearch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    hand_delete(meilisearch, index, [4])
    code, out, err = run(capsys, "audit", POST, "--json")
    assert (code, err) == (2, "")
    data = json.loads(out)
    assert data["version"] == 1
    assert data["missing"] == {"count": 1, "ids": [4], "truncated": False}
    assert data["sample"] is None


def test_a_sample_prints_its_estimates(index: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", POST, "--sample", "5")
    assert code == 0
    assert out.splitlines()[0].startswith("  sample: 0 of 5 rows drifted (estimated 0.00%")
    assert "no drift in the sample" in out.splitlines()[-1]


def test_audit_to_repair_to_a_clean_reaudit(
    index: str, meilisearch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    hand_delete(meilisearch, index, [2, 3])
    hand_write(meilisearch, index, [{"id": 99, "title": "deleted product"}])
    assert run(capsys, "audit", POST)[0] == 2
    code, out, _ = run(capsys, "reconcile", POST, "--include-document-drift")
    assert code == 0
    assert "Recommended actions: repair" in out.splitlines()
    code, out, err = run(
        capsys, "reconcile", POST, "--include-document-drift", "--action", "repair"
    )
    assert (code, err) == (0, "")
    assert "Applied: repair: " in out
    assert run(capsys, "audit", POST)[0] == 0


def test_repair_without_drift_is_refused_with_exit_1(
    index: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "reconcile", POST, "--include-document-drift", "--action", "repair"
    )
    assert (code, out) == (1, "")
    assert err.startswith("scrypath reconcile: error [action_not_recommended]: repair is not")


def test_the_progress_line_shows_on_a_terminal_only(
    index: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal_err = Terminal()
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr(sys, "stderr", terminal_err)
    monkeypatch.setenv("NO_COLOR", "1")
    assert run(capsys, "audit", POST)[0] == 0
    assert "auditing rows 12/12 (100%)" in terminal_err.getvalue()
    terminal_err.seek(0)
    terminal_err.truncate()
    assert run(capsys, "audit", POST, "--json")[0] == 0
    assert terminal_err.getvalue() == ""


def test_piped_output_has_no_progress_line(index: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "audit", POST)
    assert (code, err) == (0, "")


def test_progress_text_gives_rate_and_eta() -> None:
    text = progress_text(AuditProgress("rows", 25_000, 100_000, 5.0))
    assert text == "auditing rows 25,000/100,000 (25%)  5,000/s  ETA 15s"
    assert progress_text(AuditProgress("documents", 10, None, 0.0)) == "auditing documents 10  0/s"


def test_an_audit_that_cannot_run_exits_1(app: Models, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", POST)
    assert (code, out) == (1, "")
    assert err.startswith("scrypath audit: error [index_not_found]:")
    url = f"http://127.0.0.1:{closed_port()}"
    code, out, err = run(capsys, "audit", POST, "--meilisearch-url", url, "--json")
    assert (code, out) == (1, "")
    assert err.startswith("scrypath audit: error [transport]:")


@pytest.mark.parametrize("argv", [["audit"], ["audit", POST, "--sample", "0"], ["audit", "x:Y"]])
def test_usage_errors_exit_1_never_2(
    app: Models, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, *argv)[0] == 1
