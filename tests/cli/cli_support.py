"""Helpers the CLI tests share: running `main` in-process, a terminal-like stdout, models
importable under a module name, and a live settings change."""

from __future__ import annotations

import io
import sys
import types
from typing import Any

import pytest

from scrypath.cli import main
from tests.conftest import Models


class Terminal(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of `scrypath ARGV`."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def importable(monkeypatch: pytest.MonkeyPatch, name: str, models: Models, *members: str) -> None:
    """Make `members` of the test's models importable as `name:Member`, with colour allowed."""
    module = types.ModuleType(name)
    for member in members:
        setattr(module, member, getattr(models, member))
    monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delenv("NO_COLOR", raising=False)


def change(meilisearch: Any, index: str, body: dict[str, Any]) -> None:
    """Change the live index's settings by hand and wait for it."""
    task = meilisearch.client.http.patch(f"indexes/{index}/settings", body)
    done = meilisearch.client.wait_for_task(task["taskUid"], timeout_in_ms=10_000)
    assert done.status == "succeeded", done.error
