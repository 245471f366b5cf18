"""Malformed requests get Meilisearch's error code and status: never a 5xx, never a hang.

Every request goes through `Api.call`, whose timeout turns a hung connection into a
failure. Apart from the payload-limit test (which needs a server configured with a tiny
limit) and the 501 test (a property of the fake alone), these run against any server.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest

DOCS = [
    {"id": 1, "title": "Alien", "genre": "scifi", "year": 1979},
    {"id": 2, "title": "Heat", "genre": "crime", "year": 1995},
]

ERROR_KEYS = {"message", "code", "type", "link"}


@pytest.fixture(scope="module")
def movies(api: Any, module_prefix: str) -> str:
    uid = module_prefix + "movies"
    api.write("POST", "/indexes", {"uid": uid, "primaryKey": "id"})
    api.write(
        "PATCH",
        f"/indexes/{uid}/settings",
        {"filterableAttributes": ["genre", "year"], "sortableAttributes": ["year"]},
    )
    api.write("POST", f"/indexes/{uid}/documents", DOCS)
    return uid


def refused(answer: Any, status: int, code: str) -> None:
    """The answer is Meilisearch's error object with this status and code."""
    assert (answer.status, answer.code) == (status, code), answer.body
    assert set(answer.body) == ERROR_KEYS
    assert answer.body["link"].endswith("#" + code)


JSON = {"Content-Type": "application/json"}

JSON_ROUTES = [
    ("POST", "/indexes"),
    ("PATCH", "/indexes/{uid}"),
    ("POST", "/indexes/{uid}/search"),
    ("POST", "/indexes/{uid}/facet-search"),
    ("POST", "/multi-search"),
    ("PATCH", "/indexes/{uid}/settings"),
    ("PUT", "/indexes/{uid}/settings/sortable-attributes"),
    ("PATCH", "/indexes/{uid}/settings/typo-tolerance"),
    ("POST", "/indexes/{uid}/documents"),
    ("PUT", "/indexes/{uid}/documents"),
    ("POST", "/indexes/{uid}/documents/fetch"),
    ("POST", "/indexes/{uid}/documents/delete-batch"),
    ("POST", "/indexes/{uid}/documents/delete"),
    ("POST", "/swap-indexes"),
]


@pytest.mark.parametrize(("method", "template"), JSON_ROUTES)
@pytest.mark.parametrize("payload", ['{"q": ', "[1, 2", "{'single': 'quotes'}", "nul"])
def test_malformed_json_is_malformed_payload(
    api: Any, movies: str, method: str, template: str, payload: str
) -> None:
    path = template.replace("{uid}", movies)
    refused(api.call(method, path, data=payload, headers=JSON), 400, "malformed_payload")


@pytest.mark.parametrize(("method", "template"), JSON_ROUTES)
def test_an_empty_json_body_is_missing_payload(
    api: Any, movies: str, method: str, template: str
) -> None:
    path = template.replace("{uid}", movies)
    refused(api.call(method, path, data="", headers=JSON), 400, "missing_payload")


def test_a_search_without_content_type_is_415(api: Any, movies: str) -> None:
    answer = api.call("POST", f"/indexes/{movies}/search", data='{"q": "a"}')
    refused(answer, 415, "missing_content_type")


def test_a_search_with_another_content_type_is_415(api: Any, movies: str) -> None:
    answer = api.call(
        "POST",
        f"/indexes/{movies}/search",
        data='{"q": "a"}',
        headers={"Content-Type": "text/plain"},
    )
    refused(answer, 415, "invalid_content_type")


