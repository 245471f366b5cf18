"""`scrypath console`: the token is printed once (or read from the environment and never
printed), the console binds to 127.0.0.1 by default, and it is read-only unless asked."""

from __future__ import annotations

from typing import Any

import pytest

from scrypath.cli import console as command
from scrypath.cli import main
from scrypath.config import Config


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, str, int]]:
    calls: list[tuple[Any, str, int]] = []
    monkeypatch.setattr(command, "serve", lambda app, host, port: calls.append((app, host, port)))
    monkeypatch.delenv(command.TOKEN_VARIABLE, raising=False)
    return calls


def test_a_generated_token_is_printed_once_in_the_address_to_open(
    models: Any, scrypath_config: Config, served: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["console"]) == 0
    out = capsys.readouterr().out
    app, host, port = served[0]
    token = app.state.console.settings.access_token
    assert (host, port) == ("127.0.0.1", 8765)
    assert out.count(token) == 1 and f"http://127.0.0.1:8765/?token={token}" in out
    assert "read-only" in out and not app.state.console.settings.actions


def test_a_token_from_the_environment_is_never_printed(
    models: Any,
    scrypath_config: Config,
    served: list[Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(command.TOKEN_VARIABLE, "chosen-token-from-the-environment")
    assert main(["console", "--enable-actions", "--port", "9000"]) == 0
    out = capsys.readouterr().out
    assert "chosen-token-from-the-environment" not in out
    assert "SCRYPATH_CONSOLE_TOKEN" in out and "actions enabled" in out
    assert served[0][0].state.console.settings.actions


def test_without_models_the_console_refuses_to_start(
    served: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from scrypath.declaration import registry

    with registry.isolated() as isolated:
        isolated.clear()
        assert main(["console"]) == 1
    assert "no searchable model is declared" in capsys.readouterr().err
    assert served == []
