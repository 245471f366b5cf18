"""Task polling grows gently between its bounds."""

from __future__ import annotations

import itertools

import pytest

from scrypath.errors import TaskFailedError
from scrypath.meilisearch import boundary
from scrypath.meilisearch.tasks import TaskRef, next_poll_interval, wait_for_task


def test_polls_grow_gently_up_to_the_maximum() -> None:
    waits = [0.05]
    for _ in range(12):
        waits.append(next_poll_interval(waits[-1], 0.05, 0.5))
    assert all(later >= earlier for earlier, later in itertools.pairwise(waits))
    assert waits[1] < 0.1
    assert waits[-1] == 0.5


def test_polls_never_go_below_the_first_interval() -> None:
    assert next_poll_interval(1.0, 1.0, 0.5) == 1.0
    assert next_poll_interval(0.01, 0.05, 0.5) == 0.05 * 1.5


def test_a_failed_tasks_message_never_carries_an_api_key_in_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = "task-message-key-0123456789"

    class Answers:
        def get(self, path: str) -> dict[str, object]:
            return {
                "uid": 7,
                "status": "failed",
                "error": {"message": f"the document quoted {key}", "code": "internal"},
            }

    class Client:
        http = Answers()

    monkeypatch.setattr(boundary, "api_keys_in_use", lambda: frozenset({key}))
    with pytest.raises(TaskFailedError) as caught:
        wait_for_task(Client(), TaskRef(7, "books"), timeout=1.0)
    assert key not in str(caught.value)
    assert "***" in str(caught.value)
