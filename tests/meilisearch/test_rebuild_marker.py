"""The writers' marker cache: a slow lookup never overwrites a newer answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

import scrypath.meilisearch.rebuild_marker as rebuild_marker
from scrypath.meilisearch.rebuild_marker import (
    can_rebuild,
    dual_write_target,
    forget_markers,
    lock_name,
    marker_name,
    remember,
    target_name,
)


@pytest.fixture
def live(meilisearch_index_prefix: str) -> Iterator[str]:
    forget_markers()
    yield f"{meilisearch_index_prefix}posts"
    forget_markers()


def create_index(meilisearch: Any, uid: str) -> None:
    task = meilisearch.client.create_index(uid, {"primaryKey": "id"})
    meilisearch.client.wait_for_task(task.task_uid)


def delete_index(meilisearch: Any, uid: str) -> None:
    task = meilisearch.client.delete_index(uid)
    meilisearch.client.wait_for_task(task.task_uid)


class HeldLookup:
    """Makes the next marker lookup answer late: it asks Meilisearch, then waits to return."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.asked = threading.Event()
        self.answer = threading.Event()
        self.real = rebuild_marker.marker_exists
        monkeypatch.setattr(rebuild_marker, "marker_exists", self._lookup)

    def _lookup(self, client: Any, index: str, **context: Any) -> bool:
        found = self.real(client, index, **context)
        self.asked.set()
        assert self.answer.wait(30)
        return found


@pytest.mark.parametrize("announced", [True, False], ids=["announce", "withdraw"])
def test_a_lookup_that_started_before_the_run_told_this_process_is_not_kept(
    meilisearch: Any, live: str, monkeypatch: pytest.MonkeyPatch, announced: bool
) -> None:
    client = meilisearch.client
    if not announced:
        create_index(meilisearch, marker_name(live))
    held = HeldLookup(monkeypatch)
    seen: list[str | None] = []
    writer = threading.Thread(target=lambda: seen.append(dual_write_target(client, live)))
    writer.start()
    assert held.asked.wait(30)
    if announced:
        create_index(meilisearch, target_name(live))
        create_index(meilisearch, marker_name(live))
    else:
        delete_index(meilisearch, marker_name(live))
    remember(client, live, rebuilding=announced)
    held.answer.set()
    writer.join(30)
    expected = target_name(live) if announced else None
    assert seen == [expected]

    def no_lookup(*args: Any, **kwargs: Any) -> bool:
        raise AssertionError("the cached answer should have been used")

    monkeypatch.setattr(rebuild_marker, "marker_exists", no_lookup)
    assert dual_write_target(client, live) == expected


def test_a_lookup_is_kept_when_nothing_newer_was_stored(
    meilisearch: Any, live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_index(meilisearch, marker_name(live))
    asked: list[str] = []
    real = rebuild_marker.marker_exists

    def counted(client: Any, index: str, **context: Any) -> bool:
        asked.append(index)
        return real(client, index, **context)

    monkeypatch.setattr(rebuild_marker, "marker_exists", counted)
    assert dual_write_target(meilisearch.client, live) == target_name(live)
    assert dual_write_target(meilisearch.client, live) == target_name(live)
    assert asked == [live]


def test_rebuild_names_are_never_rebuilt_themselves() -> None:
    assert can_rebuild("posts")
    for name in (target_name("posts"), marker_name("posts"), lock_name("posts")):
        assert not can_rebuild(name)
    longest = 400 - len(marker_name(""))
    assert can_rebuild("p" * longest)
    assert not can_rebuild("p" * (longest + 1))
