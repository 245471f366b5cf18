"""The console script: version, help, and usage errors that never exit 2."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import scrypath
from scrypath.cli import main


def test_console_script_reports_the_version() -> None:
    script = shutil.which("scrypath") or f"{sys.prefix}/bin/scrypath"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"scrypath {scrypath.__version__}"


def test_main_returns_zero_for_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "Usage: scrypath" in capsys.readouterr().out


def test_unknown_command_exits_1_not_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 1
    assert "No such command" in capsys.readouterr().err
