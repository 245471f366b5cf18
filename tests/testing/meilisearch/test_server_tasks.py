"""Tasks: the 202 summary, the task view, GET /tasks filters and pages, cancel and delete."""

from __future__ import annotations

import re

import pytest

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
DURATION = re.compile(r"^PT\d+(\.\d{3}|\.\d{6}|\.\d{9})?S$")


def test_a_write_answers_202_with_the_summarized_task(raw):
    response = raw("POST", "/indexes", json_body={"uid": "movies"})
    assert response.status == 202
    assert set(response.body) == {"taskUid", "indexUid", "status", "type", "enqueuedAt"}
    assert response.body["status"] == "enqueued"
    assert response.body["type"] == "indexCreation"
    assert response.body["indexUid"] == "movies"
    assert RFC3339.match(response.body["enqueuedAt"])


def test_a_finished_task_has_the_full_view(raw, finished):
    uid = raw("POST", "/indexes", json_body={"uid": "movies", "primaryKey": "id"}).body["taskUid"]
    task = finished(uid)
    assert list(task) == [
        "uid",
        "batchUid",
        "indexUid",
        "status",
        "type",
        "canceledBy",
        "details",
        "error",
        "duration",
        "enqueuedAt",
        "startedAt",
        "finishedAt",
    ]
    assert task["status"] == "succeeded"
    assert task["details"] == {"primaryKey": "id"}
    assert task["error"] is None
    assert task["canceledBy"] is None
    assert isinstance(task["batchUid"], int)
    assert DURATION.match(task["duration"])
    assert all(RFC3339.match(task[key]) for key in ("enqueuedAt", "startedAt", "finishedAt"))
    assert task["enqueuedAt"] <= task["startedAt"] <= task["finishedAt"]


def test_a_failed_task_carries_the_error_object(raw, finished):
    raw("POST", "/indexes", json_body={"uid": "movies"})
    uid = raw("POST", "/indexes", json_body={"uid": "movies"}).body["taskUid"]
    task = finished(uid)
    assert task["status"] == "failed"
    assert task["error"] == {
        "message": "Index `movies` already exists.",
        "code": "index_already_exists",
        "type": "invalid_request",
        "link": "https://docs.meilisearch.com/errors#index_already_exists",
    }


def test_an_enqueued_task_has_no_start_and_no_duration(fake, raw):
    fake.faults.hold_tasks()
    uid = raw("POST", "/indexes", json_body={"uid": "movies"}).body["taskUid"]
    task = raw("GET", f"/tasks/{uid}").body
    assert task["status"] == "enqueued"
    assert (task["batchUid"], task["startedAt"], task["finishedAt"], task["duration"]) == (
        None,
        None,
        None,
        None,
    )


def test_custom_metadata_is_kept_on_the_task(raw, finished):
    response = raw("POST", "/indexes?customMetadata=run-42", json_body={"uid": "movies"})
    assert response.body["customMetadata"] == "run-42"
    assert finished(response.body["taskUid"])["customMetadata"] == "run-42"


def test_unknown_task_is_404_task_not_found(raw):
    response = raw("GET", "/tasks/4294967295")
    assert response.status == 404
    assert response.code == "task_not_found"
    assert response.body["message"] == "Task `4294967295` not found."


def test_a_non_numeric_task_uid_is_invalid(raw):
    response = raw("GET", "/tasks/doggo")
    assert (response.status, response.code) == (400, "invalid_task_uids")


def _make_tasks(raw, count):
    return [
        raw("POST", "/indexes", json_body={"uid": f"i{n}"}).body["taskUid"] for n in range(count)
    ]


def test_tasks_are_listed_newest_first_with_pages(raw, fake):
    uids = _make_tasks(raw, 5)
    fake.wait_idle()
    page = raw("GET", "/tasks?limit=2").body
    assert [task["uid"] for task in page["results"]] == [uids[4], uids[3]]
    assert (page["total"], page["limit"], page["from"], page["next"]) == (5, 2, uids[4], uids[2])
    last = raw("GET", f"/tasks?limit=2&from={uids[0]}").body
    assert [task["uid"] for task in last["results"]] == [uids[0]]
    assert last["next"] is None


def test_reverse_lists_oldest_first(raw, fake):
    uids = _make_tasks(raw, 3)
    fake.wait_idle()
    page = raw("GET", "/tasks?reverse=true&limit=2").body
    assert [task["uid"] for task in page["results"]] == uids[:2]
    assert page["next"] == uids[2]


