"""The runner provisions Meilisearch once, only for steps that need it, and hands it down."""

from __future__ import annotations

import pytest

from scrypath.testing.provisioning import (
    FORCE_ENV,
    SERVED_BY_ENV,
    SKIPPED_ENV,
    URL_ENV,
    Provisioned,
    Skip,
)
from verify import runner as runner_module
from verify.model import Phase
from verify.registry import VerifyError, plugin_manager
from verify.runner import Run
from verify.steps import StepContext


class RecordingStep:
    label = "records its environment"
    kind = "command"

    def __init__(self, needs_meilisearch: bool) -> None:
        self.needs_meilisearch = needs_meilisearch
        self.seen: list[dict[str, str]] = []

    def run(self, context: StepContext) -> int:
        self.seen.append(dict(context.env))
        return 0


def test_provisioning_happens_once_and_only_when_a_step_needs_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in (SERVED_BY_ENV, FORCE_ENV, URL_ENV, SKIPPED_ENV):
        monkeypatch.delenv(variable, raising=False)  # a verify run above us hands these down
    calls: list[int] = []
    stopped: list[int] = []
    fake = Provisioned(
        "fake",
        "http://127.0.0.1:1",
        "k" * 20,
        real=False,
        skipped=(Skip("external", "unset"),),
        close=lambda: stopped.append(1),
    )
    monkeypatch.setattr(runner_module, "provision", lambda: calls.append(1) or fake)
    plain, needy, needy_again = RecordingStep(False), RecordingStep(True), RecordingStep(True)
    run = Run(plugin_manager())
    run.run_phases([Phase("p", "d", (plain, needy, needy_again))])
    assert calls == [1]
    assert stopped == [1], "the runner releases what it provisioned"
    assert SERVED_BY_ENV not in plain.seen[0]
    assert needy.seen[0][SERVED_BY_ENV] == "fake"
    assert needy.seen[0][FORCE_ENV] == "fake"
    assert run.meilisearch.to_json()["provider"] == "fake"
    assert run.meilisearch.to_json()["real"] is False


def test_malformed_url_stops_the_run_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, "not a url")
    run = Run(plugin_manager())
    with pytest.raises(VerifyError, match=URL_ENV):
        run.run_phases([Phase("p", "d", (RecordingStep(True),))])
