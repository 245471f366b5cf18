"""The HTTP surface: content types, malformed and oversized bodies, unknown and refused routes."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrypath.testing.meilisearch import FakeMeilisearch


def test_document_writes_need_a_content_type(raw):
    response = raw("POST", "/indexes/movies/documents", body=b"[]")
    assert (response.status, response.code) == (415, "missing_content_type")
    assert response.body["message"] == (
        "A Content-Type header is missing. Accepted values for the Content-Type header are: "
        "`application/json`, `application/x-ndjson`, `text/csv`"
    )


def test_document_writes_refuse_other_content_types(raw):
    response = raw(
        "POST", "/indexes/movies/documents", body=b"x", headers={"Content-Type": "text/plain"}
    )
    assert (response.status, response.code) == (415, "invalid_content_type")
    assert response.body["type"] == "invalid_request"


def test_json_routes_need_application_json(raw):
    missing = raw("PATCH", "/indexes/movies/settings", body=b"{}")
    assert (missing.status, missing.code) == (415, "missing_content_type")
    wrong = raw(
        "PATCH", "/indexes/movies/settings", body=b"{}", headers={"Content-Type": "text/csv"}
    )
    assert (wrong.status, wrong.code) == (415, "invalid_content_type")


def test_malformed_json_is_400_malformed_payload(raw):
    headers = {"Content-Type": "application/json"}
    documents = raw("POST", "/indexes/movies/documents", body=b'[{"id": 1,', headers=headers)
    assert (documents.status, documents.code) == (400, "malformed_payload")
    assert documents.body["message"].startswith("The `json` payload provided is malformed.")
    settings_body = raw("PATCH", "/indexes/movies/settings", body=b"{nope", headers=headers)
    assert (settings_body.status, settings_body.code) == (400, "malformed_payload")


def test_documents_that_are_not_objects_are_malformed(raw):
    response = raw("POST", "/indexes/movies/documents", json_body=[1, 2])
    assert response.body["message"] == (
        "The `json` payload provided is malformed. `Couldn't serialize document value: data "
        "are neither an object nor a list of objects`."
    )


def test_an_empty_body_is_missing_payload(raw):
    headers = {"Content-Type": "application/json"}
    documents = raw("POST", "/indexes/movies/documents", body=b"", headers=headers)
    assert (documents.status, documents.code) == (400, "missing_payload")
    assert documents.body["message"] == "A json payload is missing."
    ndjson = raw(
        "PUT",
        "/indexes/movies/documents",
        body=b"",
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert ndjson.body["message"] == "A ndjson payload is missing."
    index = raw("POST", "/indexes", body=b"", headers=headers)
    assert (index.status, index.code) == (400, "missing_payload")


def test_a_declared_oversized_payload_is_refused_without_reading_it(fake, master_key):
    parts = urlsplit(fake.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("POST", "/indexes/movies/documents")
        conn.putheader("Authorization", f"Bearer {master_key}")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(200 * 1024 * 1024))
        conn.endheaders()
        conn.send(b"[")
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 413
    assert b'"code":"payload_too_large"' in body
    assert b"The maximum accepted payload size is 100 MiB." in body


def test_the_payload_limit_is_configurable_and_applies_to_chunked_bodies(master_key):
    with FakeMeilisearch(master_key=master_key, max_payload_bytes=1000) as small:
        parts = urlsplit(small.url)
        head = (
            "POST /indexes/movies/documents HTTP/1.1\r\n"
            f"Host: {parts.hostname}:{parts.port}\r\n"
            f"Authorization: Bearer {master_key}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        ).encode()
        pieces = [b"[", b'{"id": 1, "pad": "' + b"x" * 2000 + b'"}', b"]"]
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
            # the server may answer and close before the whole body is sent: that is the point
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                conn.sendall(head + chunked + b"0\r\n\r\n")
            answer = _read_until_closed(conn)
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"The maximum accepted payload size is 1 KB." in answer


def _read_until_closed(conn: socket.socket) -> bytes:
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := conn.recv(65536):
            received += chunk
    return received


def test_a_chunked_body_within_the_limit_is_accepted(fake, raw, master_key, finished):
    parts = urlsplit(fake.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(
            "POST",
            "/indexes/movies/documents",
            body=iter([b'[{"id": 1},', b'{"id": 2}]']),
            headers={"Authorization": f"Bearer {master_key}", "Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = conn.getresponse()
        task_uid = int(response.read().split(b'"taskUid":')[1].split(b",")[0])
    finally:
        conn.close()
    assert response.status == 202
    assert finished(task_uid)["details"]["indexedDocuments"] == 2


def test_unknown_paths_are_404(raw):
    response = raw("GET", "/doggo")
    assert (response.status, response.code) == (404, "not_found")


def test_a_known_path_with_the_wrong_method_is_405(raw):
    assert raw("PATCH", "/indexes/movies/settings/filterable-attributes").status == 405
    assert raw("GET", "/indexes/movies/documents/fetch").status == 405
    assert raw("GET", "/tasks/cancel").status == 405


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/dumps"),
        ("POST", "/snapshots"),
        ("GET", "/batches/stream"),
        ("GET", "/chats"),
        ("GET", "/network"),
        ("GET", "/webhooks"),
        ("POST", "/export"),
        ("POST", "/indexes/movies/similar"),
        ("POST", "/indexes/movies/documents/edit"),
        ("GET", "/indexes/movies/settings/chat"),
        ("GET", "/experimental-features"),
    ],
)
def test_unserved_meilisearch_routes_are_501_naming_the_route(raw, method, path):
    response = raw(method, path, json_body={} if method == "POST" else None)
    assert (response.status, response.code) == (501, "not_implemented")
    assert method in response.body["message"]


def test_refused_routes_still_require_authentication(raw):
    assert raw("GET", "/keys", key=None).status == 401


def test_trailing_slashes_are_ignored(raw):
    assert raw("GET", "/health/").status == 200
    assert raw("GET", "/indexes//").body["total"] == 0


def test_keep_alive_connections_serve_several_requests(fake, master_key):
    parts = urlsplit(fake.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        statuses = []
        for _ in range(3):
            conn.request("GET", "/version", headers={"Authorization": f"Bearer {master_key}"})
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        conn.close()
    assert statuses == [200, 200, 200]


def test_garbage_on_the_socket_does_not_break_the_server(fake, raw):
    parts = urlsplit(fake.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(b"\x00\xffnot http at all\r\n\r\n")
        sock.recv(1024)
    assert raw("GET", "/health").status == 200


_ROUTES = [
    ("POST", "/indexes"),
    ("PATCH", "/indexes/movies"),
    ("PATCH", "/indexes/movies/settings"),
    ("PUT", "/indexes/movies/settings/ranking-rules"),
    ("PATCH", "/indexes/movies/settings/typo-tolerance"),
    ("POST", "/indexes/movies/documents"),
    ("POST", "/indexes/movies/documents/fetch"),
    ("POST", "/indexes/movies/documents/delete"),
    ("POST", "/indexes/movies/documents/delete-batch"),
    ("POST", "/swap-indexes"),
]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(_ROUTES), body=_JSON)
def test_no_json_body_makes_the_server_fail(raw, route, body):
    method, path = route
    headers = {"Content-Type": "application/json"}
    response = raw(method, path, body=json.dumps(body).encode(), headers=headers)
    assert response.status in (200, 202, 400, 404, 501)
    assert response.code is None or response.code != "internal"


_PARAMS = ["limit", "offset", "from", "uids", "statuses", "types", "reverse", "fields", "filter"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(_PARAMS), st.text(max_size=6), max_size=3))
def test_no_query_string_makes_the_server_fail(raw, query):
    for path in ("/tasks", "/indexes", "/indexes/movies/documents"):
        response = raw("GET", f"{path}?{urlencode(query)}")
        assert response.status in (200, 400, 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/indexes/movies/documents"), ("POST", "/indexes/movies/search")],
)
def test_a_lone_surrogate_escape_is_a_malformed_payload(raw, method, path):
    headers = {"Content-Type": "application/json"}
    body = (
        b'[{"id": 1, "title": "a\\ud800"}]' if path.endswith("documents") else b'{"q": "a\\ud800"}'
    )
    response = raw(method, path, body=body, headers=headers)
    assert (response.status, response.code) == (400, "malformed_payload")
    assert "surrogate" in response.body["message"]


def test_an_escaped_surrogate_pair_is_one_character(raw, finished):
    headers = {"Content-Type": "application/json"}
    body = b'[{"id": 1, "title": "smile \\ud83d\\ude00"}]'
    response = raw("POST", "/indexes/movies/documents", body=body, headers=headers)
    assert response.status == 202
