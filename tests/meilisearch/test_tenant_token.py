"""`scrypath.meilisearch.tenant_token`: a token that sees one tenant of one model's index."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import meilisearch as meilisearch_client
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meilisearch.errors import MeilisearchApiError

from scrypath.config import Config
from scrypath.errors import (
    NoTenantFieldError,
    TenantKeyError,
    TenantTokenError,
    TenantTokenExpiryError,
)
from scrypath.meilisearch import TenantKey, get_client, tenant_token
from scrypath.sync import sync_records
from tests.conftest import Models

HOUR = timedelta(hours=1)


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def make_key(actions: list[str], indexes: list[str], **extra: Any) -> TenantKey:
    created = get_client().create_key({"actions": actions, "indexes": indexes, **extra})
    return TenantKey(created.uid, created.key, tuple(actions), tuple(indexes))


def searcher(config: Config, token: str) -> meilisearch_client.Client:
    return meilisearch_client.Client(config.require_url(), token)


@pytest.fixture
def tenants(models: Models, scrypath_config: Config) -> Models:
    """Posts of tenants 1 and 2, all about tea."""
    with models.session() as session:
        posts = [models.Post(id=i, title=f"tea {i}", tenant_id=1 + i % 2) for i in range(1, 7)]
        session.add_all(posts)
        session.commit()
    sync_records(posts)
    return models


def test_the_token_sees_only_its_tenant_even_when_the_filter_tries_to_widen_it(
    tenants: Models, scrypath_config: Config
) -> None:
    key = make_key(["search"], ["*"], expiresAt=None)
    token = tenant_token(tenants.Post, tenant=2, api_key=key, expires_at=HOUR)
    index = searcher(scrypath_config, token).index(claims(token)["searchRules"].popitem()[0])
    own = index.search("tea")["hits"]
    assert {hit["tenant_id"] for hit in own} == {2}
    widened = index.search("tea", {"filter": "tenant_id = 1 OR tenant_id = 2"})
    assert widened["hits"] == own
    negated = index.search("tea", {"filter": ["tenant_id != 2"]})
    assert negated["hits"] == []


def test_the_token_names_the_key_the_index_and_the_expiry(
    tenants: Models, scrypath_config: Config
) -> None:
    key = make_key(["search"], ["*"], expiresAt=None)
    expires = datetime.now(UTC) + HOUR
    body = claims(tenant_token(tenants.Post, tenant=1, api_key=key, expires_at=expires))
    assert body["apiKeyUid"] == key.uid
    assert body["exp"] == int(expires.timestamp())
    [(index, rule)] = body["searchRules"].items()
    assert index.startswith(scrypath_config.index_prefix)
    assert rule == {"filter": "tenant_id = 1"}


def test_a_key_value_alone_is_looked_up_with_the_configured_client(
    tenants: Models, scrypath_config: Config
) -> None:
    key = make_key(["search"], ["*"], expiresAt=None)
    token = tenant_token(tenants.Post, tenant=1, api_key=key.key, expires_at=HOUR)
    assert claims(token)["apiKeyUid"] == key.uid
    index = claims(token)["searchRules"].popitem()[0]
    hits = searcher(scrypath_config, token).index(index).search("tea")["hits"]
    assert hits and {hit["tenant_id"] for hit in hits} == {1}


def test_the_official_clients_key_object_is_accepted(
    tenants: Models, scrypath_config: Config
) -> None:
    created = get_client().create_key({"actions": ["*"], "indexes": ["*"], "expiresAt": None})
    token = tenant_token(tenants.Post, tenant=2, api_key=created, expires_at=HOUR)
    index = claims(token)["searchRules"].popitem()[0]
    assert searcher(scrypath_config, token).index(index).search("tea")["hits"]


def test_the_token_cannot_reach_another_index(tenants: Models, scrypath_config: Config) -> None:
    key = make_key(["search"], ["*"], expiresAt=None)
    token = tenant_token(tenants.Post, tenant=1, api_key=key, expires_at=HOUR)
    with pytest.raises(MeilisearchApiError) as caught:
        searcher(scrypath_config, token).index("somewhere_else").search("tea")
    assert caught.value.code == "invalid_api_key"


def test_an_unknown_key_value_is_refused_without_quoting_it(
    tenants: Models, scrypath_config: Config
) -> None:
    secret = "f" * 64
    with pytest.raises(TenantKeyError) as caught:
        tenant_token(tenants.Post, tenant=1, api_key=secret, expires_at=HOUR)
    assert caught.value.reason == "tenant_key_not_allowed"
    assert secret not in f"{caught.value} {caught.value!r} {dict(caught.value.context)}"


def test_a_key_without_search_rights_is_refused(tenants: Models, scrypath_config: Config) -> None:
    key = make_key(["documents.get"], ["*"], expiresAt=None)
    with pytest.raises(TenantKeyError, match="cannot search"):
        tenant_token(tenants.Post, tenant=1, api_key=key, expires_at=HOUR)
    with pytest.raises(TenantKeyError, match="cannot search"):
        tenant_token(tenants.Post, tenant=1, api_key=key.key, expires_at=HOUR)


def test_a_key_scoped_to_other_indexes_is_refused(tenants: Models, scrypath_config: Config) -> None:
    key = make_key(["search"], ["unrelated_*"], expiresAt=None)
    with pytest.raises(TenantKeyError, match="cannot search the index"):
        tenant_token(tenants.Post, tenant=1, api_key=key, expires_at=HOUR)


def test_a_model_without_a_tenant_field_is_refused(models: Models, offline_config: Config) -> None:
    key = TenantKey("0" * 8 + "-0000-4000-8000-" + "0" * 12, "k" * 64, ("search",), ("*",))
    with pytest.raises(NoTenantFieldError) as caught:
        tenant_token(models.Note, tenant=1, api_key=key, expires_at=HOUR)
    assert caught.value.reason == "no_tenant_field"


@pytest.mark.parametrize("tenant", [None, True, [1], {"a": 1}, (1,), b"1"])
def test_a_tenant_is_one_plain_value(models: Models, offline_config: Config, tenant: Any) -> None:
    key = TenantKey("uid", "k" * 64, ("search",), ("*",))
    with pytest.raises(TenantTokenError, match="one tenant value") as caught:
        tenant_token(models.Post, tenant=tenant, api_key=key, expires_at=HOUR)
    assert caught.value.reason == "tenant_token"


def test_a_token_without_expiry_must_be_asked_for(models: Models, offline_config: Config) -> None:
    key = TenantKey("uid", "k" * 64, ("search",), ("*",))
    with pytest.raises(TenantTokenExpiryError, match="allow_no_expiry=True"):
        tenant_token(models.Post, tenant=1, api_key=key)
    token = tenant_token(models.Post, tenant=1, api_key=key, allow_no_expiry=True)
    assert "exp" not in claims(token)


@pytest.mark.parametrize(
    "expires_at",
    [datetime(2999, 1, 1), datetime.now(UTC) - HOUR, -HOUR, datetime.now(UTC) + 1000 * HOUR],
    ids=["naive", "past", "negative delay", "after the key"],
)
def test_bad_expiries_are_refused(models: Models, offline_config: Config, expires_at: Any) -> None:
    key = TenantKey("uid", "k" * 64, ("search",), ("*",), datetime.now(UTC) + 2 * HOUR)
    with pytest.raises(TenantTokenExpiryError) as caught:
        tenant_token(models.Post, tenant=1, api_key=key, expires_at=expires_at)
    assert caught.value.reason == "tenant_token_expiry"


def test_the_key_value_never_shows_in_a_repr_or_an_error(
    models: Models, offline_config: Config
) -> None:
    secret = "s3cret-" + "k" * 57
    key = TenantKey("uid", secret, ("documents.get",), ("*",))
    assert secret not in repr(key)
    with pytest.raises(TenantKeyError) as caught:
        tenant_token(models.Post, tenant=1, api_key=key, expires_at=HOUR)
    assert secret not in f"{caught.value} {caught.value!r} {dict(caught.value.context)}"


TENANTS = st.one_of(
    st.text(min_size=1, max_size=12).filter(lambda text: "\x00" not in text),
    st.sampled_from(['a"b', "a\\b", 'x" OR tenant_id EXISTS OR "', "ünï", "東京", "'"]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tenant=TENANTS)
def test_any_tenant_string_matches_exactly_its_own_documents(
    models: Models, scrypath_config: Config, tenant: str
) -> None:
    index_name = "tenant_strings"
    client = get_client()
    index_uid = f"{scrypath_config.index_prefix}{index_name}"
    task = client.index(index_uid).update_filterable_attributes(["tenant_id"])
    client.wait_for_task(task.task_uid)
    docs = [{"id": 1, "tenant_id": tenant}, {"id": 2, "tenant_id": tenant + "x"}, {"id": 3}]
    client.wait_for_task(client.index(index_uid).add_documents(docs, "id").task_uid)
    key = make_key(["search"], ["*"], expiresAt=None)
    token = tenant_token(models.Post, tenant=tenant, api_key=key, expires_at=HOUR)
    [(post_index, rule)] = claims(token)["searchRules"].items()
    raw_token = meilisearch_client.Client(scrypath_config.require_url()).generate_tenant_token(
        key.uid, {index_uid: rule}, api_key=key.key, expires_at=datetime.now(UTC) + HOUR
    )
    hits = searcher(scrypath_config, raw_token).index(index_uid).search("")["hits"]
    assert [hit["id"] for hit in hits] == [1]
    assert post_index.startswith(scrypath_config.index_prefix)
