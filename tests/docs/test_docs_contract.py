"""The docs cover what users reach for, and the gates that check them are real.

- error tags, root names, CLI commands and verify hooks are documented;
- every page is in the nav;
- each verify phase's source names test files that exist, and a docs step;
- no secret-looking token is in the verify code, the workflows or the docs, and no
  internal planning id is in a published page.

Pages are read from the docs root (`SCRYPATH_DOCS_ROOT`, default `docs/`).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import scrypath
import scrypath.errors
from scrypath.cli import cli
from tests.docs.docs_pages import README, REPO_ROOT, docs_root, docs_text, page, pages, read
from verify import hookspecs

PHASE_SOURCES = sorted((REPO_ROOT / "verify" / "phases").glob("phase*.py"))
SECRET_PATTERNS = {
    "a GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})"),
    "a PyPI token": re.compile(r"\bpypi-[A-Za-z0-9_-]{40,}"),
    "an AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "a Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "an OpenAI-style key": re.compile(r"\bsk-[A-Za-z0-9]{20,}"),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "a bearer token": re.compile(r"\bBearer\s+(?!\*\*\*|\.\.\.|<|\$|\{)[A-Za-z0-9._~+/=-]{16,}"),
    "a password in a URL": re.compile(
        r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"`]+:(?!\*\*\*|\.\.\.|PASSWORD|password|secret@|<|\$|\{)"
        r"[^\s@/'\"`]+@"
    ),
    "a long hex secret": re.compile(r"(?<![0-9a-fA-F-])[0-9a-fA-F]{40,}(?![0-9a-fA-F-])"),
    "a key assigned a literal": re.compile(
        r"(?i)\b(?:api[_-]?key|master[_-]?key|secret|token|password)\w*\s*[=:]\s*[\"']"
        r"(?![a-z0-9]+(?:-[a-z0-9]+){2,}[\"'])"  # a phrase-like placeholder, words-with-dashes
        r"(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{24,}[\"']"
    ),
}
PLANNING_PATTERNS = {
    "an issue or ticket number": re.compile(
        r"(?i)\b(?:issue|ticket|pull request|PR)\s*#?\d+\b|(?<![\w/&])#\d{2,}\b"
    ),
    "a to-do marker": re.compile(r"\b(?:TODO|FIXME|XXX)\b"),
    "a ticket id": re.compile(r"\b(?!(?:UTF|ISO|SHA|RFC|PEP|TLS|HTTP)-)[A-Z][A-Z0-9]{1,9}-\d+\b"),
}


def test_every_error_class_and_reason_tag_is_in_the_errors_page() -> None:
    text = read(page("guide/errors.md"))
    for name, cls in inspect.getmembers(scrypath.errors, inspect.isclass):
        if issubclass(cls, scrypath.errors.ScrypathError):
            assert f"`{name}`" in text, name
            assert f"`{cls.reason}`" in text, cls.reason


def test_every_root_name_is_documented() -> None:
    text = docs_text()
    missing = [name for name in scrypath.__all__ if name != "__version__" and name not in text]
    assert missing == []


def test_every_cli_command_is_documented() -> None:
    text = docs_text()
    missing = [name for name in cli.commands if f"scrypath {name}" not in text]
    assert missing == []


def test_every_verify_hook_is_documented() -> None:
    text = read(page("contributing.md"))
    hooks = [name for name in vars(hookspecs) if re.fullmatch(r"verify_\w+", name)]
    assert hooks
    assert [hook for hook in hooks if f"`{hook}`" not in text] == []


def test_every_docs_page_is_in_the_nav() -> None:
    nav = read(REPO_ROOT / "mkdocs.yml")
    names = [path.relative_to(docs_root()).as_posix() for path in pages()]
    assert [name for name in names if name not in nav] == []


# -- the gates ------------------------------------------------------------------------------


def named_test_files(source: str) -> list[str]:
    """The test paths a phase's source names as string literals."""
    return re.findall(r"[\"'](tests/[\w./-]+)[\"']", source)


