"""A known route with a method it does not take: 405, the `Allow` header, a JSON error."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from meilisearch.errors import MeilisearchApiError

from .conftest import MASTER_KEY


def send(url, method, path):
    """One request, returning the status, the headers and the decoded body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request(method, path, headers={"Authorization": f"Bearer {MASTER_KEY}"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/indexes/movies/stats", "GET"),
        ("GET", "/indexes/movies/documents/fetch", "POST"),
        ("POST", "/indexes/movies/documents/1", "GET, DELETE"),
        ("PUT", "/indexes/movies", "GET, PATCH, DELETE"),
        ("PATCH", "/tasks", "GET, DELETE"),
        ("DELETE", "/batches", "GET"),
        ("GET", "/indexes/movies/fields", "POST"),
    ],
)
def test_a_wrong_method_is_405_with_allow_and_a_json_error(fake, method, path, allowed):
    status, headers, body = send(fake.url, method, path)
    assert status == 405
    assert headers["Allow"] == allowed
    assert headers["Content-Type"] == "application/json"
    error = json.loads(body)
    assert error["code"] == "method_not_allowed"
    assert error["type"] == "invalid_request"
    assert error["link"].endswith("#method_not_allowed")
    assert f"`{method} {path}`" in error["message"]
    assert all(f"`{m}`" in error["message"] for m in allowed.split(", "))


def test_a_route_left_out_lists_its_methods_too(fake):
    status, headers, _ = send(fake.url, "PUT", "/indexes/movies/similar")
    assert (status, headers["Allow"]) == (405, "GET, POST")


def test_the_literal_route_decides_the_allowed_methods(fake):
    status, headers, _ = send(fake.url, "DELETE", "/tasks/cancel")
    assert (status, headers["Allow"]) == (405, "POST")


def test_an_unknown_path_stays_404_without_allow(fake):
    status, headers, body = send(fake.url, "GET", "/doggo")
    assert status == 404
    assert "Allow" not in headers
    assert json.loads(body)["code"] == "not_found"


def test_the_official_client_sees_a_405_as_an_api_error(client):
    with pytest.raises(MeilisearchApiError) as caught:
        client.http.put("indexes/movies/stats", {})
    assert (caught.value.status_code, caught.value.code) == (405, "method_not_allowed")
