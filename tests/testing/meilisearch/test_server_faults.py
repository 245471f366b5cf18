"""Fault injection and control of task processing."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError


def test_fail_next_task_fails_it_with_the_chosen_code(client, fake):
    fake.faults.fail_next_tasks(code="index_creation_failed", message="disk on fire")
    failed = client.create_index("a")
    ok = client.create_index("b")
    fake.wait_idle()
    task = client.get_task(failed.task_uid)
    assert task.status == "failed"
    assert task.error == {
        "message": "disk on fire",
        "code": "index_creation_failed",
        "type": "invalid_request",
        "link": "https://docs.meilisearch.com/errors#index_creation_failed",
    }
    assert client.get_task(ok.task_uid).status == "succeeded"
    with pytest.raises(MeilisearchApiError):
        client.get_raw_index("a")


def test_task_faults_match_index_and_type_and_count_down(client, fake):
    fake.faults.fail_next_tasks(2, index_uid="target", task_type="documentAdditionOrUpdate")
    other = client.index("other").add_documents([{"id": 1}])
    creation = client.create_index("target")
    first = client.index("target").add_documents([{"id": 1}])
    second = client.index("target").add_documents([{"id": 2}])
    third = client.index("target").add_documents([{"id": 3}])
    fake.wait_idle()
    statuses = [client.get_task(t.task_uid).status for t in (other, creation, first, second, third)]
    assert statuses == ["succeeded", "succeeded", "failed", "failed", "succeeded"]
    assert client.get_task(first.task_uid).error["code"] == "internal"
    assert client.get_task(first.task_uid).details == {
        "receivedDocuments": 1,
        "indexedDocuments": 0,
    }


def test_respond_next_answers_with_a_meilisearch_shaped_error(client, fake):
    fake.faults.respond_next(status=503, route="/version")
    with pytest.raises(MeilisearchApiError) as caught:
        client.get_version()
    assert caught.value.status_code == 503
    assert caught.value.code == "internal"
    assert client.get_version()["pkgVersion"]


def test_respond_next_matches_patterns_methods_and_counts(raw, fake):
    fake.faults.respond_next(2, status=500, route="/indexes/*/documents", method="POST")
    assert raw("GET", "/indexes/movies/documents").status == 404
    first = raw("POST", "/indexes/movies/documents", json_body=[{"id": 1}])
    second = raw("POST", "/indexes/movies/documents", json_body=[{"id": 1}])
    third = raw("POST", "/indexes/movies/documents", json_body=[{"id": 1}])
    assert [first.status, second.status, third.status] == [500, 500, 202]
    assert first.body["type"] == "internal"


def test_a_dropped_connection_reaches_the_client_as_a_transport_failure(client, fake):
    fake.faults.respond_next(route="/indexes", drop_connection=True)
    with pytest.raises(MeilisearchCommunicationError):
        client.create_index("movies")
    fake.wait_idle()
    assert client.get_tasks().total == 0
    assert client.create_index("movies").task_uid == 0


def test_a_dropped_connection_sends_no_response_at_all(fake, master_key):
    fake.faults.respond_next(drop_connection=True)
    parts = urlsplit(fake.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", "/health")
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
    finally:
        conn.close()


def test_latency_is_set_and_cleared_without_breaking_requests(client, fake):
    fake.faults.set_latency(0.05)
    assert fake.faults.latency == 0.05
    assert client.health() == {"status": "available"}
    fake.faults.clear()
    assert fake.faults.latency == 0.0


def test_held_tasks_stay_enqueued_until_stepped_or_released(client, fake):
    fake.faults.hold_tasks()
    first = client.create_index("a")
    second = client.create_index("b")
    with pytest.raises(TimeoutError):
        fake.wait_idle(timeout=0.2)
    assert client.get_task(first.task_uid).status == "enqueued"
    assert fake.faults.step_task() is True
    assert client.get_task(first.task_uid).status == "succeeded"
    assert client.get_task(second.task_uid).status == "enqueued"
    fake.faults.release_tasks()
    fake.wait_idle()
    assert client.get_task(second.task_uid).status == "succeeded"
    assert fake.faults.step_task() is False


def test_clear_drops_the_rules_and_resumes_processing(client, fake):
    fake.faults.hold_tasks()
    fake.faults.fail_next_tasks()
    fake.faults.respond_next(route="/version")
    task = client.create_index("a")
    fake.faults.clear()
    fake.wait_idle()
    assert client.get_task(task.task_uid).status == "succeeded"
    assert client.get_version()["pkgVersion"]


def test_reset_forgets_indexes_tasks_and_faults(client, fake):
    client.index("a").add_documents([{"id": 1}])
    fake.wait_idle()
    fake.faults.hold_tasks()
    fake.faults.fail_next_tasks()
    fake.reset()
    assert client.get_indexes()["total"] == 0
    assert client.get_tasks().total == 0
    task = client.create_index("b")
    fake.wait_idle()
    assert (task.task_uid, client.get_task(task.task_uid).status) == (0, "succeeded")
