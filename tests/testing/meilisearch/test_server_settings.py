"""Settings: the defaults of a fresh index, every sub-route and verb, validation, merging."""

from __future__ import annotations

import pytest

from scrypath.testing.meilisearch.settings import FAMILIES, default_settings

FRESH_INDEX_SETTINGS = {
    "displayedAttributes": ["*"],
    "searchableAttributes": ["*"],
    "filterableAttributes": [],
    "sortableAttributes": [],
    "rankingRules": [
        "words",
        "typo",
        "proximity",
        "attributeRank",
        "sort",
        "wordPosition",
        "exactness",
    ],
    "stopWords": [],
    "nonSeparatorTokens": [],
    "separatorTokens": [],
    "dictionary": [],
    "synonyms": {},
    "distinctAttribute": None,
    "proximityPrecision": "byWord",
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        "disableOnWords": [],
        "disableOnAttributes": [],
        "disableOnNumbers": False,
    },
    "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
    "pagination": {"maxTotalHits": 1000},
    "embedders": {},
    "searchCutoffMs": None,
    "localizedAttributes": None,
    "facetSearch": True,
    "prefixSearch": "indexingTime",
}

# A valid non-default value per family, sent through its sub-route.
SAMPLES = {
    "displayedAttributes": ["title", "id"],
    "searchableAttributes": ["title"],
    "filterableAttributes": ["genre"],
    "sortableAttributes": ["year"],
    "rankingRules": ["words", "year:desc"],
    "stopWords": ["the"],
    "nonSeparatorTokens": ["@"],
    "separatorTokens": ["|"],
    "dictionary": ["J. R. R."],
    "synonyms": {"phone": ["iphone"]},
    "distinctAttribute": "sku",
    "proximityPrecision": "byAttribute",
    "typoTolerance": {"enabled": False},
    "faceting": {"maxValuesPerFacet": 10},
    "pagination": {"maxTotalHits": 50},
    "embedders": {},
    "searchCutoffMs": 150,
    "localizedAttributes": [{"attributePatterns": ["*_ja"], "locales": ["jpn"]}],
    "facetSearch": False,
    "prefixSearch": "disabled",
}


@pytest.fixture
def movies(client, fake):
    client.create_index("movies", {"primaryKey": "id"})
    fake.wait_idle()
    return client.index("movies")


def test_a_fresh_index_has_the_complete_default_settings(movies, raw):
    response = raw("GET", "/indexes/movies/settings")
    assert response.status == 200
    assert response.body == FRESH_INDEX_SETTINGS
    assert list(response.body) == list(FRESH_INDEX_SETTINGS)
    assert default_settings() == FRESH_INDEX_SETTINGS


def test_settings_of_an_unknown_index_are_404(raw):
    for path in ("/indexes/nope/settings", "/indexes/nope/settings/ranking-rules"):
        assert raw("GET", path).code == "index_not_found"


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.slug)
def test_each_sub_route_reads_updates_and_resets(movies, raw, finished, family):
    path = f"/indexes/movies/settings/{family.slug}"
    assert raw("GET", path).body == FRESH_INDEX_SETTINGS[family.key]
    update = raw(family.verb, path, json_body=SAMPLES[family.key])
    assert update.status == 202, update.body
    task = finished(update.body["taskUid"])
    assert task["status"] == "succeeded", task["error"]
    assert task["type"] == "settingsUpdate"
    expected = SAMPLES[family.key]
    current = raw("GET", path).body
    if isinstance(expected, dict) and family.key != "synonyms" and expected:
        assert {key: current[key] for key in expected} == expected
    elif family.key in ("sortableAttributes", "stopWords"):
        assert current == sorted(expected)
    else:
        assert current == expected
    reset = raw("DELETE", path)
    assert finished(reset.body["taskUid"])["status"] == "succeeded"
    assert raw("GET", path).body == FRESH_INDEX_SETTINGS[family.key]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.slug)
def test_each_sub_route_refuses_the_other_verb(movies, raw, family):
    other = "PATCH" if family.verb == "PUT" else "PUT"
    path = f"/indexes/movies/settings/{family.slug}"
    assert raw(other, path, json_body=SAMPLES[family.key]).status == 405


def test_null_through_a_sub_route_resets(movies, raw, finished):
    path = "/indexes/movies/settings/stop-words"
    finished(raw("PUT", path, json_body=["a"]).body["taskUid"])
    task = finished(
        raw("PUT", path, body=b"null", headers={"Content-Type": "application/json"}).body["taskUid"]
    )
    assert task["details"] == {"stopWords": None}
    assert raw("GET", path).body == []


