"""Batches: one per processing step, listed and filtered like tasks, tied to their tasks."""

from __future__ import annotations

import pytest
from meilisearch.errors import MeilisearchApiError

from scrypath.testing.meilisearch.batches import STRATEGY


def create(raw, uid):
    return raw("POST", "/indexes", json_body={"uid": uid}).body["taskUid"]


def test_every_processed_task_names_its_batch_and_the_batch_names_the_task(raw, finished):
    task = finished(create(raw, "movies"))
    batch = raw("GET", f"/batches/{task['batchUid']}")
    assert batch.status == 200
    view = batch.body
    assert view["uid"] == task["batchUid"]
    assert view["stats"] == {
        "totalNbTasks": 1,
        "status": {"succeeded": 1},
        "types": {"indexCreation": 1},
        "indexUids": {"movies": 1},
    }
    assert view["details"] == task["details"]
    assert (view["startedAt"], view["finishedAt"]) == (task["startedAt"], task["finishedAt"])
    assert view["duration"] == task["duration"]
    assert (view["progress"], view["batchStrategy"]) == (None, STRATEGY)


def test_tasks_processed_one_after_another_get_one_batch_each(fake, raw, finished):
    fake.faults.hold_tasks()
    uids = [create(raw, name) for name in ("a", "b", "c")]
    fake.faults.release_tasks()
    batch_uids = [finished(uid)["batchUid"] for uid in uids]
    assert batch_uids == sorted(set(batch_uids))
    listed = raw("GET", "/batches").body
    assert [batch["uid"] for batch in listed["results"]] == batch_uids[::-1]
    assert (listed["total"], listed["limit"], listed["from"], listed["next"]) == (
        3,
        20,
        batch_uids[-1],
        None,
    )


def test_an_enqueued_task_has_no_batch_yet(fake, raw):
    fake.faults.hold_tasks()
    uid = create(raw, "a")
    assert raw("GET", f"/tasks/{uid}").body["batchUid"] is None
    assert raw("GET", "/batches").body["total"] == 0
    assert raw("GET", "/batches?statuses=enqueued").body["total"] == 0


def test_a_processing_batch_shows_progress_and_no_end(fake, raw):
    fake.faults.hold_processing(index_uid="a")
    uid = create(raw, "a")
    fake.faults.wait_processing()
    try:
        batch_uid = raw("GET", f"/tasks/{uid}").body["batchUid"]
        view = raw("GET", f"/batches/{batch_uid}").body
        assert view["stats"]["status"] == {"processing": 1}
        assert (view["finishedAt"], view["duration"]) == (None, None)
        assert view["progress"]["steps"] == [
            {"currentStep": "processing tasks", "finished": 0, "total": 1}
        ]
        assert raw("GET", "/batches?statuses=processing").body["total"] == 1
        assert raw("GET", "/batches?statuses=succeeded").body["total"] == 0
    finally:
        fake.faults.release_processing()


def test_canceled_tasks_join_the_batch_of_their_cancelation(fake, raw, finished):
    fake.faults.hold_tasks()
    first, second = create(raw, "a"), create(raw, "b")
    cancel = raw("POST", f"/tasks/cancel?uids={first},{second}").body["taskUid"]
    fake.faults.release_tasks()
    batch_uid = finished(cancel)["batchUid"]
    assert finished(first)["batchUid"] == finished(second)["batchUid"] == batch_uid
    view = raw("GET", f"/batches/{batch_uid}").body
    assert view["stats"]["totalNbTasks"] == 3
    assert view["stats"]["status"] == {"canceled": 2, "succeeded": 1}
    assert view["stats"]["types"] == {"indexCreation": 2, "taskCancelation": 1}
    assert view["details"]["canceledTasks"] == 2
    by_canceler = raw("GET", f"/batches?canceledBy={cancel}").body["results"]
    assert [batch["uid"] for batch in by_canceler] == [batch_uid]
    assert raw("GET", f"/batches?canceledBy={first}").body["total"] == 0


def test_batches_filter_like_tasks(fake, raw, finished):
    a, b = create(raw, "a"), create(raw, "b")
    failing = raw("POST", "/indexes", json_body={"uid": "a"}).body["taskUid"]
    a_batch, b_batch = finished(a)["batchUid"], finished(b)["batchUid"]
    failed_batch = finished(failing)["batchUid"]

    def uids(query):
        response = raw("GET", f"/batches?{query}")
        assert response.status == 200, response.body
        return [batch["uid"] for batch in response.body["results"]]

    assert uids("indexUids=b") == [b_batch]
    assert uids("statuses=failed") == [failed_batch]
    assert uids(f"uids={a}") == [a_batch]
    assert uids(f"batchUids={a_batch},{b_batch}") == [b_batch, a_batch]
    assert uids("types=indexCreation&indexUids=a") == [failed_batch, a_batch]
    assert uids("types=documentDeletion") == []
    started = raw("GET", f"/batches/{b_batch}").body["startedAt"]
    assert uids(f"afterStartedAt={started}") == [failed_batch]
    assert uids(f"beforeFinishedAt={started}") == [a_batch]


def test_batches_page_newest_first_and_reverse(raw, fake):
    for name in ("a", "b", "c", "d", "e"):
        create(raw, name)
    fake.wait_idle()
    page = raw("GET", "/batches?limit=2").body
    assert [batch["uid"] for batch in page["results"]] == [4, 3]
    assert (page["total"], page["from"], page["next"]) == (5, 4, 2)
    following = raw("GET", f"/batches?limit=2&from={page['next']}").body
    assert [batch["uid"] for batch in following["results"]] == [2, 1]
    oldest = raw("GET", "/batches?limit=2&reverse=true").body
    assert [batch["uid"] for batch in oldest["results"]] == [0, 1]


def test_deleting_every_task_of_a_batch_deletes_the_batch(raw, finished):
    task = finished(create(raw, "a"))
    deletion = raw("DELETE", f"/tasks?uids={task['uid']}").body["taskUid"]
    finished(deletion)
    response = raw("GET", f"/batches/{task['batchUid']}")
    assert (response.status, response.code) == (404, "batch_not_found")
    assert response.body["message"] == f"Batch `{task['batchUid']}` not found."


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/batches/99", 404, "batch_not_found"),
        ("/batches/doggo", 400, "invalid_batch_uids"),
        ("/batches/-1", 400, "invalid_batch_uids"),
        ("/batches?limit=x", 400, "invalid_task_limit"),
        ("/batches?statuses=done", 400, "invalid_task_statuses"),
        ("/batches?doggo=1", 400, "bad_request"),
    ],
)
def test_bad_batch_requests_get_their_codes(raw, path, status, code):
    response = raw("GET", path)
    assert (response.status, response.code) == (status, code)


def test_batches_need_the_key_like_tasks(raw):
    assert raw("GET", "/batches", key=None).status == 401


def test_the_official_client_reads_batches(client, raw, fake):
    task = client.create_index("movies")
    fake.wait_idle()
    batch_uid = raw("GET", f"/tasks/{task.task_uid}").body["batchUid"]
    batches = client.get_batches({"indexUids": ["movies"]})
    assert [batch.uid for batch in batches.results] == [batch_uid]
    batch = client.get_batch(batch_uid)
    assert batch.stats["types"] == {"indexCreation": 1}
    assert batch.finished_at is not None
    with pytest.raises(MeilisearchApiError) as caught:
        client.get_batch(batch_uid + 100)
    assert caught.value.code == "batch_not_found"
