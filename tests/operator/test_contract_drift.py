"""`index_contract_drift`: the declaration against the live index, edited by hand through
the provisioned Meilisearch's own client, one dimension at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scrypath.config import Config
from scrypath.declaration import registry, searchable
from scrypath.errors import IndexNotFoundError
from scrypath.indexes import ensure_index
from scrypath.meilisearch.settings_contract import diff_settings
from scrypath.operator.contract_drift import (
    DIMENSIONS,
    VALUE_CAP,
    ContractDriftReport,
    compare_contract,
    index_contract_drift,
    without_secrets,
)
from tests.conftest import Models

RANKING = ["words", "typo", "sort", "proximity", "attribute", "exactness"]


def change(meilisearch: Any, index: str, settings: dict[str, Any]) -> None:
    """Edit the live index by hand, as an operator with the dashboard would."""
    task = meilisearch.client.http.patch(f"indexes/{index}/settings", settings)
    done = meilisearch.client.wait_for_task(task["taskUid"], timeout_in_ms=10_000)
    assert done.status == "succeeded", done.error


def by_name(report: ContractDriftReport) -> dict[str, Any]:
    return {dimension["name"]: dimension for dimension in report.to_json()["dimensions"]}


def drifted(report: ContractDriftReport) -> list[str]:
    return [dimension.name for dimension in report.drifted]


@pytest.fixture
def posts(models: Models, scrypath_config: Config) -> str:
    """Post's index, created with the declared settings; returns its uid."""
    return ensure_index(models.Post).index


@pytest.fixture
def book(scrypath_config: Config) -> Iterator[Any]:
    """A model that declares faceting options and other settings families."""
    with registry.isolated():

        class Base(DeclarativeBase):
            pass

        @searchable(
            fields=["title", "blurb"],
            filterable=["genre"],
            sortable=["year"],
            faceting={"attributes": ["genre"], "max_values_per_facet": 10},
            settings={"ranking_rules": RANKING, "stop_words": ["the", "a"]},
        )
        class Book(Base):
            __tablename__ = "drift_books"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str]
            blurb: Mapped[str]
            genre: Mapped[str]
            year: Mapped[int]

        ensure_index(Book)
        yield Book


def test_a_freshly_ensured_index_matches_in_all_five_dimensions(models: Models, posts: str) -> None:
    report = index_contract_drift(models.Post)
    document = report.to_json()
    assert list(document) == ["version", "model", "index", "match", "dimensions"]
    assert document["version"] == 1 and document["match"] is True and report.match
    assert document["index"] == posts
    assert document["model"] == "Post"
    assert [d["name"] for d in document["dimensions"]] == list(DIMENSIONS)
    for dimension in document["dimensions"]:
        assert list(dimension) == ["name", "match", "summary", "details"]
        assert dimension["match"] is True and dimension["summary"] == "matches"
    fields = by_name(report)["fields"]["details"]
    assert fields == [
        {"key": "searchableAttributes", "only_declared": [], "only_applied": [], "truncated": False}
    ]


def test_fields_drift_lists_both_sides(models: Models, posts: str, meilisearch: Any) -> None:
    change(meilisearch, posts, {"searchableAttributes": ["title", "summary"]})
    report = index_contract_drift(models.Post)
    assert drifted(report) == ["fields"]
    fields = by_name(report)["fields"]
    assert fields["details"] == [
        {
            "key": "searchableAttributes",
            "only_declared": ["body"],
            "only_applied": ["summary"],
            "truncated": False,
        }
    ]
    assert fields["summary"] == (
        "declared but not applied: body; applied but not declared: summary"
    )


def test_searchable_attribute_order_is_drift(models: Models, posts: str, meilisearch: Any) -> None:
    change(meilisearch, posts, {"searchableAttributes": ["body", "title"]})
    report = index_contract_drift(models.Post)
    assert drifted(report) == ["fields"]
    fields = by_name(report)["fields"]
    assert fields["details"][1] == {
        "key": "searchableAttributes",
        "position": 1,
        "declared": "title",
        "applied": "body",
    }
    assert fields["summary"] == "order differs at position 1: declared title, applied body"


