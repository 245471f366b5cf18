"""API keys: `/keys`, derived values, default keys, and actions and indexes on every route."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import meilisearch
import pytest
from meilisearch.errors import MeilisearchApiError

from scrypath.testing.meilisearch import FakeMeilisearch
from scrypath.testing.meilisearch.permissions import ACTIONS, expand_actions
from scrypath.testing.meilisearch.routes import ROUTES
from tests.testing.meilisearch.conftest import MASTER_KEY, Raw, request

OPENAPI = Path(__file__).resolve().parents[3].parent / "shared/reference/meilisearch-openapi.json"


def create(raw: Raw, **body: Any) -> dict[str, Any]:
    response = raw("POST", "/keys", json_body={"indexes": ["*"], "expiresAt": None, **body})
    assert response.status == 201, response.body
    return dict(response.body)


def as_key(raw: Raw, key: str) -> Raw:
    def send(method: str, path: str, **kwargs: Any) -> Any:
        return raw(method, path, key=key, **kwargs)

    return send


def test_a_fresh_instance_has_the_default_keys_with_derived_values(raw: Raw) -> None:
    response = raw("GET", "/keys")
    assert response.status == 200
    names = {key["name"]: key for key in response.body["results"]}
    assert {"Default Search API Key", "Default Admin API Key"} <= set(names)
    assert names["Default Search API Key"]["actions"] == ["search"]
    assert names["Default Admin API Key"]["actions"] == ["*"]
    for key in response.body["results"]:
        expected = hmac.new(MASTER_KEY.encode(), key["uid"].encode(), hashlib.sha256).hexdigest()
        assert key["key"] == expected
        assert key["indexes"] == ["*"] and key["expiresAt"] is None


def test_keys_are_created_read_listed_renamed_and_deleted(raw: Raw) -> None:
    key = create(raw, actions=["search"], name="front", description="for the shop")
    assert re.fullmatch(r"[0-9a-f]{64}", key["key"])
    by_uid = raw("GET", f"/keys/{key['uid']}").body
    by_value = raw("GET", f"/keys/{key['key']}").body
    assert by_uid == by_value == key
    listed = raw("GET", "/keys?offset=0&limit=1").body
    assert listed["results"] == [key] and listed["limit"] == 1 and listed["total"] == 5
    renamed = raw("PATCH", f"/keys/{key['uid']}", json_body={"name": "shop", "description": None})
    assert (renamed.body["name"], renamed.body["description"]) == ("shop", None)
    assert renamed.body["actions"] == ["search"]
    deleted = raw("DELETE", f"/keys/{key['key']}")
    assert (deleted.status, deleted.raw) == (204, b"")
    gone = raw("GET", f"/keys/{key['uid']}")
    assert (gone.status, gone.code) == (404, "api_key_not_found")
    assert gone.body["message"] == f"API key `{key['uid']}` not found."


def test_a_chosen_uid_gives_a_predictable_value_and_cannot_be_reused(raw: Raw) -> None:
    uid = "7b198a7f-52a0-4188-8762-9ad93cd608b2"
    key = create(raw, uid=uid, actions=["search"])
    assert key["key"] == hmac.new(MASTER_KEY.encode(), uid.encode(), hashlib.sha256).hexdigest()
    again = raw(
        "POST", "/keys", json_body={"uid": uid, "actions": [], "indexes": [], "expiresAt": None}
    )
    assert (again.status, again.code) == (409, "api_key_already_exists")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"indexes": ["*"], "expiresAt": None}, "missing_api_key_actions"),
        ({"actions": ["search"], "expiresAt": None}, "missing_api_key_indexes"),
        ({"actions": ["search"], "indexes": ["*"]}, "missing_api_key_expires_at"),
        ({"actions": ["serch"], "indexes": ["*"], "expiresAt": None}, "invalid_api_key_actions"),
        ({"actions": ["keys.*"], "indexes": ["*"], "expiresAt": None}, "invalid_api_key_actions"),
        ({"actions": [], "indexes": ["bad name"], "expiresAt": None}, "invalid_api_key_indexes"),
        (
            {"actions": [], "indexes": ["*"], "expiresAt": "2000-01-01"},
            "invalid_api_key_expires_at",
        ),
        ({"actions": [], "indexes": ["*"], "expiresAt": "soon"}, "invalid_api_key_expires_at"),
        (
            {"uid": "nope", "actions": [], "indexes": ["*"], "expiresAt": None},
            "invalid_api_key_uid",
        ),
        (
            {"actions": ["version"], "indexes": ["movies"], "expiresAt": None},
            "index_scoped_api_key_with_global_action",
        ),
        ({"actions": [], "indexes": [], "expiresAt": None, "key": "x"}, "bad_request"),
    ],
)
def test_invalid_key_bodies_get_meilisearchs_codes(raw: Raw, body: Any, code: str) -> None:
    response = raw("POST", "/keys", json_body=body)
    assert (response.status, response.code) == (400, code), response.body


def test_the_unknown_action_message_suggests_the_closest_one(raw: Raw) -> None:
    body = {"actions": ["search", "serch"], "indexes": ["*"], "expiresAt": None}
    message = raw("POST", "/keys", json_body=body).body["message"]
    assert message.startswith("Unknown value `serch` at `.actions[1]`: did you mean `search`?")


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("actions", "immutable_api_key_actions"),
        ("indexes", "immutable_api_key_indexes"),
        ("expiresAt", "immutable_api_key_expires_at"),
        ("uid", "immutable_api_key_uid"),
    ],
)
def test_only_name_and_description_can_change(raw: Raw, field: str, code: str) -> None:
    key = create(raw, actions=["search"])
    response = raw("PATCH", f"/keys/{key['uid']}", json_body={field: None})
    assert (response.status, response.code) == (400, code)
    assert response.body["message"] == (
        f"Immutable field `{field}`: expected one of `description`, `name`"
    )


def test_keys_need_a_master_key() -> None:
    with FakeMeilisearch() as open_fake:
        response = request(open_fake.url, "GET", "/keys", None, {})
        assert (response.status, response.code) == (401, "missing_master_key")
        other = request(open_fake.url, "GET", "/version", None, {"Authorization": "Bearer x"})
        assert other.status == 200


def test_a_key_may_use_only_its_actions(raw: Raw) -> None:
    created = raw("POST", "/indexes", json_body={"uid": "books"})
    assert created.status == 202
    searcher = as_key(raw, create(raw, actions=["search"])["key"])
    assert searcher("POST", "/indexes/books/search", json_body={}).status in (200, 404)
    refused = searcher("GET", "/indexes/books/documents")
    assert (refused.status, refused.code) == (403, "invalid_api_key")
    assert refused.body["message"] == "The provided API key is invalid."
    assert searcher("GET", "/keys").status == 403


def test_family_wildcards_grant_their_family_only(raw: Raw, fake: FakeMeilisearch) -> None:
    writer = as_key(raw, create(raw, actions=["documents.*", "indexes.create"])["key"])
    added = writer("POST", "/indexes/books/documents", json_body=[{"id": 1}])
    assert added.status == 202
    fake.wait_idle()
    assert writer("GET", "/indexes/books/documents").status == 200
    assert writer("GET", "/indexes/books/settings").status == 403


def test_star_get_grants_reads_but_not_keys(raw: Raw) -> None:
    reader = as_key(raw, create(raw, actions=["*.get"])["key"])
    assert reader("GET", "/version").status == 200
    assert reader("GET", "/tasks").status == 200
    assert reader("GET", "/keys").status == 403
    assert reader("POST", "/indexes", json_body={"uid": "x"}).status == 403


def test_index_patterns_scope_a_key(raw: Raw, fake: FakeMeilisearch) -> None:
    for uid in ("products_fr", "orders"):
        raw("POST", "/indexes", json_body={"uid": uid})
    fake.wait_idle()
    scoped = as_key(
        raw, create(raw, actions=["indexes.get", "search"], indexes=["products_*"])["key"]
    )
    assert scoped("GET", "/indexes/products_fr").status == 200
    refused = scoped("GET", "/indexes/orders")
    assert (refused.status, refused.code) == (403, "invalid_api_key")
    assert refused.body["message"] == (
        'The API key cannot acces the index `orders`, authorized indexes are ["products_*"].'
    )
    listed = scoped("GET", "/indexes").body
    assert [index["uid"] for index in listed["results"]] == ["products_fr"]
    assert listed["total"] == 1
    multi = scoped(
        "POST",
        "/multi-search",
        json_body={"queries": [{"indexUid": "products_fr"}, {"indexUid": "orders"}]},
    )
    assert (multi.status, multi.code) == (403, "invalid_api_key")
    assert multi.body["message"] == "Inside `.queries[1]`: The provided API key is invalid."


def test_a_key_cannot_create_an_index_outside_its_patterns(raw: Raw) -> None:
    creator = as_key(raw, create(raw, actions=["indexes.create"], indexes=["mine_*"])["key"])
    assert creator("POST", "/indexes", json_body={"uid": "mine_1"}).status == 202
    assert creator("POST", "/indexes", json_body={"uid": "theirs"}).status == 403


def test_an_expired_key_is_refused(raw: Raw) -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    key = create(raw, actions=["version"], expiresAt=soon)
    assert key["expiresAt"] is not None
    assert as_key(raw, key["key"])("GET", "/version").status == 200
    time.sleep(1.1)
    assert as_key(raw, key["key"])("GET", "/version").code == "invalid_api_key"


def test_reset_keeps_the_default_keys_and_forgets_the_others(
    raw: Raw, fake: FakeMeilisearch
) -> None:
    before = raw("GET", "/keys").body["results"]
    create(raw, actions=["search"])
    fake.reset()
    assert raw("GET", "/keys").body["results"] == before


def test_the_official_client_manages_keys(client: meilisearch.Client) -> None:
    created = client.create_key({"actions": ["search"], "indexes": ["books"], "expiresAt": None})
    assert client.get_key(created.key).uid == created.uid
    updated = client.update_key(created.uid, {"name": "renamed"})
    assert updated.name == "renamed"
    client.delete_key(created.uid)
    with pytest.raises(MeilisearchApiError) as caught:
        client.get_key(created.uid)
    assert caught.value.code == "api_key_not_found"


def test_every_guarded_route_names_a_known_action() -> None:
    guarded = [route for route in ROUTES if not route.public]
    assert guarded and all(route.action in ACTIONS for route in guarded)


@pytest.mark.skipif(not OPENAPI.exists(), reason="the OpenAPI reference is not checked out")
def test_each_route_requires_the_action_meilisearch_documents() -> None:
    spec = json.loads(OPENAPI.read_text(encoding="utf-8"))

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path)

    documented = {
        (method.upper(), shape(path)): set(op["security"][0]["Bearer"])
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and op.get("security")
    }
    for route in ROUTES:
        allowed = documented.get((route.method, shape(route.pattern)))
        if allowed is None or route.public or route.pattern == "/render-template":
            continue
        # `*` grants everything; some documented names are not key actions (skipped).
        names = {action for action in allowed if action != "*" and action in ACTIONS}
        if names:
            granted = route.action in names or route.action in expand_actions(names)
            assert granted, (route.method, route.pattern, route.action, allowed)
