"""`POST /swap-indexes`: atomic swaps, renames, and their failures."""

from __future__ import annotations

import pytest


def _two_indexes(client, fake):
    client.index("a").add_documents([{"id": 1, "name": "from a"}])
    client.index("b").add_documents([{"id": 1, "name": "from b"}])
    fake.wait_idle()


def test_swap_exchanges_documents_and_task_history(client, fake, raw):
    _two_indexes(client, fake)
    task = client.swap_indexes([{"indexes": ["a", "b"]}])
    fake.wait_idle()
    done = client.get_task(task.task_uid)
    assert done.status == "succeeded"
    assert done.index_uid is None
    assert done.details == {"swaps": [{"indexes": ["a", "b"], "rename": False}]}
    assert client.index("a").get_document(1).name == "from b"
    assert client.index("b").get_document(1).name == "from a"
    history = raw("GET", "/tasks?types=documentAdditionOrUpdate&reverse=true").body["results"]
    assert [t["indexUid"] for t in history] == ["b", "a"]


def test_writes_enqueued_before_a_swap_land_in_the_index_they_name(client, fake, raw):
    _two_indexes(client, fake)
    fake.faults.hold_tasks()
    client.swap_indexes([{"indexes": ["a", "b"]}])
    late = client.index("a").add_documents([{"id": 2, "name": "sent to a"}])
    fake.faults.release_tasks()
    fake.wait_idle()
    assert client.get_task(late.task_uid).index_uid == "a"
    assert client.index("a").get_document(2).name == "sent to a"
    ids_in_b = [doc["id"] for doc in raw("GET", "/indexes/b/documents").body["results"]]
    assert ids_in_b == [1]


def test_rename_moves_an_index_to_a_free_name(client, fake):
    client.index("a").add_documents([{"id": 1}])
    task = client.swap_indexes([{"indexes": ["a", "c"], "rename": True}])
    fake.wait_idle()
    assert client.get_task(task.task_uid).details["swaps"][0]["rename"] is True
    assert client.index("c").get_document(1).id == 1
    assert [index["uid"] for index in client.get_raw_indexes()["results"]] == ["c"]


def test_swapping_a_missing_index_fails_the_task(client, fake):
    client.create_index("a")
    task = client.swap_indexes([{"indexes": ["a", "ghost"]}])
    fake.wait_idle()
    error = client.get_task(task.task_uid).error
    assert error["code"] == "index_not_found"
    assert error["message"] == "Index `ghost` not found."
    assert client.get_raw_index("a")["uid"] == "a"


def test_renaming_onto_an_existing_index_fails_the_task(client, fake):
    _two_indexes(client, fake)
    task = client.swap_indexes([{"indexes": ["a", "b"], "rename": True}])
    fake.wait_idle()
    error = client.get_task(task.task_uid).error
    assert error["code"] == "index_already_exists"
    assert client.index("a").get_document(1).name == "from a"


def test_a_failed_swap_changes_nothing(client, fake):
    _two_indexes(client, fake)
    task = client.swap_indexes([{"indexes": ["a", "b"]}, {"indexes": ["c", "d"]}])
    fake.wait_idle()
    assert client.get_task(task.task_uid).error["message"] == "Indexes `c`, `d` not found."
    assert client.index("a").get_document(1).name == "from a"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            [{"indexes": ["a", "a"]}],
            "invalid_swap_duplicate_index_found",
            ("Indexes must be declared only once during a swap. `a` was specified several times."),
        ),
        (
            [{"indexes": ["a", "b"]}, {"indexes": ["c", "a"]}],
            "invalid_swap_duplicate_index_found",
            None,
        ),
        (
            [{"indexes": ["a"]}],
            "invalid_swap_indexes",
            ('Two indexes must be given for each swap. The list `["a"]` contains 1 indexes.'),
        ),
        ([{"indexes": "a"}], "invalid_swap_indexes", None),
        ([{"indexes": ["a", "b c"]}], "invalid_swap_indexes", None),
        ([{"indexes": ["a", "b"], "rename": "yes"}], "invalid_swap_rename", None),
        ([{}], "missing_swap_indexes", "Missing field `indexes` inside `[0]`"),
        ([{"indexes": ["a", "b"], "doggo": 1}], "bad_request", None),
        (["doggo"], "bad_request", None),
        ("doggo", "bad_request", None),
    ],
)
def test_swap_requests_are_checked_synchronously(raw, fake, body, code, message):
    response = raw("POST", "/swap-indexes", json_body=body)
    assert (response.status, response.code) == (400, code), response.body
    if message is not None:
        assert response.body["message"] == message
    fake.wait_idle()
    assert raw("GET", "/tasks").body["total"] == 0
