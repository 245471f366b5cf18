"""A task being processed is visible to every read, and reads never wait for it."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from scrypath.testing.meilisearch import FakeMeilisearch

from .conftest import Raw, request

LARGE = 60_000  # documents: enough for an add that takes far longer than a few polls


def _books(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"id": i, "title": f"book {i}", "genre": "scifi"} for i in range(start, count)]


def _hits(raw: Raw, uid: str) -> int:
    response = raw("POST", f"/indexes/{uid}/search", json_body={"q": "", "limit": 0})
    assert response.status == 200, response.body
    return int(response.body["estimatedTotalHits"])


def _count(raw: Raw, uid: str) -> int:
    """How many documents the index holds (searches cap their estimate at 1000)."""
    response = raw("GET", f"/indexes/{uid}/documents?limit=1")
    assert response.status == 200, response.body
    return int(response.body["total"])


def _status(raw: Raw, task_uid: int) -> str:
    return str(raw("GET", f"/tasks/{task_uid}").body["status"])


def _seeded(fake: FakeMeilisearch, raw: Raw, uid: str, count: int = 2) -> None:
    assert raw("POST", f"/indexes/{uid}/documents", json_body=_books(count)).status == 202
    fake.wait_idle()


def test_a_task_held_in_processing_is_visible_to_every_read(fake, raw):
    _seeded(fake, raw, "books")
    fake.faults.hold_processing(index_uid="books", task_type="documentAdditionOrUpdate")
    added = raw("POST", "/indexes/books/documents", json_body=[{"id": 9, "title": "dune"}])
    uid = added.body["taskUid"]
    assert fake.faults.wait_processing() == uid

    task = raw("GET", f"/tasks/{uid}").body
    assert task["status"] == "processing"
    assert task["startedAt"] is not None and task["batchUid"] is not None
    assert (task["finishedAt"], task["duration"]) == (None, None)
    listed = raw("GET", "/tasks?statuses=processing").body
    assert ([t["uid"] for t in listed["results"]], listed["total"]) == ([uid], 1)
    stats = raw("GET", "/indexes/books/stats").body
    assert (stats["isIndexing"], stats["numberOfDocuments"]) == (True, 2)
    assert raw("GET", "/stats").body["indexes"]["books"]["isIndexing"] is True
    assert _hits(raw, "books") == 2
    assert raw("GET", "/indexes/books/documents/9").status == 404

    queued = raw("POST", "/indexes/other/documents", json_body=[{"id": 1}]).body["taskUid"]
    time.sleep(0.1)
    assert _status(raw, queued) == "enqueued"  # one task at a time
    with pytest.raises(TimeoutError):
        fake.wait_idle(timeout=0.1)

    assert fake.faults.release_processing() is True
    fake.wait_idle()
    done = raw("GET", f"/tasks/{uid}").body
    assert (done["status"], done["startedAt"]) == ("succeeded", task["startedAt"])
    assert done["finishedAt"] is not None
    assert raw("GET", "/tasks?statuses=processing").body["total"] == 0
    assert raw("GET", "/indexes/books/stats").body["isIndexing"] is False
    assert _hits(raw, "books") == 3
    assert _status(raw, queued) == "succeeded"


def test_a_held_settings_update_leaves_the_old_settings_readable(fake, raw):
    _seeded(fake, raw, "books")
    fake.faults.hold_processing(task_type="settingsUpdate")
    raw("PUT", "/indexes/books/settings/filterable-attributes", json_body=["genre"])
    fake.faults.wait_processing()
    assert raw("GET", "/indexes/books/settings/filterable-attributes").body == []
    fake.faults.release_processing()
    fake.wait_idle()
    assert raw("GET", "/indexes/books/settings/filterable-attributes").body == ["genre"]


def test_a_held_task_that_fails_ends_failed_and_changes_nothing(fake, raw):
    _seeded(fake, raw, "books")
    fake.faults.hold_processing()
    fake.faults.fail_next_tasks(index_uid="books")
    uid = raw("POST", "/indexes/books/documents", json_body=[{"id": 9}]).body["taskUid"]
    fake.faults.wait_processing()
    assert _status(raw, uid) == "processing"
    fake.faults.release_processing()
    fake.wait_idle()
    assert (_status(raw, uid), _hits(raw, "books")) == ("failed", 2)


def test_hold_processing_holds_the_next_count_tasks_one_after_the_other(fake, raw):
    fake.faults.hold_processing(2, index_uid="a")
    first = raw("POST", "/indexes/a/documents", json_body=[{"id": 1}]).body["taskUid"]
    second = raw("POST", "/indexes/a/documents", json_body=[{"id": 2}]).body["taskUid"]
    assert fake.faults.wait_processing() == first
    assert fake.faults.release_processing() is True
    assert fake.faults.wait_processing() == second
    assert _status(raw, first) == "succeeded"
    fake.faults.release_processing()
    third = raw("POST", "/indexes/a/documents", json_body=[{"id": 3}]).body["taskUid"]
    fake.wait_idle()
    assert [_status(raw, t) for t in (first, second, third)] == ["succeeded"] * 3
    assert fake.faults.release_processing() is False


def test_waiting_for_a_processing_task_times_out_when_none_is_held(fake):
    with pytest.raises(TimeoutError):
        fake.faults.wait_processing(timeout=0.05)
    with pytest.raises(ValueError):
        fake.faults.hold_processing(0)


def test_step_refuses_while_a_task_is_held_in_processing(fake, raw):
    fake.faults.hold_processing()
    raw("POST", "/indexes/a/documents", json_body=[{"id": 1}])
    fake.faults.wait_processing()
    fake.faults.hold_tasks()
    raw("POST", "/indexes/a/documents", json_body=[{"id": 2}])
    with pytest.raises(RuntimeError, match="held in processing"):
        fake.faults.step_task()
    fake.faults.release_processing()
    assert fake.faults.step_task() is True
    assert fake.faults.step_task() is False


def test_clear_and_reset_let_a_task_held_in_processing_go(fake, raw):
    fake.faults.hold_processing()
    raw("POST", "/indexes/a/documents", json_body=[{"id": 1}])
    fake.faults.wait_processing()
    fake.faults.clear()
    fake.wait_idle()
    fake.faults.hold_processing()
    raw("POST", "/indexes/b/documents", json_body=[{"id": 1}])
    fake.faults.wait_processing()
    fake.reset()
    fake.wait_idle()
    assert raw("GET", "/tasks").body["total"] == 0
    assert raw("GET", "/indexes").body["total"] == 0
    created = raw("POST", "/indexes", json_body={"uid": "c"}).body["taskUid"]
    fake.wait_idle()
    assert (created, _status(raw, created)) == (0, "succeeded")
    assert raw("GET", "/indexes").body["total"] == 1


def test_stopping_does_not_wait_for_a_task_held_in_processing():
    fake = FakeMeilisearch().start()
    fake.faults.hold_processing()
    body = json.dumps([{"id": 1}]).encode()
    headers = {"Content-Type": "application/json"}
    assert request(fake.url, "POST", "/indexes/a/documents", body, headers).status == 202
    fake.faults.wait_processing()
    stopper = threading.Thread(target=fake.stop)
    stopper.start()
    stopper.join(timeout=5)
    assert not stopper.is_alive()


def test_hold_tasks_with_a_count_holds_only_the_next_matching_tasks(fake, raw):
    fake.faults.hold_tasks(1, task_type="documentAdditionOrUpdate")
    created = raw("POST", "/indexes", json_body={"uid": "a"}).body["taskUid"]
    added = raw("POST", "/indexes/a/documents", json_body=[{"id": 1}]).body["taskUid"]
    behind = raw("POST", "/indexes", json_body={"uid": "b"}).body["taskUid"]
    with pytest.raises(TimeoutError):
        fake.wait_idle(timeout=0.2)
    statuses = [_status(raw, t) for t in (created, added, behind)]
    assert statuses == ["succeeded", "enqueued", "enqueued"]  # the queue runs in order
    assert fake.faults.step_task() is True
    fake.wait_idle()  # the rule is used up: the rest runs on its own
    assert [_status(raw, t) for t in (added, behind)] == ["succeeded", "succeeded"]
    later = raw("POST", "/indexes/a/documents", json_body=[{"id": 2}]).body["taskUid"]
    fake.wait_idle()
    assert _status(raw, later) == "succeeded"


def test_hold_tasks_counts_down_and_release_drops_the_rule(fake, raw):
    fake.faults.hold_tasks(2, index_uid="a")
    first = raw("POST", "/indexes/a/documents", json_body=[{"id": 1}]).body["taskUid"]
    second = raw("POST", "/indexes/a/documents", json_body=[{"id": 2}]).body["taskUid"]
    assert fake.faults.step_task() is True
    time.sleep(0.1)
    assert [_status(raw, t) for t in (first, second)] == ["succeeded", "enqueued"]
    fake.faults.release_tasks()
    fake.wait_idle()
    assert _status(raw, second) == "succeeded"
    with pytest.raises(ValueError):
        fake.faults.hold_tasks(0)


def test_a_long_add_is_seen_processing_while_reads_keep_answering(fake, raw):
    """Races real pollers against a large add; none of them may wait for it."""
    _seeded(fake, raw, "small")
    uid = raw("POST", "/indexes/big/documents", json_body=_books(LARGE)).body["taskUid"]
    seen: dict[str, Any] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not {"task", "listed", "search"} <= seen.keys():
        status = _status(raw, uid)
        if status != "processing":
            assert status == "enqueued", "the add ended before every read was seen"
            continue
        seen.setdefault("task", status)
        listed = raw("GET", "/tasks?statuses=processing").body["results"]
        if [t["uid"] for t in listed] == [uid]:
            seen.setdefault("listed", True)
        if _hits(raw, "small") == 2 and _status(raw, uid) == "processing":
            seen["search"] = True  # another index's search answered during the add
    assert seen == {"task": "processing", "listed": True, "search": True}
    fake.wait_idle(timeout=60)
    assert (_status(raw, uid), _count(raw, "big")) == ("succeeded", LARGE)


def test_documents_become_searchable_exactly_when_their_task_succeeds(fake, raw):
    """A reader racing the add never sees the documents early, nor the task early.

    Reading the documents of the index being written waits for the write, then sees it
    whole, with its task already `succeeded`.
    """
    raw("POST", "/indexes/big/documents", json_body=[{"id": "seed", "title": "first"}])
    fake.wait_idle()
    uid = raw("POST", "/indexes/big/documents", json_body=_books(LARGE)).body["taskUid"]
    pairs: list[tuple[str, str, int]] = []
    while True:
        status_first = _status(raw, uid)
        count = _count(raw, "big")
        status_after = _status(raw, uid)
        pairs.append((status_first, status_after, count))
        if status_first == "succeeded":
            break
    assert any(before == "processing" for before, _, _ in pairs)  # the race did happen
    for before, after, count in pairs:
        if before == "succeeded":
            assert count == LARGE + 1
        if count != 1:
            assert (count, after) == (LARGE + 1, "succeeded")
