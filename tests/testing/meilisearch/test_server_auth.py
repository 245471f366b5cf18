"""Authentication: the master key guards every route but `/health`."""

from __future__ import annotations

import meilisearch
import pytest
from meilisearch.errors import MeilisearchApiError

from scrypath.testing.meilisearch import FakeMeilisearch


def test_a_request_without_authorization_header_is_401(raw):
    response = raw("GET", "/indexes", key=None)
    assert response.status == 401
    assert response.body == {
        "message": "The Authorization header is missing. It must use the bearer "
        "authorization method.",
        "code": "missing_authorization_header",
        "type": "auth",
        "link": "https://docs.meilisearch.com/errors#missing_authorization_header",
    }


def test_a_wrong_key_is_403_invalid_api_key(raw):
    response = raw("GET", "/indexes", key="not-the-key")
    assert response.status == 403
    assert response.code == "invalid_api_key"
    assert response.body["type"] == "auth"
    assert response.body["message"] == "The provided API key is invalid."


def test_a_non_bearer_scheme_counts_as_a_missing_header(raw):
    response = raw("GET", "/version", key=None, headers={"Authorization": "Basic abc"})
    assert (response.status, response.code) == (401, "missing_authorization_header")


def test_bearer_without_token_is_an_invalid_key(raw):
    response = raw("GET", "/version", key=None, headers={"Authorization": "Bearer"})
    assert (response.status, response.code) == (403, "invalid_api_key")


def test_health_is_open_without_a_key(raw):
    response = raw("GET", "/health", key=None)
    assert (response.status, response.body) == (200, {"status": "available"})


def test_writes_are_refused_before_anything_happens(raw, fake, client):
    response = raw("POST", "/indexes", json_body={"uid": "movies"}, key="wrong")
    assert response.status == 403
    fake.wait_idle()
    assert client.get_tasks().total == 0


def test_the_official_client_with_a_wrong_key_gets_the_auth_error(fake):
    wrong = meilisearch.Client(fake.url, "wrong-key")
    with pytest.raises(MeilisearchApiError) as caught:
        wrong.get_indexes()
    assert caught.value.code == "invalid_api_key"


def test_without_a_master_key_everything_is_open():
    with FakeMeilisearch() as open_fake:
        client = meilisearch.Client(open_fake.url)
        task = client.create_index("open")
        open_fake.wait_idle()
        assert client.get_task(task.task_uid).status == "succeeded"
        assert open_fake.master_key is None
