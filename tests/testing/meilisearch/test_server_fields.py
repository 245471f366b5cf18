"""`POST /indexes/{uid}/fields`: each field with what the settings make of it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrypath.testing.meilisearch.fields import field_names, pattern_match

RECIPE = {
    "id": 1,
    "title": "Carbonara",
    "cuisine": {"type": "Italian", "region": "Rome"},
    "ingredients": [{"name": "spaghetti"}, {"name": "egg", "grams": 50}],
    "prep_minutes": 15,
    "cook_minutes": 20,
    "_vectors": {"manual": [0.1, 0.2]},
}


@pytest.fixture
def recipes(client, fake):
    index = client.index("recipes")
    index.add_documents([RECIPE])
    fake.wait_idle()
    return index


def fields(raw, body=None, uid="recipes"):
    response = raw("POST", f"/indexes/{uid}/fields", json_body=body if body is not None else {})
    assert response.status == 200, response.body
    return response.body


def by_name(body):
    return {entry["name"]: entry for entry in body["results"]}


def test_fields_list_top_level_keys_and_nested_paths_sorted(raw, recipes):
    body = fields(raw, {"limit": 100})
    assert [entry["name"] for entry in body["results"]] == [
        "_vectors",
        "cook_minutes",
        "cuisine",
        "cuisine.region",
        "cuisine.type",
        "id",
        "ingredients",
        "ingredients.grams",
        "ingredients.name",
        "prep_minutes",
        "title",
    ]
    assert (body["offset"], body["limit"], body["total"]) == (0, 100, 11)


def test_default_settings_make_every_field_displayed_and_searchable_only(raw, recipes):
    title = by_name(fields(raw))["title"]
    assert title == {
        "name": "title",
        "displayed": {"enabled": True},
        "searchable": {"enabled": True},
        "sortable": {"enabled": False},
        "distinct": {"enabled": False},
        "rankingRule": {"enabled": False},
        "filterable": {
            "enabled": False,
            "sortBy": "alpha",
            "facetSearch": False,
            "equality": False,
            "comparison": False,
        },
        "localized": {"locales": []},
    }


def test_vectors_are_listed_but_never_searchable_or_filterable(raw, recipes):
    vectors = by_name(fields(raw))["_vectors"]
    assert vectors["displayed"] == {"enabled": True}
    assert vectors["searchable"] == {"enabled": False}
    assert vectors["filterable"]["enabled"] is False


def test_settings_show_in_each_field(client, raw, recipes, fake):
    recipes.update_settings(
        {
            "displayedAttributes": ["title", "cuisine"],
            "searchableAttributes": ["title", "ingredients.name"],
            "sortableAttributes": ["cuisine"],
            "filterableAttributes": [
                "title",
                {
                    "attributePatterns": ["*_minutes"],
                    "features": {"facetSearch": False, "filter": {"comparison": True}},
                },
            ],
            "distinctAttribute": "id",
            "rankingRules": ["words", "cook_minutes:desc"],
            "faceting": {"sortFacetValuesBy": {"title": "count"}},
            "localizedAttributes": [{"attributePatterns": ["ti*"], "locales": ["ita"]}],
        }
    )
    fake.wait_idle()
    entries = by_name(fields(raw, {"limit": 100}))
    assert entries["cuisine.type"]["displayed"]["enabled"] is True
    assert entries["ingredients"]["displayed"]["enabled"] is False
    assert entries["ingredients.name"]["searchable"]["enabled"] is True
    assert entries["ingredients"]["searchable"]["enabled"] is False
    assert entries["cuisine.region"]["sortable"]["enabled"] is True
    assert entries["id"]["distinct"]["enabled"] is True
    assert entries["cook_minutes"]["rankingRule"] == {"enabled": True, "order": "desc"}
    assert entries["title"]["filterable"] == {
        "enabled": True,
        "sortBy": "count",
        "facetSearch": True,
        "equality": True,
        "comparison": True,
    }
    assert entries["prep_minutes"]["filterable"] == {
        "enabled": True,
        "sortBy": "alpha",
        "facetSearch": False,
        "equality": True,
        "comparison": True,
    }
    assert entries["title"]["localized"] == {"locales": ["ita"]}


def test_the_filter_keeps_fields_matching_every_criterion(raw, recipes):
    body = fields(raw, {"filter": {"attributePatterns": ["cuisine*"]}})
    assert [entry["name"] for entry in body["results"]] == [
        "cuisine",
        "cuisine.region",
        "cuisine.type",
    ]
    none = fields(raw, {"filter": {"attributePatterns": ["cuisine*"], "searchable": False}})
    assert none["results"] == [] and none["total"] == 0
    hidden = fields(raw, {"filter": {"searchable": False}})
    assert [entry["name"] for entry in hidden["results"]] == ["_vectors"]


def test_fields_page_with_offset_and_limit(raw, recipes):
    body = fields(raw, {"offset": 2, "limit": 3})
    assert [entry["name"] for entry in body["results"]] == [
        "cuisine",
        "cuisine.region",
        "cuisine.type",
    ]
    assert (body["offset"], body["limit"], body["total"]) == (2, 3, 11)


def test_an_empty_index_has_no_fields(client, raw, fake):
    client.create_index("empty")
    fake.wait_idle()
    assert fields(raw, uid="empty") == {"results": [], "offset": 0, "limit": 20, "total": 0}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"offset": -1}, 400, "invalid_index_offset"),
        ({"limit": "ten"}, 400, "invalid_index_limit"),
        ({"filter": []}, 400, "invalid_index_fields_filter"),
        ({"filter": {"doggo": True}}, 400, "invalid_index_fields_filter"),
        ({"filter": {"displayed": "yes"}}, 400, "invalid_index_fields_filter_displayed"),
        ({"filter": {"rankingRule": 1}}, 400, "invalid_index_fields_filter_ranking_rule"),
        (
            {"filter": {"attributePatterns": "ti*"}},
            400,
            "invalid_index_fields_filter_attribute_patterns",
        ),
        ({"doggo": 1}, 400, "bad_request"),
    ],
)
def test_bad_field_requests_get_their_codes(raw, recipes, body, status, code):
    response = raw("POST", "/indexes/recipes/fields", json_body=body)
    assert (response.status, response.code) == (status, code)


def test_a_missing_index_is_404(raw):
    response = raw("POST", "/indexes/absent/fields", json_body={})
    assert (response.status, response.code) == (404, "index_not_found")


def test_fields_take_post_only(raw, recipes):
    response = raw("GET", "/indexes/recipes/fields")
    assert response.status == 405
    assert response.code == "method_not_allowed"


def test_the_official_client_lists_fields(recipes):
    result = recipes.get_fields(limit=2, filter={"attributePatterns": ["*_minutes"]})
    names = [entry["name"] for entry in result.results]
    assert names == ["cook_minutes", "prep_minutes"]
    assert result.total == 2


@given(st.text(max_size=8), st.text(max_size=8))
def test_a_pattern_without_wildcards_matches_only_itself(pattern, field):
    if "*" not in pattern:
        assert pattern_match(pattern, field) is (pattern == field)
    assert pattern_match("*", field)
    assert pattern_match(f"{pattern}*", pattern + field) or "*" in pattern


@given(
    st.recursive(
        st.integers() | st.text(max_size=3),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.text("ab", min_size=1, max_size=2), inner, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_every_nested_path_starts_with_a_listed_parent(value):
    names = field_names([{"root": value}])
    assert "root" in names
    for name in names:
        parent = name.rpartition(".")[0]
        assert not parent or parent in names