def test_the_official_client_reads_task_pages(client, fake):
    for n in range(3):
        client.create_index(f"i{n}")
    fake.wait_idle()
    results = client.get_tasks({"limit": 2, "types": ["indexCreation"]})
    assert (len(results.results), results.total, results.next_) == (2, 3, 0)


def test_tasks_filter_by_status_type_index_and_uid(raw, fake):
    raw("POST", "/indexes", json_body={"uid": "a"})
    raw("POST", "/indexes", json_body={"uid": "a"})  # fails: already exists
    raw("DELETE", "/indexes/b")  # fails: not found
    fake.wait_idle()
    failed = raw("GET", "/tasks?statuses=failed").body
    assert [task["uid"] for task in failed["results"]] == [2, 1]
    deletions = raw("GET", "/tasks?types=indexDeletion,indexSwap").body
    assert [task["uid"] for task in deletions["results"]] == [2]
    on_a = raw("GET", "/tasks?indexUids=a&uids=0,2").body
    assert [task["uid"] for task in on_a["results"]] == [0]
    assert raw("GET", "/tasks?statuses=*").body["total"] == 3


def test_tasks_filter_by_dates(raw, fake):
    first = raw("POST", "/indexes", json_body={"uid": "a"}).body
    fake.wait_idle()
    second = raw("POST", "/indexes", json_body={"uid": "b"}).body
    fake.wait_idle()
    after = raw("GET", f"/tasks?afterEnqueuedAt={first['enqueuedAt']}").body
    assert [task["uid"] for task in after["results"]] == [second["taskUid"]]
    before = raw("GET", f"/tasks?beforeEnqueuedAt={second['enqueuedAt']}").body
    assert [task["uid"] for task in before["results"]] == [first["taskUid"]]
    assert raw("GET", "/tasks?beforeStartedAt=2000-01-01").body["total"] == 0
    assert raw("GET", "/tasks?afterFinishedAt=2000-01-01").body["total"] == 2


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("uids=doggo", "invalid_task_uids"),
        ("uids=1,dogo", "invalid_task_uids"),
        ("batchUids=x", "invalid_batch_uids"),
        ("canceledBy=-1", "invalid_task_canceled_by"),
        ("types=doggo", "invalid_task_types"),
        ("statuses=doggo", "invalid_task_statuses"),
        ("indexUids=the%20good%20doggo", "invalid_index_uid"),
        ("afterEnqueuedAt=doggo", "invalid_task_after_enqueued_at"),
        ("beforeEnqueuedAt=2024-13-01", "invalid_task_before_enqueued_at"),
        ("afterStartedAt=yesterday", "invalid_task_after_started_at"),
        ("beforeStartedAt=x", "invalid_task_before_started_at"),
        ("afterFinishedAt=x", "invalid_task_after_finished_at"),
        ("beforeFinishedAt=x", "invalid_task_before_finished_at"),
        ("limit=-1", "invalid_task_limit"),
        ("limit=doggo", "invalid_task_limit"),
        ("from=doggo", "invalid_task_from"),
        ("reverse=doggo", "invalid_task_reverse"),
        ("doggo=1", "bad_request"),
    ],
)
def test_bad_task_filters_get_their_codes(raw, query, code):
    response = raw("GET", f"/tasks?{query}")
    assert (response.status, response.code) == (400, code)


def test_bad_filter_messages_match_meilisearch(raw):
    assert raw("GET", "/tasks?uids=78,dogo").body["message"] == (
        "Invalid value in parameter `uids[1]`: could not parse `dogo` as a positive integer"
    )
    assert raw("GET", "/tasks?statuses=doggo").body["message"] == (
        "Invalid value in parameter `statuses`: `doggo` is not a valid task status. Available "
        "statuses are `enqueued`, `processing`, `succeeded`, `failed`, `canceled`."
    )
    assert raw("GET", "/tasks?afterEnqueuedAt=doggo").body["message"] == (
        "Invalid value in parameter `afterEnqueuedAt`: `doggo` is an invalid date-time. It "
        "should follow the YYYY-MM-DD or RFC 3339 date-time format."
    )


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/tasks"), ("POST", "/tasks/cancel")])
def test_delete_and_cancel_refuse_a_request_without_filters(raw, method, path):
    response = raw(method, path)
    assert (response.status, response.code) == (400, "missing_task_filters")


