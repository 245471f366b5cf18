from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scrypath.declaration import Faceting, SearchSpec, registry, searchable, spec_for
from scrypath.errors import ScrypathWarning
from scrypath.meilisearch import to_wire_key, wire_settings


@pytest.fixture(autouse=True)
def _isolated() -> Iterator[None]:
    with registry.isolated():
        yield


def declare(**options: Any) -> SearchSpec:
    registry.clear()

    class Base(DeclarativeBase):
        pass

    class Book(Base):
        __tablename__ = "books"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str]
        author: Mapped[str]
        genre: Mapped[str]
        year: Mapped[int]
        tenant_id: Mapped[int]
        title_ja: Mapped[str]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScrypathWarning)
        searchable(**options)(Book)
    return spec_for(Book)


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("max_total_hits", "maxTotalHits"),
        ("min_word_size_for_typos", "minWordSizeForTypos"),
        ("one_typo", "oneTypo"),
        ("disable_on_numbers", "disableOnNumbers"),
        ("search_cutoff_ms", "searchCutoffMs"),
        ("synonyms", "synonyms"),
        ("alreadyCamel", "alreadyCamel"),
        ("_private_key", "_privateKey"),
    ],
)
def test_to_wire_key(name: str, wire: str) -> None:
    assert to_wire_key(name) == wire


def test_a_minimal_declaration_sends_the_three_attribute_lists() -> None:
    spec = declare(fields=["title", "author"])
    assert wire_settings(spec) == {
        "searchableAttributes": ["title", "author"],
        "filterableAttributes": [],
        "sortableAttributes": [],
    }


def test_attribute_lists_follow_the_declaration() -> None:
    spec = declare(
        fields=["title", "author"],
        filterable=["year", "genre"],
        sortable=["year", "author"],
        faceting=Faceting(attributes=["genre"]),
        tenant_field="tenant_id",
    )
    assert wire_settings(spec) == {
        "searchableAttributes": ["title", "author"],
        "filterableAttributes": ["genre", "tenant_id", "year"],
        "sortableAttributes": ["author", "year"],
    }


def test_faceting_is_sent_only_with_what_was_declared() -> None:
    spec = declare(
        fields=["title"],
        filterable=["genre", "year"],
        faceting={
            "attributes": ["genre", "year"],
            "max_values_per_facet": 25,
            "sort_facet_values_by": {"*": "alpha", "genre": "count"},
        },
    )
    assert wire_settings(spec)["faceting"] == {
        "maxValuesPerFacet": 25,
        "sortFacetValuesBy": {"*": "alpha", "genre": "count"},
    }
    limited = declare(
        fields=["title"],
        filterable=["genre"],
        faceting={"attributes": ["genre"], "max_values_per_facet": 5},
    )
    assert wire_settings(limited)["faceting"] == {"maxValuesPerFacet": 5}


def test_every_family_is_translated_to_the_wire_format() -> None:
    spec = declare(
        fields=["title", "author"],
        settings={
            "synonyms": {"sci_fi": ["science_fiction"], "Tolkien": ["J. R. R. Tolkien"]},
            "stop_words": ["the", "a"],
            "typo_tolerance": {
                "enabled": True,
                "min_word_size_for_typos": {"one_typo": 4, "two_typos": 8},
                "disable_on_words": ["snake_case_word"],
                "disable_on_attributes": ["author"],
                "disable_on_numbers": True,
            },
            "ranking_rules": [
                "words",
                "typo",
                "proximity",
                "attribute",
                "sort",
                "exactness",
                "title:asc",
            ],
            "distinct_attribute": "author",
            "searchable_attributes": ["author", "title"],
            "displayed_attributes": ["id", "title"],
            "pagination": {"max_total_hits": 2000},
            "proximity_precision": "by_attribute",
            "separator_tokens": ["|"],
            "non_separator_tokens": ["_"],
            "dictionary": ["C++"],
            "search_cutoff_ms": 200,
            "facet_search": False,
            "prefix_search": "indexing_time",
            "localized_attributes": [{"locales": ["jpn"], "attribute_patterns": ["*_ja"]}],
        },
    )
    assert wire_settings(spec) == {
        "searchableAttributes": ["author", "title"],
        "filterableAttributes": [],
        "sortableAttributes": [],
        "synonyms": {"sci_fi": ["science_fiction"], "Tolkien": ["J. R. R. Tolkien"]},
        "stopWords": ["the", "a"],
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8},
            "disableOnWords": ["snake_case_word"],
            "disableOnAttributes": ["author"],
            "disableOnNumbers": True,
        },
        "rankingRules": [
            "words",
            "typo",
            "proximity",
            "attribute",
            "sort",
            "exactness",
            "title:asc",
        ],
        "distinctAttribute": "author",
        "displayedAttributes": ["id", "title"],
        "pagination": {"maxTotalHits": 2000},
        "proximityPrecision": "byAttribute",
        "separatorTokens": ["|"],
        "nonSeparatorTokens": ["_"],
        "dictionary": ["C++"],
        "searchCutoffMs": 200,
        "facetSearch": False,
        "prefixSearch": "indexingTime",
        "localizedAttributes": [{"locales": ["jpn"], "attributePatterns": ["*_ja"]}],
    }


def test_camel_case_enum_spellings_reach_the_wire_unchanged() -> None:
    spec = declare(
        fields=["title"], settings={"proximity_precision": "byWord", "prefix_search": "disabled"}
    )
    wire = wire_settings(spec)
    assert (wire["proximityPrecision"], wire["prefixSearch"]) == ("byWord", "disabled")


def test_unknown_families_get_a_wire_name_and_an_untouched_value() -> None:
    spec = declare(
        fields=["title"], settings={"embedders": {"my_model": {"source": "user", "dimensions": 3}}}
    )
    assert wire_settings(spec)["embedders"] == {"my_model": {"source": "user", "dimensions": 3}}
    spec = declare(fields=["title"], settings={"foreign_keys": [{"field_name": "x"}]})
    assert wire_settings(spec)["foreignKeys"] == [{"field_name": "x"}]


def test_the_output_is_json_and_owned_by_the_caller() -> None:
    spec = declare(fields=["title"], settings={"stop_words": ["the"]})
    wire = wire_settings(spec)
    wire["stopWords"].append("a")
    wire["searchableAttributes"].append("author")
    assert wire_settings(spec)["stopWords"] == ["the"]
    assert wire_settings(spec)["searchableAttributes"] == ["title"]
    assert json.loads(json.dumps(wire)) == wire
