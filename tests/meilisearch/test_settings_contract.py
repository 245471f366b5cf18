from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scrypath.config import Config
from scrypath.declaration import registry, searchable, spec_for
from scrypath.errors import HotApplyRefusedError, IndexNotFoundError
from scrypath.indexes import ensure_index
from scrypath.meilisearch import (
    compare_settings,
    diff_settings,
    hot_apply_settings,
    read_settings,
    resolve_settings,
    wire_settings,
)
from scrypath.meilisearch.rebuild_marker import lock_name, marker_name
from scrypath.testing.meilisearch.settings import default_settings

# What a fresh index answers; the fake's table is pinned against the reference elsewhere.
ENGINE_DEFAULTS: dict[str, Any] = default_settings()
PLAIN_NAME_FEATURES = {"facetSearch": True, "filter": {"equality": True, "comparison": True}}


def live(**changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(ENGINE_DEFAULTS)), **changes}


@pytest.fixture
def Book() -> Iterator[Any]:
    with registry.isolated() as isolated:
        isolated.clear()

        class Base(DeclarativeBase):
            pass

        @searchable(
            fields=["title", "author"],
            filterable=["genre", "year"],
            sortable=["year"],
            settings={
                "synonyms": {"tea": ["chai"]},
                "stop_words": ["the", "a"],
                "typo_tolerance": {"min_word_size_for_typos": {"one_typo": 4}},
            },
        )
        class Book(Base):
            __tablename__ = "books"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str]
            author: Mapped[str]
            genre: Mapped[str]
            year: Mapped[int]

        yield Book


# -- compare: one test per dimension ---------------------------------------------------------


def test_identical_settings_have_no_drift() -> None:
    declared = {"searchableAttributes": ["title"], "stopWords": ["the"]}
    assert compare_settings(declared, live(**declared)) == []


def test_engine_defaults_that_were_never_declared_are_not_drift() -> None:
    declared = {"searchableAttributes": ["title"]}
    applied = live(searchableAttributes=["title"], stopWords=["a"], proximityPrecision="byWord")
    assert compare_settings(declared, applied) == []


def test_ranking_rules_order_is_drift() -> None:
    declared = {"rankingRules": ["words", "typo", "sort"]}
    applied = live(rankingRules=["typo", "words", "sort"])
    assert compare_settings(declared, applied) == [
        {
            "key": "rankingRules",
            "declared": declared["rankingRules"],
            "applied": ["typo", "words", "sort"],
        }
    ]


def test_searchable_attributes_order_is_drift() -> None:
    drift = compare_settings(
        {"searchableAttributes": ["title", "body"]}, live(searchableAttributes=["body", "title"])
    )
    assert [delta["key"] for delta in drift] == ["searchableAttributes"]


@pytest.mark.parametrize(
    "key", ["filterableAttributes", "sortableAttributes", "stopWords", "displayedAttributes"]
)
def test_set_like_lists_ignore_order(key: str) -> None:
    assert compare_settings({key: ["a", "b", "c"]}, live(**{key: ["c", "a", "b"]})) == []


@pytest.mark.parametrize("key", ["filterableAttributes", "sortableAttributes", "stopWords"])
def test_set_like_lists_still_compare_members(key: str) -> None:
    drift = compare_settings({key: ["a", "b"]}, live(**{key: ["a"]}))
    assert drift == [{"key": key, "declared": ["a", "b"], "applied": ["a"]}]


def test_granular_filterable_rules_with_plain_name_features_equal_plain_names() -> None:
    applied = live(
        filterableAttributes=[
            {"attributePatterns": ["genre", "year"], "features": PLAIN_NAME_FEATURES},
        ]
    )
    assert compare_settings({"filterableAttributes": ["year", "genre"]}, applied) == []


def test_granular_filterable_rules_with_narrower_features_are_drift() -> None:
    narrower = {"facetSearch": False, "filter": {"equality": True, "comparison": False}}
    applied = live(filterableAttributes=[{"attributePatterns": ["genre"], "features": narrower}])
    drift = compare_settings({"filterableAttributes": ["genre"]}, applied)
    assert [delta["key"] for delta in drift] == ["filterableAttributes"]


def test_granular_filterable_rules_without_features_get_meilisearch_defaults() -> None:
    applied = live(filterableAttributes=[{"attributePatterns": ["genre"]}])
    assert compare_settings({"filterableAttributes": ["genre"]}, applied) != []


