"""Reading the task log page by page, and refusing to return a truncated history."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scrypath.errors import ConfigurationError, TaskHistoryLimitError
from scrypath.operator import task_log
from scrypath.operator.task_log import count_tasks, read_tasks


def bad_writes(meilisearch: Any, index: str, count: int) -> list[int]:
    """`count` failed document tasks on `index` (an id Meilisearch refuses); their uids."""
    uids = []
    for _ in range(count):
        body = json.dumps([{"id": "bad id!"}]).encode()
        answer = meilisearch.client.http.post(
            f"indexes/{index}/documents", body, "application/json"
        )
        uids.append(int(answer["taskUid"]))
    meilisearch.fake.wait_idle()
    return uids


@pytest.fixture
def index(meilisearch_fake: Any, meilisearch_index_prefix: str) -> str:
    return f"{meilisearch_index_prefix}log"


def test_every_page_is_read_newest_first(
    meilisearch: Any, index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    uids = bad_writes(meilisearch, index, 5)
    monkeypatch.setattr(task_log, "PAGE_SIZE", 2)
    found = read_tasks(meilisearch.client, index_uids=[index], statuses=["failed"], limit=5)
    assert [task["uid"] for task in found] == sorted(uids, reverse=True)
    assert {task["error"]["code"] for task in found} == {"invalid_document_id"}


def test_more_tasks_than_the_limit_is_an_error_naming_it(
    meilisearch: Any, index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_writes(meilisearch, index, 3)
    with pytest.raises(TaskHistoryLimitError) as raised:
        read_tasks(meilisearch.client, index_uids=[index], statuses=["failed"], limit=2)
    assert raised.value.reason == "task_history_limit"
    assert raised.value.context["limit"] == 2
    assert "limit of 2" in raised.value.message
    assert (
        len(read_tasks(meilisearch.client, index_uids=[index], statuses=["failed"], limit=3)) == 3
    )


def test_the_limit_holds_even_when_the_log_does_not_say_its_total(
    meilisearch: Any, index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_writes(meilisearch, index, 3)
    real_get = meilisearch.client.http.get

    class NoTotal:
        def get(self, path: str) -> Any:
            page = real_get(path)
            page.pop("total", None)
            return page

    class Client:
        http = NoTotal()

    monkeypatch.setattr(task_log, "PAGE_SIZE", 1)
    with pytest.raises(TaskHistoryLimitError):
        read_tasks(Client(), index_uids=[index], statuses=["failed"], limit=2)


@pytest.mark.parametrize("limit", [0, -1, 1.5, True, "10"])
def test_a_bad_limit_is_refused(meilisearch: Any, index: str, limit: Any) -> None:
    with pytest.raises(ConfigurationError) as raised:
        read_tasks(meilisearch.client, index_uids=[index], statuses=["failed"], limit=limit)
    assert raised.value.context["key"] == "limit"


def test_filters_select_status_type_and_index(meilisearch: Any, index: str) -> None:
    bad_writes(meilisearch, index, 2)
    other = f"{index}_other"
    bad_writes(meilisearch, other, 1)
    assert read_tasks(meilisearch.client, index_uids=[index], statuses=["succeeded"]) == []
    found = read_tasks(
        meilisearch.client, index_uids=[index], statuses=["failed"], types=["documentDeletion"]
    )
    assert found == []
    both = read_tasks(meilisearch.client, index_uids=[index, other], statuses=["failed"])
    assert {task["indexUid"] for task in both} == {index, other}


def test_count_tasks_reads_the_total_and_the_newest(meilisearch: Any, index: str) -> None:
    uids = bad_writes(meilisearch, index, 3)
    total, newest = count_tasks(meilisearch.client, index_uids=[index], statuses=["failed"])
    assert total == 3
    assert newest is not None and newest["uid"] == max(uids)
    assert count_tasks(meilisearch.client, index_uids=[index], statuses=["enqueued"]) == (0, None)