def test_filterable_drift_also_names_the_facet_it_breaks(
    models: Models, posts: str, meilisearch: Any
) -> None:
    change(meilisearch, posts, {"filterableAttributes": ["author_id", "status", "tenant_id"]})
    report = index_contract_drift(models.Post)
    assert drifted(report) == ["filterable_attributes", "faceting"]
    dimensions = by_name(report)
    assert dimensions["filterable_attributes"]["details"] == [
        {
            "key": "filterableAttributes",
            "only_declared": ["price"],
            "only_applied": [],
            "truncated": False,
        }
    ]
    assert dimensions["faceting"]["details"] == [
        {"key": "facets", "only_declared": ["price"], "only_applied": [], "truncated": False}
    ]
    assert dimensions["faceting"]["summary"] == (
        "declared facets not filterable on the live index: price"
    )


def test_a_granular_rule_with_fewer_features_is_filter_drift(
    models: Models, posts: str, meilisearch: Any
) -> None:
    weaker = {"attributePatterns": ["price"], "features": {"filter": {"equality": True}}}
    change(
        meilisearch,
        posts,
        {"filterableAttributes": ["author_id", "status", "tenant_id", weaker]},
    )
    report = index_contract_drift(models.Post)
    assert drifted(report) == ["filterable_attributes"]
    filterable = by_name(report)["filterable_attributes"]
    assert filterable["details"][0]["only_declared"] == []
    assert filterable["details"][1] == {
        "key": "filterableAttributes",
        "attribute": "price",
        "declared": "price",
        "applied": [
            {
                "attributePatterns": ["price"],
                "features": {
                    "facetSearch": False,
                    "filter": {"equality": True, "comparison": False},
                },
            }
        ],
    }
    assert filterable["summary"] == "filter features differ for price"


def test_a_granular_rule_with_plain_features_is_not_drift(
    models: Models, posts: str, meilisearch: Any
) -> None:
    full = {
        "attributePatterns": ["price", "status"],
        "features": {"facetSearch": True, "filter": {"equality": True, "comparison": True}},
    }
    change(meilisearch, posts, {"filterableAttributes": ["author_id", "tenant_id", full]})
    assert index_contract_drift(models.Post).match


def test_sortable_drift(models: Models, posts: str, meilisearch: Any) -> None:
    change(meilisearch, posts, {"sortableAttributes": ["price", "created_at"]})
    report = index_contract_drift(models.Post)
    assert drifted(report) == ["sortable_attributes"]
    sortable = by_name(report)["sortable_attributes"]
    assert sortable["details"] == [
        {
            "key": "sortableAttributes",
            "only_declared": ["title"],
            "only_applied": ["created_at"],
            "truncated": False,
        }
    ]


def test_faceting_options_drift(book: Any, meilisearch: Any) -> None:
    index = index_contract_drift(book).index
    change(meilisearch, index, {"faceting": {"maxValuesPerFacet": 25}})
    report = index_contract_drift(book)
    assert drifted(report) == ["faceting"]
    faceting = by_name(report)["faceting"]
    assert faceting["details"][1] == {
        "key": "faceting",
        "declared": {"maxValuesPerFacet": 10},
        "applied": {"maxValuesPerFacet": 25},
    }
    assert faceting["summary"] == "faceting options differ: maxValuesPerFacet"


def test_settings_drift_reuses_the_settings_contract(book: Any, meilisearch: Any) -> None:
    index = index_contract_drift(book).index
    change(meilisearch, index, {"rankingRules": list(reversed(RANKING))})
    report = index_contract_drift(book)
    assert drifted(report) == ["settings"]
    settings = by_name(report)["settings"]
    assert settings["details"] == [dict(delta) for delta in diff_settings(book)]
    assert settings["details"][0]["key"] == "rankingRules"
    assert settings["summary"] == "declared settings differ: rankingRules"