def test_nested_objects_compare_only_declared_keys() -> None:
    declared = {"typoTolerance": {"minWordSizeForTypos": {"oneTypo": 5}}}
    assert compare_settings(declared, live()) == []
    changed = {"typoTolerance": {"minWordSizeForTypos": {"oneTypo": 3}}}
    assert compare_settings(changed, live()) == [
        {
            "key": "typoTolerance",
            "declared": changed["typoTolerance"],
            "applied": {"minWordSizeForTypos": {"oneTypo": 5}},
        }
    ]


def test_facet_order_compares_only_declared_facets() -> None:
    declared = {"faceting": {"sortFacetValuesBy": {"genre": "count"}}}
    applied = live(
        faceting={"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha", "genre": "count"}}
    )
    assert compare_settings(declared, applied) == []


def test_synonyms_ignore_alternative_order_but_not_extra_words() -> None:
    declared = {"synonyms": {"tea": ["chai", "cha"]}}
    assert compare_settings(declared, live(synonyms={"tea": ["cha", "chai"]})) == []
    extra = live(synonyms={"tea": ["cha", "chai"], "coffee": ["java"]})
    assert [delta["key"] for delta in compare_settings(declared, extra)] == ["synonyms"]


def test_typo_tolerance_word_lists_are_sets() -> None:
    declared = {"typoTolerance": {"disableOnWords": ["x", "y"]}}
    applied = live()
    applied["typoTolerance"]["disableOnWords"] = ["y", "x"]
    assert compare_settings(declared, applied) == []


def test_a_key_missing_from_the_live_settings_is_drift_with_null_applied() -> None:
    drift = compare_settings({"prefixSearch": "disabled"}, {"searchableAttributes": ["*"]})
    assert drift == [{"key": "prefixSearch", "declared": "disabled", "applied": None}]


def test_the_diff_is_json_data() -> None:
    declared = {"rankingRules": ["words"], "typoTolerance": {"enabled": False}}
    drift = compare_settings(declared, live())
    assert len(drift) == 2
    assert json.loads(json.dumps(drift)) == drift


_names = st.lists(st.sampled_from(["a", "b", "c", "d", "title", "genre"]), unique=True)


@given(
    stop=_names,
    filterable=_names,
    searchable=_names,
    pick=st.randoms(use_true_random=False),
)
def test_shuffling_set_like_lists_never_makes_drift(
    stop: list[str], filterable: list[str], searchable: list[str], pick: Any
) -> None:
    declared = {
        "stopWords": stop,
        "filterableAttributes": filterable,
        "searchableAttributes": searchable,
    }
    shuffled = {key: pick.sample(value, len(value)) for key, value in declared.items()}
    shuffled["searchableAttributes"] = searchable
    assert compare_settings(declared, live(**shuffled)) == []


@given(rules=st.lists(st.sampled_from(["words", "typo", "proximity", "sort"]), unique=True))
def test_ranking_rules_match_only_in_the_same_order(rules: list[str]) -> None:
    reordered = list(reversed(rules))
    drift = compare_settings({"rankingRules": rules}, live(rankingRules=reordered))
    assert (drift == []) == (rules == reordered)


# -- resolve and read against Meilisearch ----------------------------------------------------


def test_resolve_is_exactly_what_ensure_index_applies(
    Book: Any, scrypath_config: Config, meilisearch: Any
) -> None:
    assert resolve_settings(Book) == wire_settings(spec_for(Book))
    status = ensure_index(Book)
    applied = meilisearch.client.http.get(f"indexes/{status.index}/settings")
    assert read_settings(Book) == applied
    assert diff_settings(Book) == []


def test_reading_a_missing_index_raises_index_not_found(Book: Any, scrypath_config: Config) -> None:
    with pytest.raises(IndexNotFoundError) as caught:
        read_settings(Book)
    assert caught.value.reason == "index_not_found"


def test_diff_reports_a_live_change_to_a_declared_key(
    Book: Any, scrypath_config: Config, meilisearch: Any
) -> None:
    index = ensure_index(Book).index
    task = meilisearch.client.index(index).update_filterable_attributes(["genre"])
    meilisearch.client.wait_for_task(task.task_uid)
    drift = diff_settings(Book)
    assert drift == [
        {"key": "filterableAttributes", "declared": ["genre", "year"], "applied": ["genre"]}
    ]


def test_diff_of_a_named_index(Book: Any, scrypath_config: Config, meilisearch: Any) -> None:
    other = f"{scrypath_config.index_prefix}other"
    task = meilisearch.client.create_index(other, {"primaryKey": "id"})
    meilisearch.client.wait_for_task(task.task_uid)
    keys = {delta["key"] for delta in diff_settings(Book, index=other)}
    assert {"searchableAttributes", "filterableAttributes", "synonyms", "stopWords"} <= keys


# -- hot-apply -------------------------------------------------------------------------------