def test_the_official_client_drives_every_family(movies, fake):
    movies.update_ranking_rules(["words", "typo"])
    movies.update_distinct_attribute("sku")
    movies.update_typo_tolerance({"minWordSizeForTypos": {"oneTypo": 4}})
    movies.update_pagination_settings({"maxTotalHits": 10})
    movies.update_faceting_settings({"sortFacetValuesBy": {"genre": "count"}})
    movies.update_search_cutoff_ms(100)
    movies.update_facet_search_settings(False)
    movies.update_proximity_precision("byAttribute")
    movies.update_localized_attributes([{"attributePatterns": ["*_fr"], "locales": ["fra"]}])
    fake.wait_idle()
    settings = movies.get_settings()
    assert settings["rankingRules"] == ["words", "typo"]
    assert settings["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 4, "twoTypos": 9}
    assert settings["faceting"] == {
        "maxValuesPerFacet": 100,
        "sortFacetValuesBy": {"*": "alpha", "genre": "count"},
    }
    assert movies.get_search_cutoff_ms() == 100
    assert movies.get_facet_search_settings() is False
    movies.reset_typo_tolerance()
    movies.reset_faceting_settings()
    fake.wait_idle()
    assert movies.get_settings()["typoTolerance"] == FRESH_INDEX_SETTINGS["typoTolerance"]


def test_patch_updates_only_the_given_families_and_reports_them(movies, raw, finished):
    body = {"sortableAttributes": ["b", "a", "b"], "displayedAttributes": ["*", "x"]}
    task = finished(raw("PATCH", "/indexes/movies/settings", json_body=body).body["taskUid"])
    assert task["details"] == {"sortableAttributes": ["a", "b"], "displayedAttributes": ["*"]}
    settings = raw("GET", "/indexes/movies/settings").body
    assert settings["sortableAttributes"] == ["a", "b"]
    assert settings["displayedAttributes"] == ["*"]
    assert settings["rankingRules"] == FRESH_INDEX_SETTINGS["rankingRules"]


def test_nested_families_merge_field_by_field(movies, raw, finished):
    first = {"typoTolerance": {"disableOnWords": ["b", "a"], "minWordSizeForTypos": {"oneTypo": 3}}}
    finished(raw("PATCH", "/indexes/movies/settings", json_body=first).body["taskUid"])
    second = {"typoTolerance": {"enabled": False, "minWordSizeForTypos": {"twoTypos": 7}}}
    finished(raw("PATCH", "/indexes/movies/settings", json_body=second).body["taskUid"])
    typo = raw("GET", "/indexes/movies/settings/typo-tolerance").body
    assert typo == {
        "enabled": False,
        "minWordSizeForTypos": {"oneTypo": 3, "twoTypos": 7},
        "disableOnWords": ["a", "b"],
        "disableOnAttributes": [],
        "disableOnNumbers": False,
    }


def test_filterable_attributes_accept_the_granular_form(movies, raw, finished):
    rules = [
        "genre",
        {"attributePatterns": ["price_*"], "features": {"filter": {"comparison": True}}},
    ]
    put = raw("PUT", "/indexes/movies/settings/filterable-attributes", json_body=rules)
    assert finished(put.body["taskUid"])["status"] == "succeeded"
    assert raw("GET", "/indexes/movies/settings/filterable-attributes").body == [
        "genre",
        {
            "attributePatterns": ["price_*"],
            "features": {"facetSearch": False, "filter": {"equality": True, "comparison": True}},
        },
    ]


def test_reset_all_settings_restores_the_defaults(movies, raw, finished):
    finished(
        raw("PATCH", "/indexes/movies/settings", json_body={"stopWords": ["a"]}).body["taskUid"]
    )
    task = finished(raw("DELETE", "/indexes/movies/settings").body["taskUid"])
    assert task["details"]["displayedAttributes"] == ["*"]
    assert task["details"]["stopWords"] is None
    assert raw("GET", "/indexes/movies/settings").body == FRESH_INDEX_SETTINGS


def test_updating_settings_creates_a_missing_index(raw, finished):
    task = finished(
        raw("PATCH", "/indexes/fresh/settings", json_body={"stopWords": ["a"]}).body["taskUid"]
    )
    assert task["status"] == "succeeded"
    assert raw("GET", "/indexes/fresh").body["primaryKey"] is None


def test_resetting_settings_of_a_missing_index_fails_the_task(raw, finished):
    task = finished(raw("DELETE", "/indexes/nope/settings/stop-words").body["taskUid"])
    assert task["error"]["code"] == "index_not_found"
    assert raw("GET", "/indexes/nope").status == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"displayedAttributes": "doggo"}, "invalid_settings_displayed_attributes"),
        ({"searchableAttributes": [1]}, "invalid_settings_searchable_attributes"),
        ({"filterableAttributes": "doggo"}, "invalid_settings_filterable_attributes"),
        ({"filterableAttributes": [{"features": {}}]}, "invalid_settings_filterable_attributes"),
        (
            {"filterableAttributes": [{"attributePatterns": ["a"], "x": 1}]},
            "invalid_settings_filterable_attributes",
        ),
        ({"sortableAttributes": "doggo"}, "invalid_settings_sortable_attributes"),
        ({"rankingRules": ["doggo"]}, "invalid_settings_ranking_rules"),
        ({"rankingRules": ["attribute", "wordPosition"]}, "invalid_settings_ranking_rules"),
        ({"stopWords": "doggo"}, "invalid_settings_stop_words"),
        ({"nonSeparatorTokens": {}}, "invalid_settings_non_separator_tokens"),
        ({"separatorTokens": 1}, "invalid_settings_separator_tokens"),
        ({"dictionary": [True]}, "invalid_settings_dictionary"),
        ({"synonyms": "doggo"}, "invalid_settings_synonyms"),
        ({"synonyms": {"a": "b"}}, "invalid_settings_synonyms"),
        ({"distinctAttribute": ["doggo"]}, "invalid_settings_distinct_attribute"),
        ({"proximityPrecision": "doggo"}, "invalid_settings_proximity_precision"),
        ({"typoTolerance": "doggo"}, "invalid_settings_typo_tolerance"),
        ({"typoTolerance": {"doggo": 1}}, "invalid_settings_typo_tolerance"),
        (
            {"typoTolerance": {"minWordSizeForTypos": {"oneTypo": 9, "twoTypos": 5}}},
            "invalid_settings_typo_tolerance",
        ),
        (
            {"typoTolerance": {"minWordSizeForTypos": {"oneTypo": 300}}},
            "invalid_settings_typo_tolerance",
        ),
        ({"faceting": {"maxValuesPerFacet": -1}}, "invalid_settings_faceting"),
        ({"faceting": {"sortFacetValuesBy": {"*": "up"}}}, "invalid_settings_faceting"),
        ({"pagination": {"maxTotalHits": 0}}, "invalid_settings_pagination"),
        ({"pagination": {"maxTotalHits": "doggo"}}, "invalid_settings_pagination"),
        ({"searchCutoffMs": "doggo"}, "invalid_settings_search_cutoff_ms"),
        (
            {"localizedAttributes": [{"attributePatterns": ["a"], "locales": ["japan"]}]},
            "invalid_settings_localized_attributes",
        ),
        ({"localizedAttributes": [{"locales": ["jpn"]}]}, "invalid_settings_localized_attributes"),
        ({"facetSearch": "yes"}, "invalid_settings_facet_search"),
        ({"prefixSearch": "sometimes"}, "invalid_settings_prefix_search"),
        ({"embedders": "doggo"}, "invalid_settings_embedders"),
        ({"doggo": 1}, "bad_request"),
        ("doggo", "bad_request"),
        ({"chat": {}}, "feature_not_enabled"),
        ({"foreignKeys": []}, "feature_not_enabled"),
    ],
)
def test_invalid_settings_are_refused_synchronously(movies, raw, fake, body, code):
    response = raw("PATCH", "/indexes/movies/settings", json_body=body)
    assert (response.status, response.code) == (400, code), response.body
    fake.wait_idle()
    assert raw("GET", "/tasks?types=settingsUpdate").body["total"] == 0