def test_stop_word_order_is_not_drift_but_ranking_rule_order_is(
    book: Any, meilisearch: Any
) -> None:
    index = index_contract_drift(book).index
    change(meilisearch, index, {"stopWords": ["a", "the"]})
    assert index_contract_drift(book).match
    swapped = [RANKING[1], RANKING[0], *RANKING[2:]]
    change(meilisearch, index, {"rankingRules": swapped})
    assert drifted(index_contract_drift(book)) == ["settings"]


def test_engine_defaults_and_undeclared_settings_are_not_drift(
    models: Models, posts: str, meilisearch: Any
) -> None:
    change(
        meilisearch,
        posts,
        {
            "rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"],
            "displayedAttributes": ["title"],
            "typoTolerance": {"enabled": False},
            "stopWords": ["le", "la"],
        },
    )
    report = index_contract_drift(models.Post)
    assert report.match, report.to_json()


def test_set_differences_are_capped_with_a_truncated_marker(
    models: Models, posts: str, meilisearch: Any
) -> None:
    extra = [f"extra_{number:03d}" for number in range(VALUE_CAP + 12)]
    change(meilisearch, posts, {"sortableAttributes": ["price", "title", *extra]})
    report = index_contract_drift(models.Post)
    detail = by_name(report)["sortable_attributes"]["details"][0]
    assert detail["truncated"] is True
    assert detail["only_applied"] == extra[:VALUE_CAP]
    assert detail["only_declared"] == []
    assert by_name(report)["sortable_attributes"]["summary"] == (
        "applied but not declared: extra_000, extra_001, extra_002, extra_003, extra_004 "
        "and 57 more"
    )


def test_a_missing_index_is_index_not_found(models: Models, scrypath_config: Config) -> None:
    with pytest.raises(IndexNotFoundError) as caught:
        index_contract_drift(models.Post)
    assert caught.value.reason == "index_not_found"
    assert caught.value.context["index"] == f"{scrypath_config.index_prefix}posts"


def test_the_report_is_frozen_and_its_json_is_a_copy(models: Models, posts: str) -> None:
    report = index_contract_drift(models.Post)
    document = report.to_json()
    document["dimensions"][0]["details"][0]["only_declared"].append("mutated")
    assert report.to_json()["dimensions"][0]["details"][0]["only_declared"] == []
    with pytest.raises(AttributeError):
        report.index = "other"  # type: ignore[misc]


def test_unexplained_drift_falls_back_to_the_settings_delta() -> None:
    declared = {
        "searchableAttributes": ["title"],
        "filterableAttributes": [],
        "sortableAttributes": [],
    }
    live = {"searchableAttributes": ["title"], "filterableAttributes": []}
    dimensions = {d.name: d for d in compare_contract(declared, live, facets=())}
    sortable = dimensions["sortable_attributes"]
    assert not sortable.match
    assert sortable.details[1] == {"key": "sortableAttributes", "declared": [], "applied": None}
    assert sortable.summary == "sortableAttributes differs"
    assert all(dimensions[name].match for name in ("fields", "filterable_attributes"))


def test_a_wildcard_filterable_pattern_covers_the_facets() -> None:
    declared = {
        "searchableAttributes": ["title"],
        "filterableAttributes": ["genre"],
        "sortableAttributes": [],
    }
    live = {**declared, "filterableAttributes": ["*"]}
    dimensions = {d.name: d for d in compare_contract(declared, live, facets=("genre",))}
    assert dimensions["faceting"].match
    assert not dimensions["filterable_attributes"].match


def test_settings_details_never_carry_an_embedder_api_key() -> None:
    secret = "sk-declared-secret"
    declared = {
        "searchableAttributes": ["title"],
        "filterableAttributes": [],
        "sortableAttributes": [],
        "embedders": {"default": {"source": "openAi", "apiKey": secret}},
    }
    live = {**declared, "embedders": {}}
    settings = compare_contract(declared, live, facets=())[-1]
    assert not settings.match
    assert secret not in repr(settings.details) and secret not in repr(settings.summary)
    assert settings.details[0]["declared"] == {"default": {"source": "openAi", "apiKey": "***"}}
    assert without_secrets({"headers": {"Authorization": "Bearer x"}, "apiKey": None}) == {
        "headers": {"Authorization": "***"},
        "apiKey": None,
    }
