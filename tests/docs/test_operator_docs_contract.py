"""The operator pages say what the operator tools are, in the words the code uses.

The pages are read as text from the docs root (`SCRYPATH_DOCS_ROOT`). Lists that the code
owns (reason classes, drift signals, drift dimensions, phase coverage lines) are taken from
the code, so a change on either side without the other fails here.
"""

from __future__ import annotations

import re

import pytest

from scrypath.operator import DRIFT_SIGNALS
from scrypath.operator.contract_drift import DIMENSIONS
from scrypath.operator.reasons import REASON_CLASSES
from tests.docs.docs_pages import REPO_ROOT, page, read
from verify.registry import collect_phases, plugin_manager

OPERATOR_PAGES = (
    "operations/operator-support.md",
    "operations/cli.md",
    "operations/sync-visibility.md",
    "operations/runbooks.md",
)
COMMANDS = (
    "scrypath status",
    "scrypath failed",
    "scrypath retry",
    "scrypath reconcile",
    "scrypath index contract-drift",
)
FUNCTIONS = (
    "sync_status",
    "failed_sync_work",
    "retry_sync_work",
    "reconcile_sync",
    "index_contract_drift",
)
BOUNDARY = (
    "operator visibility and recovery live on `scrypath.*`",
    "meilisearch-native power lives under `scrypath.meilisearch.*`",
    "never widen `scrypath.search`",
)
REPORT_FIRST = "reconcile changes nothing unless an action is given"
GATES = ("phase14", "phase20", "phase26", "phase28", "phase11", "premerge", "release")
LIFECYCLE = (
    "requested",
    "enqueued",
    "processing",
    "backend_accepted",
    "completed",
    "retrying",
    "discarded",
)


def prose(relative: str) -> str:
    """A page as one line of lower-case text, emphasis marks removed, for phrase checks."""
    text = read(page(relative)).replace("**", "")
    return " ".join(text.split()).lower()


def missing(relative: str, needles: tuple[str, ...]) -> list[str]:
    text = read(page(relative))
    return [needle for needle in needles if needle not in text]


@pytest.mark.parametrize("relative", OPERATOR_PAGES)
def test_every_operator_page_exists_and_is_in_the_nav(relative: str) -> None:
    assert page(relative).is_file(), relative
    assert relative in read(REPO_ROOT / "mkdocs.yml")


@pytest.mark.parametrize("relative", ["operations/operator-support.md", "operations/cli.md"])
def test_the_operator_commands_and_functions_are_named(relative: str) -> None:
    assert missing(relative, COMMANDS) == []
    assert missing(relative, tuple(f"scrypath.{name}" for name in FUNCTIONS)) == []


def test_the_cli_page_names_its_flags_and_pins_the_output_lines() -> None:
    relative = "operations/cli.md"
    assert missing(relative, ("--json", "--no-class-summary", "Failed work by class:")) == []
    assert "reason_class=" in read(page(relative))


def test_the_class_rollup_the_cli_page_shows_is_dense_and_in_contract_order() -> None:
    text = read(page("operations/cli.md"))
    rollups = re.findall(r"^Failed work by class:\n\s+(.+)$", text, flags=re.MULTILINE)
    assert rollups, "no `Failed work by class:` block with its counts"
    for rollup in rollups:
        assert [item.split("=")[0] for item in rollup.split(", ")] == list(REASON_CLASSES)
    rows = re.findall(r"reason_class=(\w+)", text)
    assert rows and set(rows) <= set(REASON_CLASSES)


def test_the_drift_signals_and_dimensions_are_shown_in_contract_order() -> None:
    text = read(page("operations/cli.md"))
    signal_lines = re.findall(r"^Drift signals: (.+)$", text, flags=re.MULTILINE)
    assert signal_lines
    for line in signal_lines:
        assert [item.split("=")[0] for item in line.split(", ")] == list(DRIFT_SIGNALS)
    named = re.search(r"in five dimensions: (.+?)\. It answers", " ".join(text.split()))
    assert named is not None
    assert re.findall(r"`(\w+)`", named[1]) == list(DIMENSIONS)


def test_the_boundary_sentences_are_on_the_support_page() -> None:
    text = prose("operations/operator-support.md")
    assert [sentence for sentence in BOUNDARY if sentence not in text] == []


@pytest.mark.parametrize("relative", ["operations/operator-support.md", "operations/cli.md"])
def test_reconcile_is_described_as_report_first(relative: str) -> None:
    assert REPORT_FIRST in prose(relative)


def test_the_visibility_page_uses_the_lifecycle_words_and_the_status_counts() -> None:
    relative = "operations/sync-visibility.md"
    assert missing(relative, tuple(f"`{stage}`" for stage in LIFECYCLE)) == []
    assert missing(relative, ("scrypath status", "backend.pending", "queue.pending")) == []
    assert missing(relative, ("**inline**", "**manual**", "**queue**")) == []


def test_the_runbooks_use_the_operator_commands() -> None:
    relative = "operations/runbooks.md"
    assert missing(relative, (*COMMANDS, "scrypath retry --id")) == []
    text = prose(relative)
    assert "exit code 2 means drift was found" in text


def verification_table() -> list[tuple[str, str]]:
    """The (phase, what it covers) rows of the support page's verification table."""
    text = read(page("operations/operator-support.md"))
    header = re.search(r"^\| *phase *\| *what it covers *\|$", text, flags=re.MULTILINE)
    assert header is not None, "no `| phase | what it covers |` table on the support page"
    rows = []
    for line in text[header.end() :].lstrip("\n").splitlines()[1:]:
        if not line.startswith("|"):
            break
        name, covers = (cell.strip() for cell in line.strip().strip("|").split("|", 1))
        rows.append((name.strip("`"), covers))
    return rows


def coverage_lines() -> dict[str, str]:
    """Each registered phase's coverage line, from the registry's own helper when it has one."""
    import verify.registry as registry

    helper = getattr(registry, "coverage_lines", None)
    if helper is not None:
        return dict(helper())
    return {name: phase.description for name, phase in collect_phases(plugin_manager()).items()}


def test_the_verification_table_equals_the_phases_coverage_lines() -> None:
    lines = coverage_lines()
    assert [name for name in GATES if name not in lines] == []
    assert verification_table() == [(name, lines[name]) for name in GATES]