def accepted_kinds(schema: dict[str, Any], components: dict[str, Any]) -> set[str] | None:
    """The JSON kinds a schema accepts, or None when it constrains none."""
    if "type" in schema:
        kinds = schema["type"]
        return {kinds} if isinstance(kinds, str) else set(kinds)
    if "$ref" in schema:
        return accepted_kinds(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        found = [accepted_kinds(part, components) for part in alternatives]
        if any(kinds is None for kinds in found):
            return None
        return set().union(*[kinds for kinds in found if kinds is not None])
    return None


def wrongly_typed(kinds: set[str]) -> Any:
    """A value of a JSON kind outside `kinds`."""
    return {"not": "this type"} if "string" in kinds else "not this type"


def search_code(name: str) -> str:
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
    return "invalid_search_hybrid_query" if name == "hybrid" else f"invalid_search_{snake}"


UNTYPED_WRONG_VALUES: dict[str, Any] = {"filter": 42}
"""The schema gives `filter` no type, but Meilisearch takes only a string or an array."""

UNTYPED_ANYTHING_GOES = {"media"}
"""The schema gives `media` no type and Meilisearch takes any JSON there."""


def test_every_search_parameter_refuses_a_wrong_type(
    openapi: Any, api: Any, movies: str, search_parameter: str
) -> None:
    components = openapi.spec["components"]["schemas"]
    kinds = accepted_kinds(components["SearchQuery"]["properties"][search_parameter], components)
    if kinds is None and search_parameter in UNTYPED_ANYTHING_GOES:
        pytest.skip(f"`{search_parameter}` takes any JSON, so no value is wrongly typed")
    value = UNTYPED_WRONG_VALUES[search_parameter] if kinds is None else wrongly_typed(kinds)
    body = {search_parameter: value}
    answer = api.call("POST", f"/indexes/{movies}/search", json_body=body)
    refused(answer, 400, search_code(search_parameter))
    if kinds is not None:
        assert f"`.{search_parameter}`" in answer.body["message"]


def test_a_wrong_type_in_a_query_string_names_the_parameter(api: Any, movies: str) -> None:
    cases = {
        "limit=ten": "invalid_search_limit",
        "offset=-": "invalid_search_offset",
        "page=1.5": "invalid_search_page",
        "hitsPerPage=x": "invalid_search_hits_per_page",
        "showRankingScore=maybe": "invalid_search_show_ranking_score",
        "cropLength=long": "invalid_search_crop_length",
        "rankingScoreThreshold=high": "invalid_search_ranking_score_threshold",
    }
    for query, code in cases.items():
        answer = api.call("GET", f"/indexes/{movies}/search?{query}")
        refused(answer, 400, code)
        assert f"`{query.split('=')[0]}`" in answer.body["message"]


def test_a_wrong_type_inside_multi_search_locates_the_query(api: Any, movies: str) -> None:
    body = {"queries": [{"indexUid": movies}, {"indexUid": movies, "limit": "ten"}]}
    answer = api.call("POST", "/multi-search", json_body=body)
    refused(answer, 400, "invalid_search_limit")
    assert "queries[1]" in answer.body["message"]


@pytest.mark.parametrize(
    ("body", "code", "named"),
    [
        ({"rankingRulez": ["words"]}, "bad_request", "rankingRulez"),
        (
            {"typoTolerance": {"enabled": True, "minWordSize": 3}},
            "invalid_settings_typo_tolerance",
            "minWordSize",
        ),
        ({"faceting": {"maxValues": 3}}, "invalid_settings_faceting", "maxValues"),
        ({"pagination": {"maxHits": 3}}, "invalid_settings_pagination", "maxHits"),
    ],
    ids=["top-level", "typo-tolerance", "faceting", "pagination"],
)
def test_unknown_settings_keys_are_refused_by_name(
    api: Any, movies: str, body: dict[str, Any], code: str, named: str
) -> None:
    answer = api.call("PATCH", f"/indexes/{movies}/settings", json_body=body)
    refused(answer, 400, code)
    assert f"`{named}`" in answer.body["message"]


def test_an_unknown_search_parameter_is_bad_request(api: Any, movies: str) -> None:
    answer = api.call("POST", f"/indexes/{movies}/search", json_body={"query": "alien"})
    refused(answer, 400, "bad_request")
    assert "`query`" in answer.body["message"]


@pytest.mark.parametrize(
    ("method", "template", "body", "code"),
    [
        ("POST", "/indexes/{uid}/search", {"limit": -1}, "invalid_search_limit"),
        ("POST", "/indexes/{uid}/search", {"offset": -5}, "invalid_search_offset"),
        ("POST", "/indexes/{uid}/search", {"page": -1}, "invalid_search_page"),
        ("POST", "/indexes/{uid}/search", {"hitsPerPage": -1}, "invalid_search_hits_per_page"),
        ("POST", "/indexes/{uid}/search", {"cropLength": -1}, "invalid_search_crop_length"),
        ("GET", "/indexes/{uid}/search?limit=-1", None, "invalid_search_limit"),
        ("GET", "/indexes/{uid}/search?offset=-1", None, "invalid_search_offset"),
        ("GET", "/indexes?limit=-1", None, "invalid_index_limit"),
        ("GET", "/indexes?offset=-1", None, "invalid_index_offset"),
        ("GET", "/indexes/{uid}/documents?limit=-1", None, "invalid_document_limit"),
        ("GET", "/indexes/{uid}/documents?offset=-1", None, "invalid_document_offset"),
        ("POST", "/indexes/{uid}/documents/fetch", {"limit": -1}, "invalid_document_limit"),
        ("POST", "/indexes/{uid}/documents/fetch", {"offset": -1}, "invalid_document_offset"),
        ("GET", "/tasks?limit=-1", None, "invalid_task_limit"),
        ("GET", "/tasks?from=-1", None, "invalid_task_from"),
        (
            "POST",
            "/multi-search",
            {"federation": {"limit": -1}, "queries": []},
            "invalid_search_limit",
        ),
    ],
)
def test_negative_limits_and_offsets_are_refused(
    api: Any, movies: str, method: str, template: str, body: Any, code: str
) -> None:
    answer = api.call(method, template.replace("{uid}", movies), json_body=body)
    refused(answer, 400, code)


@pytest.mark.parametrize(
    "path",
    ["/indexes/big/documents", "/indexes/big/search", "/multi-search", "/indexes/big/settings"],
)
def test_an_oversized_payload_is_413_and_the_server_keeps_serving(
    small_fake_api: Any, path: str
) -> None:
    body = json.dumps([{"id": 1, "text": "x" * 4096}])
    answer = small_fake_api.call("POST", path, data=body, headers=JSON)
    refused(answer, 413, "payload_too_large")
    assert small_fake_api.call("GET", "/health").status == 200


def test_a_payload_at_the_limit_is_read(small_fake_api: Any) -> None:
    body = json.dumps([{"id": 1, "text": ""}])
    padded = body + " " * (1024 - len(body))
    answer = small_fake_api.call("POST", "/indexes/ok/documents", data=padded, headers=JSON)
    assert answer.status == 202, answer.body


BROKEN_FILTERS = [
    "genre =",
    "= scifi",
    "genre = scifi AND",
    "genre = scifi OR OR genre = crime",
    "(genre = scifi",
    "genre = scifi)",
    "genre IN [scifi",
    "genre IN scifi",
    "year 1970 TO",
    "year >",
    "genre EXISTS now",
    "NOT",
    "genre = 'unterminated",
    'genre = "unterminated',
    "genre scifi",
    "title = Alien",
    "_geoRadius(45.1, 7.6, 1000)",
    "year = 1979 AND unknown_field = 3",
]


@pytest.mark.parametrize("expression", BROKEN_FILTERS)
def test_a_bad_filter_is_invalid_search_filter(api: Any, movies: str, expression: str) -> None:
    answer = api.call("POST", f"/indexes/{movies}/search", json_body={"filter": expression})
    refused(answer, 400, "invalid_search_filter")
    answer = api.call("GET", f"/indexes/{movies}/search?filter={quote(expression)}")
    refused(answer, 400, "invalid_search_filter")


@pytest.mark.parametrize(
    "value", [42, True, {"genre": "scifi"}, [["genre = scifi", ["genre = crime"]]], [7]]
)
def test_a_filter_of_the_wrong_shape_is_invalid_search_filter(
    api: Any, movies: str, value: Any
) -> None:
    answer = api.call("POST", f"/indexes/{movies}/search", json_body={"filter": value})
    refused(answer, 400, "invalid_search_filter")


@pytest.mark.parametrize("expression", ["genre CONTAINS sci", "genre NOT CONTAINS sci"])
def test_contains_without_its_experimental_feature_is_feature_not_enabled(
    api: Any, movies: str, expression: str
) -> None:
    answer = api.call("POST", f"/indexes/{movies}/search", json_body={"filter": expression})
    refused(answer, 400, "feature_not_enabled")
    assert "`CONTAINS`" in answer.body["message"]


def test_a_bad_filter_in_a_facet_search_is_invalid_search_filter(api: Any, movies: str) -> None:
    body = {"facetName": "genre", "filter": "genre ="}
    refused(
        api.call("POST", f"/indexes/{movies}/facet-search", json_body=body),
        400,
        "invalid_search_filter",
    )


def test_a_malformed_deletion_filter_is_refused_before_enqueueing(api: Any, movies: str) -> None:
    body = {"filter": "genre = scifi AND"}
    answer = api.call("POST", f"/indexes/{movies}/documents/delete", json_body=body)
    refused(answer, 400, "invalid_document_filter")


def test_a_bad_browse_filter_is_invalid_document_filter(api: Any, movies: str) -> None:
    answer = api.call("GET", f"/indexes/{movies}/documents?filter={quote('genre =')}")
    refused(answer, 400, "invalid_document_filter")
    body = {"filter": "title = Alien"}
    answer = api.call("POST", f"/indexes/{movies}/documents/fetch", json_body=body)
    refused(answer, 400, "invalid_document_filter")


@pytest.mark.parametrize(
    ("method", "template", "body"),
    [
        ("GET", "/indexes/{missing}", None),
        ("GET", "/indexes/{missing}/stats", None),
        ("GET", "/indexes/{missing}/settings", None),
        ("GET", "/indexes/{missing}/settings/filterable-attributes", None),
        ("GET", "/indexes/{missing}/documents", None),
        ("GET", "/indexes/{missing}/documents/1", None),
        ("POST", "/indexes/{missing}/documents/fetch", {}),
        ("GET", "/indexes/{missing}/search?q=a", None),
        ("POST", "/indexes/{missing}/search", {"q": "a"}),
        ("POST", "/indexes/{missing}/facet-search", {"facetName": "genre"}),
        ("POST", "/multi-search", {"queries": [{"indexUid": "{missing}"}]}),
    ],
)
def test_an_unknown_index_is_index_not_found(
    api: Any, meilisearch_index_prefix: str, method: str, template: str, body: Any
) -> None:
    missing = meilisearch_index_prefix + "missing"
    path = template.replace("{missing}", missing)
    if body is not None:
        body = json.loads(json.dumps(body).replace("{missing}", missing))
    answer = api.call(method, path, json_body=body)
    refused(answer, 404, "index_not_found")
    assert f"`{missing}`" in answer.body["message"]


def test_a_write_to_an_unknown_index_fails_its_task(
    api: Any, meilisearch_index_prefix: str
) -> None:
    missing = meilisearch_index_prefix + "missing"
    task = api.write("DELETE", f"/indexes/{missing}")
    assert (task["status"], task["error"]["code"]) == ("failed", "index_not_found")


def test_an_unknown_document_is_document_not_found(api: Any, movies: str) -> None:
    refused(api.call("GET", f"/indexes/{movies}/documents/404"), 404, "document_not_found")


@pytest.mark.parametrize("uid", ["4000000000", "4294967295"])
def test_an_unknown_task_is_task_not_found(api: Any, uid: str) -> None:
    refused(api.call("GET", f"/tasks/{uid}"), 404, "task_not_found")


@pytest.mark.parametrize("uid", ["abc", "-1", "1.5"])
def test_a_non_numeric_task_uid_is_invalid_task_uids(api: Any, uid: str) -> None:
    refused(api.call("GET", f"/tasks/{uid}"), 400, "invalid_task_uids")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("statuses=done", "invalid_task_statuses"),
        ("types=reindex", "invalid_task_types"),
        ("uids=one", "invalid_task_uids"),
        ("indexUids=not%20valid", "invalid_index_uid"),
        ("afterEnqueuedAt=yesterday", "invalid_task_after_enqueued_at"),
        ("reverse=sometimes", "invalid_task_reverse"),
        ("color=blue", "bad_request"),
    ],
)
def test_a_bad_task_filter_names_its_parameter(api: Any, query: str, code: str) -> None:
    refused(api.call("GET", f"/tasks?{query}"), 400, code)


def test_cancel_and_delete_need_a_filter(api: Any) -> None:
    refused(api.call("POST", "/tasks/cancel"), 400, "missing_task_filters")
    refused(api.call("DELETE", "/tasks"), 400, "missing_task_filters")


@pytest.mark.parametrize(
    ("method", "path", "route"),
    [
        ("GET", "/tasks/stream", "/tasks/stream"),
        ("POST", "/dumps", "/dumps"),
        ("GET", "/batches/stream", "/batches/stream"),
        ("POST", "/indexes/x/similar", "/indexes/{index_uid}/similar"),
        ("PATCH", "/indexes/x/settings/chat", "/indexes/{index_uid}/settings/chat"),
    ],
)
def test_a_route_the_fake_does_not_serve_is_501_naming_it(
    meilisearch_fake: Any, api: Any, method: str, path: str, route: str
) -> None:
    answer = api.call(method, path, json_body={} if method != "GET" else None)
    assert (answer.status, answer.code) == (501, "not_implemented"), answer.body
    assert answer.body["message"].startswith(f"`{method} {route}` is not implemented")
