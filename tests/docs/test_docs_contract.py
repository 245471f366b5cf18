"""The docs cover what users reach for: error tags, root names, CLI commands, verify hooks."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import scrypath
import scrypath.errors
from scrypath.cli import cli
from verify import hookspecs

DOCS = Path(__file__).resolve().parents[2] / "docs"


def docs_text() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in DOCS.rglob("*.md"))


def test_every_error_class_and_reason_tag_is_in_the_errors_page() -> None:
    page = (DOCS / "guide" / "errors.md").read_text(encoding="utf-8")
    for name, cls in inspect.getmembers(scrypath.errors, inspect.isclass):
        if issubclass(cls, scrypath.errors.ScrypathError):
            assert f"`{name}`" in page, name
            assert f"`{cls.reason}`" in page, cls.reason


def test_every_root_name_is_documented() -> None:
    text = docs_text()
    missing = [name for name in scrypath.__all__ if name != "__version__" and name not in text]
    assert missing == []


def test_every_cli_command_is_documented() -> None:
    text = docs_text()
    missing = [name for name in cli.commands if f"scrypath {name}" not in text]
    assert missing == []


def test_every_verify_hook_is_documented() -> None:
    page = (DOCS / "contributing.md").read_text(encoding="utf-8")
    hooks = [name for name in vars(hookspecs) if re.fullmatch(r"verify_\w+", name)]
    assert hooks
    assert [hook for hook in hooks if f"`{hook}`" not in page] == []


def test_every_docs_page_is_in_the_nav() -> None:
    nav = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    pages = [str(page.relative_to(DOCS)) for page in DOCS.rglob("*.md")]
    assert [page for page in pages if page not in nav] == []