def test_there_are_numbered_phases() -> None:
    assert {path.stem for path in PHASE_SOURCES} >= {
        "phase11",
        "phase14",
        "phase20",
        "phase26",
        "phase28",
    }


@pytest.mark.parametrize("source", PHASE_SOURCES, ids=[path.stem for path in PHASE_SOURCES])
def test_each_phase_names_existing_test_files_and_a_docs_step(source: Path) -> None:
    text = read(source)
    files = named_test_files(text)
    assert files, f"{source.name} names no test files"
    assert [name for name in files if not (REPO_ROOT / name).exists()] == []
    assert "DocsStep(" in text, f"{source.name} has no docs step"


def test_a_phase_naming_a_missing_test_file_is_caught() -> None:
    files = named_test_files('TESTS = ("tests/docs/test_docs_contract.py", "tests/nowhere.py")')
    assert [name for name in files if not (REPO_ROOT / name).exists()] == ["tests/nowhere.py"]


# -- secrets and planning ids ---------------------------------------------------------------


def scanned_files() -> list[Path]:
    """The verify code, the workflows (when present), the docs and the README."""
    files = sorted((REPO_ROOT / "verify").rglob("*.py"))
    workflows = REPO_ROOT / ".github" / "workflows"
    if workflows.is_dir():
        files += sorted(workflows.glob("*.y*ml"))
    return [*files, *pages(), README]


def secrets_in(text: str) -> list[str]:
    return [
        f"{kind}: {match[0][:12]}..."
        for kind, pattern in SECRET_PATTERNS.items()
        for match in pattern.finditer(text)
    ]


def planning_ids_in(text: str) -> list[str]:
    return [
        f"{kind}: {match[0]}"
        for kind, pattern in PLANNING_PATTERNS.items()
        for match in pattern.finditer(text)
    ]


def test_no_secret_looking_token_is_in_verify_workflows_or_docs() -> None:
    found = [
        f"{path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}: {hit}"
        for path in scanned_files()
        for hit in secrets_in(read(path))
    ]
    assert found == []


@pytest.mark.parametrize(
    "text",
    [
        "token = 'ghp_" + "a1B2" * 9 + "'",
        "password='" + "hunter2hunter2" * 2 + "'",
        "url: postgresql://app:" + "s3cret" + "@db/app",
        "Authorization: Bearer " + "abc123DEF456ghi789",
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        "key " + "0123456789abcdef" * 3,
    ],
)
def test_a_secret_looking_token_is_caught(text: str) -> None:
    assert secrets_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "postgresql+psycopg://app@db/app",
        "'postgresql//app:***@db/app'",
        "export MEILI_MASTER_KEY=a-master-key-of-16-bytes-or-more",
        "meilisearch_api_key=os.environ['MEILI_KEY']",
        'FakeMeilisearch(master_key="a-master-key-of-16-bytes-or-more")',
    ],
)
def test_placeholders_and_masked_values_are_not_secrets(text: str) -> None:
    assert secrets_in(text) == []


def test_no_internal_planning_id_is_in_a_published_page() -> None:
    found = [
        f"{path.relative_to(docs_root()).as_posix()}: {hit}"
        for path in pages()
        for hit in planning_ids_in(read(path))
    ]
    assert found == []


@pytest.mark.parametrize(
    "text", ["as decided in issue 12", "see #123", "TODO(anna): finish", "fixed by OPS-42"]
)
def test_a_planning_id_is_caught(text: str) -> None:
    assert planning_ids_in(text)


@pytest.mark.parametrize(
    "text", ["UTF-8 text", "phase26 and phase28", "`job:812`", "[exit codes](x.md#exit-codes)"]
)
def test_ordinary_text_is_not_a_planning_id(text: str) -> None:
    assert planning_ids_in(text) == []
