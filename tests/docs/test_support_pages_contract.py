"""The support pages: where reports go, what they must carry, and when scope reopens."""

from __future__ import annotations

import re

from tests.docs.docs_pages import REPO_ROOT, page, read


def test_the_intake_page_names_four_evidence_classes_and_the_reply_words() -> None:
    text = read(page("operations/adopter-intake.md"))
    classes = re.findall(r"^\d\. \*\*(.+?)\*\*", text, re.MULTILINE)
    assert len(classes) == 4
    for word in ("needs-evidence", "evidenced", "reproduced", "out-of-scope", "upstream"):
        assert f"`{word}`" in text


def test_the_intake_page_asks_for_redacted_operator_output() -> None:
    text = read(page("operations/adopter-intake.md"))
    for command in ("scrypath status", "scrypath failed", "scrypath index contract-drift"):
        assert re.search(rf"`{command} MODEL --json --redact`", text), command
    assert "Never paste an API key" in text


def test_the_scope_policy_names_the_three_reasons_and_who_decides() -> None:
    text = read(page("operations/scope-policy.md"))
    reasons = re.findall(r"^\d\. \*\*(.+?)\*\*", text, re.MULTILINE)
    assert reasons == [
        "A concrete production bug.",
        "Reviewed evidence from an outside adopter.",
        "A deliberate product decision.",
    ]
    assert "## Who decides" in text
    assert "`scrypath.meilisearch`" in text and "`scrypath.search`" in text


def test_operator_support_routes_reports_and_scope_requests() -> None:
    text = read(page("operations/operator-support.md"))
    assert "(adopter-intake.md)" in text
    assert "(scope-policy.md)" in text
    assert "(support-and-compatibility.md)" in text


def test_support_and_compatibility_names_versions_and_the_live_check() -> None:
    text = read(page("operations/support-and-compatibility.md"))
    for component in ("Python", "SQLAlchemy", "Meilisearch", "PostgreSQL"):
        assert re.search(rf"^\| {component} \|", text, re.MULTILINE), component
    for variable in (
        "SCRYPATH_TEST_MEILISEARCH_URL",
        "SCRYPATH_TEST_MEILISEARCH_KEY",
        "SCRYPATH_TEST_DATABASE_URL",
    ):
        assert variable in text
    assert "python -m verify adopter --live" in text


def test_the_cli_page_documents_redact() -> None:
    text = read(page("operations/cli.md"))
    assert "--redact" in text


def _row(text: str, component: str) -> str:
    match = re.search(rf"^\| {component} \|.*$", text, re.MULTILINE)
    assert match is not None, component
    return match[0]


def test_the_tested_versions_agree_with_the_ci_workflow_and_the_package() -> None:
    import tomllib

    import yaml

    text = read(page("operations/support-and-compatibility.md"))
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "ci.yml").read_text())
    job = workflow["jobs"]["premerge"]
    for version in job["strategy"]["matrix"]["python-version"]:
        assert version in _row(text, "Python"), version
    assert job["services"]["meilisearch"]["image"] in _row(text, "Meilisearch")
    postgres_tag = job["services"]["postgres"]["image"].split(":", 1)[1]
    assert postgres_tag in _row(text, "PostgreSQL")
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] in _row(text, "Python")
    sqlalchemy = next(d for d in project["dependencies"] if d.startswith("SQLAlchemy"))
    assert sqlalchemy in _row(text, "SQLAlchemy")