def test_hot_apply_is_refused_without_acknowledgement(Book: Any, scrypath_config: Config) -> None:
    ensure_index(Book)
    with pytest.raises(HotApplyRefusedError) as caught:
        hot_apply_settings(Book, {"synonyms": {"tea": ["cha"]}})
    assert caught.value.context["key"] == "acknowledge"
    assert "acknowledge=True" in str(caught.value)
    assert read_settings(Book)["synonyms"] == {"tea": ["chai"]}


def test_hot_apply_refuses_other_keys_and_names_them(Book: Any, scrypath_config: Config) -> None:
    ensure_index(Book)
    with pytest.raises(HotApplyRefusedError) as caught:
        hot_apply_settings(
            Book,
            {"synonyms": {}, "filterableAttributes": ["title"], "ranking_rules": ["words"]},
            acknowledge=True,
        )
    assert caught.value.context["refused"] == ["filterableAttributes", "ranking_rules"]
    assert "filterableAttributes" in str(caught.value) and "ranking_rules" in str(caught.value)
    assert read_settings(Book)["synonyms"] == {"tea": ["chai"]}


@pytest.mark.parametrize("changes", [{}, None])
def test_hot_apply_refuses_an_empty_payload(
    Book: Any, scrypath_config: Config, changes: Any
) -> None:
    with pytest.raises(HotApplyRefusedError) as caught:
        hot_apply_settings(Book, changes, acknowledge=True)
    assert caught.value.context["key"] == "changes"


def test_hot_apply_refuses_invalid_values_before_any_request(
    Book: Any, offline_config: Config
) -> None:
    with pytest.raises(HotApplyRefusedError) as caught:
        hot_apply_settings(Book, {"stop_words": "the"}, acknowledge=True)
    assert "stop_words" in str(caught.value)


def test_hot_apply_updates_the_live_index_and_waits(Book: Any, scrypath_config: Config) -> None:
    ensure_index(Book)
    result = hot_apply_settings(
        Book,
        {"synonyms": {"tea": ["cha"]}, "stop_words": ["an"]},
        acknowledge=True,
    )
    assert result.task.status == "succeeded"
    assert result.applied == {"synonyms": {"tea": ["cha"]}, "stopWords": ["an"]}
    assert result.previous["synonyms"] == {"tea": ["chai"]}
    live_settings = read_settings(Book)
    assert live_settings["synonyms"] == {"tea": ["cha"]}
    assert live_settings["stopWords"] == ["an"]
    assert [delta["key"] for delta in result.drift] == ["synonyms", "stopWords"]
    assert json.loads(json.dumps(result.to_json())) == result.to_json()


def test_hot_apply_accepts_the_wire_spelling_of_typo_tolerance(
    Book: Any, scrypath_config: Config
) -> None:
    ensure_index(Book)
    result = hot_apply_settings(
        Book, {"typoTolerance": {"minWordSizeForTypos": {"oneTypo": 3}}}, acknowledge=True
    )
    assert result.applied == {"typoTolerance": {"minWordSizeForTypos": {"oneTypo": 3}}}
    assert read_settings(Book)["typoTolerance"]["minWordSizeForTypos"]["oneTypo"] == 3


def test_hot_apply_never_creates_a_missing_index(
    Book: Any, scrypath_config: Config, meilisearch: Any
) -> None:
    with pytest.raises(IndexNotFoundError):
        hot_apply_settings(Book, {"stop_words": ["the"]}, acknowledge=True)
    with pytest.raises(IndexNotFoundError):
        read_settings(Book)


@pytest.mark.parametrize("announcement", [marker_name, lock_name])
def test_hot_apply_is_refused_while_a_reindex_runs(
    Book: Any, scrypath_config: Config, meilisearch: Any, announcement: Any
) -> None:
    index = ensure_index(Book).index
    task = meilisearch.client.create_index(announcement(index), {"primaryKey": "id"})
    meilisearch.client.wait_for_task(task.task_uid)
    with pytest.raises(HotApplyRefusedError) as caught:
        hot_apply_settings(Book, {"stop_words": ["the"]}, acknowledge=True)
    assert "reindex" in str(caught.value)


def test_families_scrypath_does_not_know_compare_only_their_declared_keys() -> None:
    declared = {"embedders": {"default": {"source": "userProvided", "dimensions": 3}}}
    applied = live(embedders={"default": {"source": "userProvided", "dimensions": 3, "x": 1}})
    assert compare_settings(declared, applied) == []
    other = live(embedders={"default": {"source": "userProvided", "dimensions": 4}})
    assert [delta["key"] for delta in compare_settings(declared, other)] == ["embedders"]
