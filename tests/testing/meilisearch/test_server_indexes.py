"""Indexes: create, list, read, update the primary key, rename, delete, stats, version."""

from __future__ import annotations

import pytest
from meilisearch.errors import MeilisearchApiError


def test_created_index_is_listed_and_readable(client, fake):
    client.create_index("movies", {"primaryKey": "id"})
    fake.wait_idle()
    index = client.get_raw_index("movies")
    assert index["uid"] == "movies"
    assert index["primaryKey"] == "id"
    assert index["createdAt"] and index["updatedAt"]
    assert client.get_raw_indexes()["total"] == 1


def test_index_list_pages_by_offset_and_limit(client, raw, fake):
    for uid in ("c", "a", "b"):
        client.create_index(uid)
    fake.wait_idle()
    page = raw("GET", "/indexes?offset=1&limit=1").body
    assert [index["uid"] for index in page["results"]] == ["b"]
    assert (page["offset"], page["limit"], page["total"]) == (1, 1, 3)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=-1", "invalid_index_limit"),
        ("offset=doggo", "invalid_index_offset"),
        ("doggo=1", "bad_request"),
    ],
)
def test_bad_index_list_parameters(raw, query, code):
    response = raw("GET", f"/indexes?{query}")
    assert (response.status, response.code) == (400, code)


def test_creating_an_existing_index_fails_its_task(client, fake):
    client.create_index("movies")
    task = client.create_index("movies")
    fake.wait_idle()
    failed = client.get_task(task.task_uid)
    assert failed.status == "failed"
    assert failed.error["code"] == "index_already_exists"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({}, "missing_index_uid", "Missing field `uid`"),
        ({"uid": True}, "invalid_index_uid", None),
        (
            {"uid": "the best doggo"},
            "invalid_index_uid",
            "Invalid value at `.uid`: `the best doggo` is not a valid index uid. Index uid can "
            "be an integer or a string containing only alphanumeric characters, hyphens (-) "
            "and underscores (_), and can not be more than 512 bytes.",
        ),
        ({"uid": "a", "primaryKey": ["id"]}, "invalid_index_primary_key", None),
        (
            {"uid": "a", "doggo": 1},
            "bad_request",
            "Unknown field `doggo`: expected one of `uid`, `primaryKey`",
        ),
    ],
)
def test_index_creation_payload_is_checked(raw, body, code, message):
    response = raw("POST", "/indexes", json_body=body)
    assert (response.status, response.code) == (400, code)
    if message is not None:
        assert response.body["message"] == message


def test_an_invalid_uid_in_the_path_is_400(raw):
    response = raw("GET", "/indexes/the%20good%20doggo")
    assert (response.status, response.code) == (400, "invalid_index_uid")


def test_an_unknown_index_is_404(client):
    with pytest.raises(MeilisearchApiError) as caught:
        client.get_raw_index("nope")
    assert caught.value.code == "index_not_found"
    assert caught.value.message == "Index `nope` not found."


def test_primary_key_can_change_while_the_index_is_empty(client, fake):
    client.create_index("movies", {"primaryKey": "id"})
    task = client.index("movies").update(primary_key="sku")
    fake.wait_idle()
    assert client.get_task(task.task_uid).status == "succeeded"
    assert client.get_raw_index("movies")["primaryKey"] == "sku"


def test_primary_key_cannot_change_once_documents_exist(client, fake):
    client.index("movies").add_documents([{"id": 1}])
    task = client.index("movies").update(primary_key="sku")
    fake.wait_idle()
    failed = client.get_task(task.task_uid)
    assert failed.error["code"] == "index_primary_key_already_exists"
    assert failed.error["message"] == "Index `movies`: Index already has a primary key: `id`."


def test_index_update_refuses_immutable_and_unknown_fields(raw, client, fake):
    client.create_index("movies")
    fake.wait_idle()
    created = raw("PATCH", "/indexes/movies", json_body={"createdAt": "x"})
    assert (created.status, created.code) == (400, "immutable_index_created_at")
    unknown = raw("PATCH", "/indexes/movies", json_body={"doggo": 1})
    assert unknown.body["message"] == "Unknown field `doggo`: expected one of `primaryKey`, `uid`"


def test_an_index_can_be_renamed_with_its_history(raw, client, fake, finished):
    client.index("old").add_documents([{"id": 1}])
    uid = raw("PATCH", "/indexes/old", json_body={"uid": "new"}).body["taskUid"]
    task = finished(uid)
    assert task["details"] == {"primaryKey": None, "oldIndexUid": "old", "newIndexUid": "new"}
    assert client.index("new").get_document(1).id == 1
    assert raw("GET", "/indexes/old").status == 404
    assert [t["type"] for t in raw("GET", "/tasks?indexUids=new").body["results"]] == [
        "documentAdditionOrUpdate"
    ]
    assert [t["uid"] for t in raw("GET", "/tasks?indexUids=old").body["results"]] == [uid]


def test_deleting_an_index_reports_its_documents(client, fake):
    client.index("movies").add_documents([{"id": 1}, {"id": 2}])
    task = client.delete_index("movies")
    fake.wait_idle()
    assert client.get_task(task.task_uid).details == {"deletedDocuments": 2}
    missing = client.delete_index("movies")
    fake.wait_idle()
    assert client.get_task(missing.task_uid).error["code"] == "index_not_found"


def test_index_stats_have_the_documented_shape(client, raw, fake):
    client.index("movies").add_documents([{"id": 1, "title": "a"}, {"id": 2}])
    fake.wait_idle()
    stats = raw("GET", "/indexes/movies/stats").body
    assert {
        "numberOfDocuments",
        "indexSize",
        "usedIndexSize",
        "rawDocumentDbSize",
        "avgDocumentSize",
        "isIndexing",
        "fieldDistribution",
    } <= set(stats)
    assert stats["numberOfDocuments"] == 2
    assert stats["isIndexing"] is False
    assert stats["fieldDistribution"] == {"id": 2, "title": 1}
    assert client.index("movies").get_stats().number_of_documents == 2


def test_global_stats_cover_every_index(client, raw, fake):
    client.index("a").add_documents([{"id": 1}])
    client.create_index("b")
    fake.wait_idle()
    stats = raw("GET", "/stats").body
    assert sorted(stats["indexes"]) == ["a", "b"]
    assert stats["lastUpdate"] is not None
    assert stats["databaseSize"] >= 0


def test_an_unknown_size_format_is_refused(raw, client, fake):
    client.create_index("a")
    fake.wait_idle()
    response = raw("GET", "/indexes/a/stats?sizeFormat=pretty")
    assert (response.status, response.code) == (400, "invalid_stats_size_format")


def test_version_health_and_root(client, raw):
    version = client.get_version()
    assert version["pkgVersion"].startswith("1.")
    assert client.health() == {"status": "available"}
    assert raw("GET", "/", key=None).body == {"status": "Meilisearch is running"}