def test_validation_messages_match_meilisearch(movies, raw):
    def message(body, path="/indexes/movies/settings", method="PATCH"):
        return raw(method, path, json_body=body).body["message"]

    assert message({"displayedAttributes": "doggo"}) == (
        "Invalid value type at `.displayedAttributes`: expected an array, but found a string: "
        '`"doggo"`'
    )
    assert message("doggo", "/indexes/movies/settings/displayed-attributes", "PUT") == (
        'Invalid value type: expected an array, but found a string: `"doggo"`'
    )
    assert message(
        {"typoTolerance": {"minWordSizeForTypos": {}}}, "/indexes/movies/settings/typo-tolerance"
    ) == (
        "Unknown field `typoTolerance`: expected one of `enabled`, `minWordSizeForTypos`, "
        "`disableOnWords`, `disableOnAttributes`, `disableOnNumbers`"
    )
    assert message({"pagination": {"maxTotalHits": 0}}) == (
        "Invalid value at `.pagination.maxTotalHits`: a non-zero integer value lower than "
        "`18446744073709551615` was expected, but found a zero"
    )
    assert message({"rankingRules": ["custom"]}) == (
        "Invalid value at `.rankingRules[0]`: `custom` ranking rule is invalid. Valid ranking "
        "rules are words, typo, sort, proximity, attribute, exactness and custom ranking rules."
    )
    assert message({"filterableAttribute": []}).startswith(
        "Unknown field `filterableAttribute`: did you mean `filterableAttributes`? expected one of "
        "`displayedAttributes`, `searchableAttributes`, `filterableAttributes`"
    )


def test_configured_embedders_are_refused_rather_than_ignored(movies, raw):
    response = raw(
        "PATCH",
        "/indexes/movies/settings",
        json_body={"embedders": {"default": {"source": "openAi"}}},
    )
    assert (response.status, response.code) == (501, "not_implemented")