def test_delete_and_cancel_refuse_parameters_meant_for_listing(raw):
    response = raw("DELETE", "/tasks?limit=2")
    assert (response.status, response.code) == (400, "bad_request")


def test_cancel_cancels_enqueued_tasks_and_marks_them(fake, raw, finished):
    fake.faults.hold_tasks()
    first = raw("POST", "/indexes", json_body={"uid": "a"}).body["taskUid"]
    second = raw("POST", "/indexes", json_body={"uid": "b"}).body["taskUid"]
    cancel = raw("POST", f"/tasks/cancel?uids={first}")
    assert cancel.status == 200
    assert cancel.body["type"] == "taskCancelation"
    assert cancel.body["indexUid"] is None
    fake.faults.release_tasks()
    canceled = finished(first)
    assert canceled["status"] == "canceled"
    assert canceled["canceledBy"] == cancel.body["taskUid"]
    assert finished(second)["status"] == "succeeded"
    assert finished(cancel.body["taskUid"])["details"] == {
        "matchedTasks": 1,
        "canceledTasks": 1,
        "originalFilter": f"?uids={first}",
    }
    assert raw("GET", f"/tasks?canceledBy={cancel.body['taskUid']}").body["total"] == 1
    assert raw("GET", "/indexes/a").status == 404


def test_cancel_does_not_touch_finished_tasks(fake, raw, finished):
    done = raw("POST", "/indexes", json_body={"uid": "a"}).body["taskUid"]
    fake.wait_idle()
    cancel = raw("POST", "/tasks/cancel?statuses=succeeded,enqueued").body["taskUid"]
    details = finished(cancel)["details"]
    assert (details["matchedTasks"], details["canceledTasks"]) == (1, 0)
    assert finished(done)["status"] == "succeeded"


def test_delete_forgets_finished_tasks_only(fake, raw, finished):
    done = raw("POST", "/indexes", json_body={"uid": "a"}).body["taskUid"]
    fake.wait_idle()
    fake.faults.hold_tasks()
    pending = raw("POST", "/indexes", json_body={"uid": "b"}).body["taskUid"]
    deletion = raw("DELETE", f"/tasks?uids={done},{pending}")
    assert (deletion.status, deletion.body["type"]) == (200, "taskDeletion")
    fake.faults.release_tasks()
    details = finished(deletion.body["taskUid"])["details"]
    assert details == {
        "matchedTasks": 2,
        "deletedTasks": 1,
        "originalFilter": f"?uids={done},{pending}",
    }
    assert raw("GET", f"/tasks/{done}").status == 404
    assert raw("GET", f"/tasks/{pending}").body["status"] == "succeeded"


def test_the_official_client_cancels_and_deletes(client, fake):
    fake.faults.hold_tasks()
    task = client.create_index("movies")
    cancel = client.cancel_tasks({"uids": [str(task.task_uid)]})
    fake.faults.release_tasks()
    fake.wait_idle()
    assert client.get_task(task.task_uid).status == "canceled"
    deletion = client.delete_tasks({"statuses": ["canceled"]})
    fake.wait_idle()
    assert client.get_task(deletion.task_uid).details["deletedTasks"] == 1
    assert cancel.type == "taskCancelation"


def test_tasks_run_in_uid_order(fake, raw, finished):
    fake.faults.hold_tasks()
    uids = [raw("POST", "/indexes", json_body={"uid": f"i{n}"}).body["taskUid"] for n in range(6)]
    fake.faults.release_tasks()
    tasks = [finished(uid) for uid in uids]
    started = [task["startedAt"] for task in tasks]
    assert started == sorted(started)
    assert [task["batchUid"] for task in tasks] == sorted(task["batchUid"] for task in tasks)


def test_a_cancelation_jumps_the_queue_like_in_meilisearch(fake, raw, finished):
    fake.faults.hold_tasks()
    write = raw("POST", "/indexes", json_body={"uid": "a"}).body["taskUid"]
    cancel = raw("POST", f"/tasks/cancel?uids={write}").body["taskUid"]
    assert fake.faults.step_task() is True
    assert raw("GET", f"/tasks/{cancel}").body["status"] == "succeeded"
    assert raw("GET", f"/tasks/{write}").body["status"] == "canceled"
    assert fake.faults.step_task() is False
