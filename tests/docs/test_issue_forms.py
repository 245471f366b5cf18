"""The issue forms collect exactly the evidence the intake page lists, and never a secret."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.docs.docs_pages import page, read

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / ".github" / "ISSUE_TEMPLATE"
INTAKE_URL = "https://scrypath.readthedocs.io/operations/adopter-intake/"
EVIDENCE_FORMS = ("bug_report.yml", "adopter_report.yml")
ASKING = ("input", "textarea", "dropdown", "checkboxes")
SECRET_WORDS = re.compile(
    r"api[ _-]?key|master[ _-]?key|password|passwd|database[ _-]?url|connection string|"
    r"\bdsn\b|token|secret|credential",
    re.IGNORECASE,
)


def form(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((FORMS / name).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def evidence_rows() -> list[tuple[str, str, str]]:
    """(evidence, how to get it, form field id) from the intake page's "What to send" table."""
    section = (
        read(page("operations/adopter-intake.md"))
        .split("## What to send", 1)[1]
        .split("\n## ", 1)[0]
    )
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`\w+`", cells[2]):
            rows.append((cells[0], cells[1], cells[2].strip("`")))
    return rows


def fields(loaded: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in loaded["body"] if item["type"] in ASKING}


def test_the_intake_page_lists_the_evidence_in_a_table() -> None:
    ids = [row[2] for row in evidence_rows()]
    assert ids == [
        "versions",
        "sync_mode",
        "status_json",
        "failed_json",
        "contract_drift_json",
        "adopter_verification",
    ]


@pytest.mark.parametrize("name", EVIDENCE_FORMS)
def test_every_piece_of_evidence_has_a_required_field(name: str) -> None:
    asked = fields(form(name))
    for evidence, how, field_id in evidence_rows():
        assert field_id in asked, f"{name} has no field for {evidence}"
        assert asked[field_id]["validations"]["required"] is True, field_id
        for command in re.findall(r"`((?:scrypath|python -m verify) [^`]+)`", how):
            assert command in asked[field_id]["attributes"]["description"], (field_id, command)


@pytest.mark.parametrize("name", ("bug_report.yml", "adopter_report.yml", "question.yml"))
def test_every_form_links_to_the_intake_page(name: str) -> None:
    assert INTAKE_URL in (FORMS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ("bug_report.yml", "adopter_report.yml", "question.yml"))
def test_no_form_asks_for_a_key_a_password_or_a_database_url(name: str) -> None:
    for field_id, item in fields(form(name)).items():
        attributes = item["attributes"]
        asked = " ".join(
            str(part)
            for part in (
                field_id,
                attributes.get("label"),
                attributes.get("description"),
                attributes.get("placeholder"),
                *attributes.get("options", ()),
            )
            if part
        )
        assert not SECRET_WORDS.search(asked), (name, field_id)


def test_the_forms_tell_people_not_to_paste_secrets() -> None:
    for name in EVIDENCE_FORMS:
        text = (FORMS / name).read_text(encoding="utf-8")
        assert "Never paste an API key" in text
        assert "--redact" in text


def test_questions_are_pointed_at_the_docs() -> None:
    config = form("config.yml")
    assert config["blank_issues_enabled"] is False
    urls = [link["url"] for link in config["contact_links"]]
    assert "https://scrypath.readthedocs.io/" in urls
    assert INTAKE_URL in urls
