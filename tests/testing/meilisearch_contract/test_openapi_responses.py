"""Every kind of response body the server sends, checked against Meilisearch's OpenAPI schema.

Requests go over raw HTTP so that the exact status and body are validated. Writes are
followed to their finished task, whose view (with its type-specific `details`) is
validated too. Where the published schema disagrees with what Meilisearch itself
answers, the test names the discrepancy in a narrow allowance below instead of
skipping the check.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator

DOCS = [
    {"id": 1, "title": "Alien", "genre": "scifi", "year": 1979, "overview": "A crew in space"},
    {"id": 2, "title": "Aliens", "genre": "scifi", "year": 1986, "overview": "Marines in space"},
    {"id": 3, "title": "Amelie", "genre": "romance", "year": 2001, "overview": "A shy waitress"},
    {"id": 4, "title": "Heat", "genre": "crime", "year": 1995, "overview": "A heist in LA"},
]

SETTINGS = {
    "filterableAttributes": ["genre", "year"],
    "sortableAttributes": ["year"],
}

NULL_UNTIL_SET = {
    "distinct-attribute": "distinctAttribute",
    "search-cutoff-ms": "searchCutoffMs",
    "localized-attributes": "localizedAttributes",
}
"""Spec discrepancy: on an index where these were never set, Meilisearch answers `null`
on their sub-routes (as it does in the whole settings object), while the sub-route schemas
allow only a string, an integer and an array. Only that exact case is let through: the
body must be `null` *and* the whole settings object must say the setting is unset;
once set, the sub-route body is validated in full (see the update test below)."""

SETTING_VALUES: dict[str, Any] = {
    "displayed-attributes": ["title", "genre"],
    "searchable-attributes": ["title", "overview"],
    "filterable-attributes": ["genre", {"attributePatterns": ["year"], "features": {}}],
    "sortable-attributes": ["year"],
    "ranking-rules": ["words", "typo", "year:desc", "proximity", "attribute", "exactness"],
    "stop-words": ["the", "a"],
    "non-separator-tokens": ["#"],
    "separator-tokens": ["|"],
    "dictionary": ["J.R.R."],
    "synonyms": {"film": ["movie"]},
    "distinct-attribute": "genre",
    "proximity-precision": "byAttribute",
    "typo-tolerance": {"minWordSizeForTypos": {"oneTypo": 4}},
    "faceting": {"maxValuesPerFacet": 20, "sortFacetValuesBy": {"genre": "count"}},
    "pagination": {"maxTotalHits": 500},
    "embedders": {},
    "search-cutoff-ms": 150,
    "localized-attributes": [{"attributePatterns": ["*_ja"], "locales": ["jpn"]}],
    "facet-search": False,
    "prefix-search": "disabled",
}
"""A valid new value for each settings sub-route the server serves."""

READ_BACK: dict[str, Any] = {
    "filterable-attributes": [
        "genre",
        {
            "attributePatterns": ["year"],
            "features": {"facetSearch": False, "filter": {"equality": True, "comparison": False}},
        },
    ],
    "stop-words": ["a", "the"],
    "typo-tolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 9},
        "disableOnWords": [],
        "disableOnAttributes": [],
        "disableOnNumbers": False,
    },
    "faceting": {"maxValuesPerFacet": 20, "sortFacetValuesBy": {"*": "alpha", "genre": "count"}},
}
"""Sub-routes whose read-back is the written value completed with defaults, or sorted."""

SETTINGS_VERB = {"typo-tolerance", "faceting", "pagination", "embedders"}
"""Sub-routes updated with PATCH (the others take PUT)."""


PLAIN_MULTI_SEARCH_SCHEMA = "SearchResults"
"""Spec discrepancy: `POST /multi-search` lists only the federated result
(`FederatedSearchResult`) as its 200 body, but without `federation` Meilisearch answers
`{"results": [...]}`, which the spec describes as the `SearchResults` component. A plain
multi-search body is validated against that component; a federated one against the route."""


def spec_shaped_ranking_rules(rules: list[Any]) -> list[Any]:
    """Spec discrepancy: the ranking-rules sub-route schema (`RankingRuleView`) models a
    custom rule as `{"asc": "year"}`, but Meilisearch sends the string `"year:asc"`, as the
    whole settings schema says. Only `attribute:asc|desc` strings are rewritten, so every
    other rule is still held to the enum."""
    shaped: list[Any] = []
    for rule in rules:
        attribute, _, direction = rule.rpartition(":") if isinstance(rule, str) else ("", "", "")
        custom = bool(attribute) and direction in ("asc", "desc")
        shaped.append({direction: attribute} if custom else rule)
    return shaped


def validate_component(openapi: Any, name: str, body: Any) -> None:
    """Check a body against one named schema component of the spec."""
    schema = {"components": openapi.spec["components"], "$ref": f"#/components/schemas/{name}"}
    errors = Draft202012Validator(schema).iter_errors(body)
    problems = [f"{list(e.path)}: {e.message[:200]}" for e in errors]
    assert not problems, problems


def validate_error(openapi: Any, body: Any) -> None:
    """An error body against `ResponseError` (for statuses a route does not list itself)."""
    validate_component(openapi, "ResponseError", body)


def path_of(template: str, uid: str) -> str:
    return template.replace("{uid}", uid)


@pytest.fixture(scope="module")
def seeded(api: Any, module_prefix: str) -> str:
    """An index with settings and documents, read by the read-only cases."""
    uid = module_prefix + "seeded"
    api.write("POST", "/indexes", {"uid": uid, "primaryKey": "id"})
    api.write("PATCH", f"/indexes/{uid}/settings", SETTINGS)
    api.write("POST", f"/indexes/{uid}/documents", DOCS)
    return uid


@pytest.fixture
def scratch(api: Any, index_uid: str) -> str:
    """A fresh index of this test only, with the documents and the settings above."""
    api.write("POST", f"/indexes/{index_uid}/documents", DOCS)
    api.write("PATCH", f"/indexes/{index_uid}/settings", SETTINGS)
    return index_uid


def check(
    openapi: Any, api: Any, method: str, path: str, body: Any = None, status: int = 200
) -> Any:
    """Send one request, insist on `status`, validate the body; returns the body."""
    answer = api.call(method, path, json_body=body)
    assert answer.status == status, (method, path, answer.body)
    openapi.validate(method, path.split("?", 1)[0], status, answer.body)
    return answer.body


def check_write(
    openapi: Any, api: Any, method: str, path: str, body: Any = None, *, succeeds: bool = True
) -> dict[str, Any]:
    """A 202 whose summarized task and finished task view both follow the spec."""
    accepted = check(openapi, api, method, path, body, status=202)
    task: dict[str, Any] = api.wait(accepted["taskUid"])
    openapi.validate("GET", f"/tasks/{task['uid']}", 200, task)
    assert task["status"] == ("succeeded" if succeeds else "failed"), task
    return task


READS = [
    ("GET", "/health"),
    ("GET", "/version"),
    ("GET", "/stats"),
    ("GET", "/indexes"),
    ("GET", "/indexes?offset=0&limit=1"),
    ("GET", "/indexes/{uid}"),
    ("GET", "/indexes/{uid}/stats"),
    ("GET", "/indexes/{uid}/documents"),
    ("GET", "/indexes/{uid}/documents?limit=2&offset=1&fields=title,genre"),
    ("GET", "/indexes/{uid}/documents?filter=" + quote("genre = scifi")),
    ("GET", "/indexes/{uid}/documents/1"),
    ("GET", "/indexes/{uid}/documents/1?fields=title"),
    ("GET", "/indexes/{uid}/settings"),
    ("GET", "/indexes/{uid}/search"),
    ("GET", "/indexes/{uid}/search?q=alien&limit=1&offset=1"),
    ("GET", "/indexes/{uid}/search?q=alien&page=1&hitsPerPage=1"),
    (
        "GET",
        "/indexes/{uid}/search?q=alien&facets=genre,year&showRankingScore=true"
        "&attributesToHighlight=title&filter=" + quote("year > 1900") + "&sort=year:asc",
    ),
    ("GET", "/tasks"),
    ("GET", "/tasks?limit=2&reverse=true&statuses=succeeded"),
    ("GET", "/stats?showInternalDatabaseSizes=true"),
    ("GET", "/stats?sizeFormat=human&showInternalDatabaseSizes=true"),
    ("GET", "/indexes/{uid}/stats?showInternalDatabaseSizes=true&sizeFormat=raw"),
    ("GET", "/indexes/{uid}/stats?sizeFormat=human"),
    ("GET", "/indexes/{uid}/documents?retrieveVectors=true"),
    ("GET", "/indexes/{uid}/documents/1?retrieveVectors=true&fields=title"),
    ("GET", "/batches"),
    ("GET", "/batches?limit=2&reverse=true&statuses=succeeded"),
    ("GET", "/batches?indexUids={uid}&types=documentAdditionOrUpdate"),
]


@pytest.mark.parametrize(("method", "template"), READS)
def test_read_responses_follow_the_spec(
    openapi: Any, api: Any, seeded: str, method: str, template: str
) -> None:
    check(openapi, api, method, path_of(template, seeded))


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"q": "alien"},
        {"q": "alien", "offset": 1, "limit": 1},
        {"q": "", "page": 2, "hitsPerPage": 2, "sort": ["year:desc"]},
        {"q": "alien", "facets": ["genre", "year"], "filter": "year > 1900"},
        {"q": "space", "showRankingScore": True, "showRankingScoreDetails": True},
        {
            "q": "space crew",
            "attributesToHighlight": ["*"],
            "attributesToCrop": ["overview"],
            "cropLength": 3,
            "showMatchesPosition": True,
            "attributesToRetrieve": ["title", "overview"],
        },
        {"q": "alien", "distinct": "genre"},
        {"q": "a", "matchingStrategy": "all", "attributesToSearchOn": ["title"]},
        {"q": "nothing matches this", "facets": ["genre"]},
        {"q": "alien", "showPerformanceDetails": True, "retrieveVectors": True},
    ],
    ids=[
        "empty",
        "query",
        "offset-limit",
        "pages",
        "facets",
        "ranking-score",
        "formatted",
        "distinct",
        "strategy",
        "no-hits",
        "performance-details",
    ],
)
def test_search_post_responses_follow_the_spec(
    openapi: Any, api: Any, seeded: str, body: dict[str, Any]
) -> None:
    check(openapi, api, "POST", f"/indexes/{seeded}/search", body)


def test_formatted_and_scored_hits_carry_their_extra_fields(
    openapi: Any, api: Any, seeded: str
) -> None:
    body = {"q": "alien", "attributesToHighlight": ["title"], "showRankingScore": True}
    result = check(openapi, api, "POST", f"/indexes/{seeded}/search", body)
    assert result["hits"]
    assert all("_formatted" in hit and "_rankingScore" in hit for hit in result["hits"])


@pytest.mark.parametrize(
    "body",
    [
        {"facetName": "genre"},
        {"facetName": "genre", "facetQuery": "sci"},
        {"facetName": "genre", "q": "alien", "filter": "year > 1980"},
    ],
    ids=["all-values", "query", "filtered"],
)
def test_facet_search_responses_follow_the_spec(
    openapi: Any, api: Any, seeded: str, body: dict[str, Any]
) -> None:
    check(openapi, api, "POST", f"/indexes/{seeded}/facet-search", body)


def test_multi_search_responses_follow_the_spec(openapi: Any, api: Any, seeded: str) -> None:
    plain = {"queries": [{"indexUid": seeded, "q": "alien"}, {"indexUid": seeded, "q": "heat"}]}
    answer = api.call("POST", "/multi-search", json_body=plain)
    assert answer.status == 200, answer.body
    validate_component(openapi, PLAIN_MULTI_SEARCH_SCHEMA, answer.body)
    assert len(answer.body["results"]) == 2


def test_federated_multi_search_responses_follow_the_spec(
    openapi: Any, api: Any, seeded: str
) -> None:
    queries = [
        {"indexUid": seeded, "q": "alien", "federationOptions": {"weight": 2.0}},
        {"indexUid": seeded, "q": "heat"},
    ]
    federation = {"limit": 5, "facetsByIndex": {seeded: ["genre"]}}
    body = {"federation": federation, "queries": queries}
    result = check(openapi, api, "POST", "/multi-search", body)
    assert all("_federation" in hit for hit in result["hits"])
    assert "genre" in result["facetsByIndex"][seeded]["distribution"]
    merged = {"federation": {**federation, "mergeFacets": {}}, "queries": queries}
    result = check(openapi, api, "POST", "/multi-search", merged)
    assert "genre" in result["facetDistribution"]
    timed = {"federation": {**federation, "showPerformanceDetails": True}, "queries": queries}
    details = check(openapi, api, "POST", "/multi-search", timed)["performanceDetails"]
    assert "federated search" in details


def test_task_views_follow_the_spec(openapi: Any, api: Any, seeded: str) -> None:
    listed = check(openapi, api, "GET", f"/tasks?indexUids={seeded}")
    assert listed["results"]
    for task in listed["results"]:
        check(openapi, api, "GET", f"/tasks/{task['uid']}")


def test_batch_views_follow_the_spec(openapi: Any, api: Any, seeded: str) -> None:
    listed = check(openapi, api, "GET", f"/batches?indexUids={seeded}")
    assert listed["results"]
    for batch in listed["results"]:
        view = check(openapi, api, "GET", f"/batches/{batch['uid']}")
        assert view["stats"]["indexUids"].get(seeded, 0) >= 1
    task = api.call("GET", f"/tasks?indexUids={seeded}&limit=1").body["results"][0]
    assert task["batchUid"] in {batch["uid"] for batch in listed["results"]}


def test_a_processing_batch_follows_the_spec(
    openapi: Any, api: Any, meilisearch_fake: Any, index_uid: str
) -> None:
    """Only the fake can hold a batch in `processing` long enough to read it."""
    meilisearch_fake.faults.hold_processing(index_uid=index_uid)
    accepted = api.call("POST", "/indexes", json_body={"uid": index_uid}).body
    meilisearch_fake.faults.wait_processing()
    try:
        task = api.call("GET", f"/tasks/{accepted['taskUid']}").body
        view = check(openapi, api, "GET", f"/batches/{task['batchUid']}")
        assert view["progress"] is not None and view["finishedAt"] is None
        check(openapi, api, "GET", "/batches?statuses=processing")
    finally:
        meilisearch_fake.faults.release_processing()
    api.wait(accepted["taskUid"])


def test_a_missing_batch_is_a_404_response_error(openapi: Any, api: Any) -> None:
    answer = api.call("GET", "/batches/4000000000")
    assert (answer.status, answer.code) == (404, "batch_not_found")
    openapi.validate("GET", "/batches/4000000000", 404, answer.body)


def spec_shaped_field_order(fields: dict[str, Any]) -> dict[str, Any]:
    """Spec discrepancy: `FieldRankingRuleConfig.order` is an array of strings in the
    schema, but Meilisearch sends the field's custom ranking direction as the string
    `"asc"` or `"desc"`. Only that exact string is wrapped, so any other shape still
    fails the schema."""
    shaped = []
    for field in fields["results"]:
        order = field["rankingRule"].get("order")
        if order in ("asc", "desc"):
            field = {**field, "rankingRule": {**field["rankingRule"], "order": [order]}}
        shaped.append(field)
    return {**fields, "results": shaped}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"offset": 1, "limit": 2},
        {"filter": {"attributePatterns": ["ge*", "year"], "filterable": True}},
        {"filter": {"sortable": False, "displayed": True}},
    ],
    ids=["all", "page", "patterns", "flags"],
)
def test_fields_responses_follow_the_spec(
    openapi: Any, api: Any, seeded: str, body: dict[str, Any]
) -> None:
    result = check(openapi, api, "POST", f"/indexes/{seeded}/fields", body)
    assert all(
        field["name"] != "overview" or field["searchable"]["enabled"] for field in result["results"]
    )


def test_fields_with_a_custom_ranking_rule_follow_the_spec(
    openapi: Any, api: Any, scratch: str
) -> None:
    api.write("PUT", f"/indexes/{scratch}/settings/ranking-rules", ["words", "year:desc"])
    answer = api.call("POST", f"/indexes/{scratch}/fields", json_body={"limit": 100})
    assert answer.status == 200, answer.body
    year = next(field for field in answer.body["results"] if field["name"] == "year")
    assert year["rankingRule"] == {"enabled": True, "order": "desc"}
    openapi.validate(
        "POST", f"/indexes/{scratch}/fields", 200, spec_shaped_field_order(answer.body)
    )


SUB_ROUTES = sorted(SETTING_VALUES)


@pytest.mark.parametrize("slug", SUB_ROUTES)
def test_settings_sub_route_reads_follow_the_spec(
    openapi: Any, api: Any, seeded: str, slug: str
) -> None:
    path = f"/indexes/{seeded}/settings/{slug}"
    answer = api.call("GET", path)
    assert answer.status == 200, answer.body
    if slug in NULL_UNTIL_SET and answer.body is None:
        whole = api.call("GET", f"/indexes/{seeded}/settings").body
        assert whole[NULL_UNTIL_SET[slug]] is None
        return
    openapi.validate("GET", path, 200, answer.body)


def test_settings_of_a_fresh_index_match_the_whole_settings_schema(
    openapi: Any, api: Any, index_uid: str
) -> None:
    api.write("POST", "/indexes", {"uid": index_uid})
    check(openapi, api, "GET", f"/indexes/{index_uid}/settings")


@pytest.mark.parametrize("slug", SUB_ROUTES)
def test_settings_sub_route_writes_follow_the_spec(
    openapi: Any, api: Any, scratch: str, slug: str
) -> None:
    path = f"/indexes/{scratch}/settings/{slug}"
    verb = "PATCH" if slug in SETTINGS_VERB else "PUT"
    task = check_write(openapi, api, verb, path, SETTING_VALUES[slug])
    assert task["type"] == "settingsUpdate"
    answer = api.call("GET", path)
    assert answer.status == 200, answer.body
    assert answer.body == READ_BACK.get(slug, SETTING_VALUES[slug])
    body = spec_shaped_ranking_rules(answer.body) if slug == "ranking-rules" else answer.body
    openapi.validate("GET", path, 200, body)
    check_write(openapi, api, "DELETE", path)


def camel(slug: str) -> str:
    """The settings key of a sub-route: `search-cutoff-ms` -> `searchCutoffMs`."""
    first, *rest = slug.split("-")
    return first + "".join(part.capitalize() for part in rest)


def test_whole_settings_writes_follow_the_spec(openapi: Any, api: Any, scratch: str) -> None:
    path = f"/indexes/{scratch}/settings"
    every = {camel(slug): value for slug, value in SETTING_VALUES.items()}
    check_write(openapi, api, "PATCH", path, every)
    assert check(openapi, api, "GET", path)["searchCutoffMs"] == 150
    check_write(openapi, api, "DELETE", path)
    check(openapi, api, "GET", path)


def test_index_lifecycle_responses_follow_the_spec(
    openapi: Any, api: Any, meilisearch_index_prefix: str
) -> None:
    uid, renamed = meilisearch_index_prefix + "life", meilisearch_index_prefix + "renamed"
    created = check_write(openapi, api, "POST", "/indexes", {"uid": uid})
    assert created["type"] == "indexCreation"
    check_write(openapi, api, "PATCH", f"/indexes/{uid}", {"primaryKey": "id"})
    check_write(openapi, api, "PATCH", f"/indexes/{uid}", {"uid": renamed})
    check(openapi, api, "GET", f"/indexes/{renamed}")
    deleted = check_write(openapi, api, "DELETE", f"/indexes/{renamed}")
    assert deleted["type"] == "indexDeletion"


def test_swap_responses_follow_the_spec(
    openapi: Any, api: Any, meilisearch_index_prefix: str
) -> None:
    first, second = meilisearch_index_prefix + "a", meilisearch_index_prefix + "b"
    for uid in (first, second):
        api.write("POST", "/indexes", {"uid": uid})
    swap = check_write(openapi, api, "POST", "/swap-indexes", [{"indexes": [first, second]}])
    assert swap["type"] == "indexSwap"
    third = meilisearch_index_prefix + "c"
    body = [{"indexes": [first, third], "rename": True}]
    check_write(openapi, api, "POST", "/swap-indexes", body)


def test_document_write_responses_follow_the_spec(openapi: Any, api: Any, scratch: str) -> None:
    docs = f"/indexes/{scratch}/documents"
    added = check_write(openapi, api, "POST", docs, [{"id": 9, "title": "Ran"}])
    assert added["type"] == "documentAdditionOrUpdate"
    check_write(openapi, api, "PUT", docs, [{"id": 9, "year": 1985}])
    check_write(openapi, api, "DELETE", f"{docs}/9")
    check_write(openapi, api, "POST", f"{docs}/delete-batch", [1, "2"])
    check_write(openapi, api, "POST", f"{docs}/delete", {"filter": "genre = crime"})
    cleared = check_write(openapi, api, "DELETE", docs)
    assert cleared["type"] == "documentDeletion"


def test_document_fetch_responses_follow_the_spec(openapi: Any, api: Any, seeded: str) -> None:
    fetch = f"/indexes/{seeded}/documents/fetch"
    check(openapi, api, "POST", fetch, {"filter": "genre = scifi", "limit": 1, "fields": ["title"]})
    check(openapi, api, "POST", fetch, {"ids": ["1", 3], "sort": ["year:desc"]})
    check(openapi, api, "POST", fetch, {})


def test_a_failed_task_view_follows_the_spec(openapi: Any, api: Any, index_uid: str) -> None:
    task = check_write(
        openapi, api, "POST", f"/indexes/{index_uid}/documents", [{"id": "bad id"}], succeeds=False
    )
    assert task["error"]["code"] == "invalid_document_id"
    validate_error(openapi, task["error"])


def test_task_cancelation_and_deletion_follow_the_spec(
    openapi: Any, api: Any, scratch: str
) -> None:
    finished = api.call("GET", f"/tasks?indexUids={scratch}&limit=1").body["results"][0]["uid"]
    canceled = check(openapi, api, "POST", f"/tasks/cancel?uids={finished}")
    task = api.wait(canceled["taskUid"])
    openapi.validate("GET", f"/tasks/{task['uid']}", 200, task)
    assert (task["type"], task["status"]) == ("taskCancelation", "succeeded")
    deleted = check(openapi, api, "DELETE", f"/tasks?uids={finished}")
    task = api.wait(deleted["taskUid"])
    openapi.validate("GET", f"/tasks/{task['uid']}", 200, task)
    assert (task["type"], task["details"]["deletedTasks"]) == ("taskDeletion", 1)


def test_a_400_body_is_a_response_error(openapi: Any, api: Any, seeded: str) -> None:
    answer = api.call("POST", f"/indexes/{seeded}/search", json_body={"filter": "genre ="})
    assert (answer.status, answer.code) == (400, "invalid_search_filter")
    validate_error(openapi, answer.body)


def test_a_401_body_follows_the_spec(openapi: Any, api: Any, meilisearch: Any) -> None:
    if meilisearch.api_key is None:
        pytest.skip("this server runs without a master key")
    answer = api.call("GET", "/indexes", key=None)
    assert answer.status == 401
    openapi.validate("GET", "/indexes", 401, answer.body)


def test_a_403_body_is_a_response_error(openapi: Any, api: Any, meilisearch: Any) -> None:
    if meilisearch.api_key is None:
        pytest.skip("this server runs without a master key")
    answer = api.call("GET", "/indexes", key="a-key-that-is-not-the-master-key")
    assert (answer.status, answer.code) == (403, "invalid_api_key")
    validate_error(openapi, answer.body)


def test_a_404_body_follows_the_spec(openapi: Any, api: Any, meilisearch_index_prefix: str) -> None:
    path = f"/indexes/{meilisearch_index_prefix}absent"
    answer = api.call("GET", path)
    assert (answer.status, answer.code) == (404, "index_not_found")
    openapi.validate("GET", path, 404, answer.body)
    answer = api.call("GET", "/tasks/4000000000")
    assert (answer.status, answer.code) == (404, "task_not_found")
    openapi.validate("GET", "/tasks/4000000000", 404, answer.body)


def test_a_415_body_is_a_response_error(openapi: Any, api: Any, index_uid: str) -> None:
    answer = api.call(
        "POST",
        f"/indexes/{index_uid}/documents",
        data=json.dumps([{"id": 1}]),
        headers={"Content-Type": "text/plain"},
    )
    assert (answer.status, answer.code) == (415, "invalid_content_type")
    validate_error(openapi, answer.body)


def test_a_413_body_is_a_response_error(openapi: Any, small_fake_api: Any) -> None:
    body = [{"id": 1, "text": "x" * 2048}]
    answer = small_fake_api.call("POST", "/indexes/big/documents", json_body=body)
    assert (answer.status, answer.code) == (413, "payload_too_large")
    validate_error(openapi, answer.body)
