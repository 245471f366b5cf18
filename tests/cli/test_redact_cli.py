"""`--redact` on the operator commands: the same report, with no index name, host or record
id left in it, in lines and in JSON alike."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.cli.cli_support import run
from tests.cli.test_audit_cli import POST, app, index  # noqa: F401  (fixtures)
from tests.operator.test_audit import hand_delete, hand_write

DRIFTED = (4, 40, 5)


def survives(value: object, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(str(value))}(?![\w-])", text) is not None


@pytest.fixture
def drifted(index: str, meilisearch: Any) -> str:  # noqa: F811
    hand_delete(meilisearch, index, [4])
    hand_write(meilisearch, index, [{"id": 40, "title": "x"}, {"id": 5, "title": "edited"}])
    return index


@pytest.mark.parametrize(
    "command",
    [
        ("audit", POST),
        ("audit", POST, "--json"),
        ("status", POST),
        ("status", POST, "--json"),
        ("failed", POST, "--json"),
        ("reconcile", POST, "--include-document-drift"),
        ("reconcile", POST, "--include-document-drift", "--json"),
        ("index", "contract-drift", POST),
    ],
    ids=" ".join,
)
def test_no_index_name_or_record_id_survives(
    drifted: str, meilisearch: Any, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    code, out, err = run(capsys, *command, "--redact")
    assert code in (0, 2), err
    assert drifted not in out
    assert "index-1" in out
    if command[0] in ("audit", "reconcile"):
        # Numbers elsewhere (task uids, counts, times) are not record ids; the id lists are.
        listed = [line for line in out.splitlines() if line.startswith("  ! ")]
        listed += re.findall(r'"ids": \[[^\]]*\]', out)
        assert listed
        for record in DRIFTED:
            assert not any(survives(record, line.split(":", 2)[-1]) for line in listed), record
        assert "record-1" in out


def test_the_redacted_json_keeps_the_report_shape(
    drifted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = json.loads(run(capsys, "audit", POST, "--json")[1])
    redacted = json.loads(run(capsys, "audit", POST, "--json", "--redact")[1])
    assert redacted.keys() == plain.keys()
    assert redacted["index"] == "index-1"
    assert redacted["missing"] == {"count": 1, "ids": ["record-1"], "truncated": False}
    assert [plain[kind]["count"] for kind in ("missing", "extra", "stale")] == [1, 1, 1]
    assert [redacted[kind]["count"] for kind in ("missing", "extra", "stale")] == [1, 1, 1]


def test_redaction_does_not_change_the_exit_code(
    drifted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "audit", POST, "--redact")[0] == 2
    assert run(capsys, "index", "contract-drift", POST, "--redact")[0] == 0
