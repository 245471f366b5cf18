from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import ForeignKey, func, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship

from scrypath.config import configure, reset_configuration
from scrypath.declaration import (
    Faceting,
    SearchSpec,
    describe,
    is_searchable,
    registry,
    searchable,
    spec_for,
)
from scrypath.errors import (
    ConfigurationError,
    DeclarationError,
    NotSearchableError,
    ScrypathWarning,
)

COLUMNS = ("id", "title", "body", "status", "tenant_id", "published_at", "rating", "author_id")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SCRYPATH_INDEX_PREFIX", raising=False)
    reset_configuration()
    with registry.isolated(empty=True):
        yield
    reset_configuration()


def make_post(table: str = "posts") -> type[Any]:
    """A fresh mapped model (own metadata) with every kind of attribute a test needs."""

    class Base(DeclarativeBase):
        pass

    class Author(Base):
        __tablename__ = "authors"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]

    class Post(Base):
        __tablename__ = table
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column()
        body: Mapped[str]
        status: Mapped[str]
        tenant_id: Mapped[int]
        published_at: Mapped[dt.datetime]
        rating: Mapped[float]
        author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
        author: Mapped[Author] = relationship()
        title_length = column_property(func.length(title))

        @hybrid_property
        def slug(self) -> str:
            return self.title.lower()

        @property
        def summary(self) -> str:
            return self.body[:10]

        @functools.cached_property
        def word_count(self) -> int:
            return len(self.body.split())

        def shout(self) -> str:
            return self.title.upper()

    return Post


def make_pair() -> type[Any]:
    class Base(DeclarativeBase):
        pass

    class Membership(Base):
        __tablename__ = "memberships"
        user_id: Mapped[int] = mapped_column(primary_key=True)
        group_id: Mapped[int] = mapped_column(primary_key=True)
        key: Mapped[str]

    return Membership


def declare(model: type[Any], **options: Any) -> SearchSpec:
    options.setdefault("fields", ["title"])
    searchable(**options)(model)
    return spec_for(model)


def test_a_declared_model_gets_a_frozen_spec() -> None:
    post = make_post()
    spec = declare(post, fields=["title", "body"], filterable=["status"], sortable=["rating"])
    assert spec.model is post
    assert spec.fields == ("title", "body")
    assert spec.document_id == "id"
    assert spec.table == "posts"
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.fields = ()  # type: ignore[misc]
    assert hash(spec) == hash(spec_for(post))


def test_the_decorator_returns_the_class_unchanged() -> None:
    post = make_post()
    assert searchable(fields=["title"])(post) is post


def test_filterable_sortable_facet_and_tenant_fields_are_always_projected() -> None:
    spec = declare(
        make_post(),
        fields=["title"],
        filterable=["status", "author_id"],
        sortable=["rating"],
        faceting={"attributes": ["status"]},
        tenant_field="tenant_id",
    )
    assert spec.projected_fields == ("title", "status", "author_id", "rating", "tenant_id")
    assert spec.filter_attributes == ("author_id", "status", "tenant_id")
    assert spec.facets == ("status",)


def test_columns_column_properties_hybrids_and_properties_are_accepted() -> None:
    spec = declare(make_post(), fields=["title", "title_length", "slug", "summary", "word_count"])
    assert spec.fields == ("title", "title_length", "slug", "summary", "word_count")


def test_decoration_does_not_configure_the_mappers() -> None:
    class Base(DeclarativeBase):
        pass

    class Comment(Base):
        __tablename__ = "comments"
        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str]
        thread_id: Mapped[int]
        thread = relationship("ThreadDefinedLater")

    spec = declare(Comment, fields=["text"])
    assert spec.fields == ("text",)


@pytest.mark.parametrize(
    ("options", "option", "fragment"),
    [
        ({"fields": []}, "fields", "at least one field"),
        ({"fields": "title"}, "fields", "list of attribute names"),
        ({"fields": ["titel"]}, "fields", "did you mean 'title'"),
        ({"fields": ["author"]}, "fields", "is a relationship"),
        ({"fields": ["shout"]}, "fields", "not a mapped column or a property"),
        ({"fields": ["*"]}, "fields", "wildcards"),
        ({"fields": ["title", "title"]}, "fields", "listed twice"),
        ({"fields": [3]}, "fields", "must be strings"),
        ({"filterable": ["title*"]}, "filterable", "wildcards"),
        ({"filterable": ["nope"]}, "filterable", "not an attribute"),
        ({"sortable": ["rating", "rating"]}, "sortable", "listed twice"),
        ({"tenant_field": 5}, "tenant_field", "attribute name"),
        ({"document_id": "nope"}, "document_id", "not an attribute"),
        ({"faceting": {"attributes": ["status"]}}, "faceting.attributes", "filterable"),
        ({"faceting": {"attrs": ["status"]}}, "faceting", "unknown key 'attrs'"),
        ({"faceting": "status"}, "faceting", "Faceting(...)"),
        (
            {
                "filterable": ["status"],
                "faceting": {"attributes": ["status"], "max_values_per_facet": 0},
            },
            "faceting.max_values_per_facet",
            ">= 1",
        ),
        (
            {
                "filterable": ["status"],
                "faceting": {"attributes": ["status"], "sort_facet_values_by": {"*": "size"}},
            },
            "faceting.sort_facet_values_by",
            "'alpha' or 'count'",
        ),
        (
            {
                "filterable": ["status", "rating"],
                "faceting": {"attributes": ["status"], "sort_facet_values_by": {"rating": "count"}},
            },
            "faceting.sort_facet_values_by",
            "not a declared facet",
        ),
        ({"should_index": True}, "should_index", "callable"),
        ({"search_document": "doc"}, "search_document", "callable"),
        ({"index": "posts", "index_prefix": "app_"}, "index", "not both"),
        ({"index": "bad name"}, "index", "uid rule"),
        ({"index": "x" * 401}, "index", "uid rule"),
        ({"index_prefix": "a.b"}, "index_prefix", "uid rule"),
        ({"index_prefix": "x" * 396}, "index_prefix", "uid rule"),
        ({"settings": ["stop_words"]}, "settings", "mapping"),
        ({"settings": {"stopWords": ["a"]}}, "settings.stopWords", "'stop_words'"),
        (
            {"settings": {"filterable_attributes": ["status"]}},
            "settings.filterable_attributes",
            "filterable= option",
        ),
        ({"settings": {"faceting": {}}}, "settings.faceting", "faceting= option"),
        ({"settings": {"stop_words": None}}, "settings.stop_words", "leave the family out"),
        (
            {"settings": {"ranking_rules": ["words", "relevance"]}},
            "settings.ranking_rules",
            "not a ranking rule",
        ),
        (
            {"settings": {"ranking_rules": ["words", "words"]}},
            "settings.ranking_rules",
            "listed twice",
        ),
        (
            {"settings": {"ranking_rules": ["rating:asc"]}},
            "settings.ranking_rules",
            "not a projected field",
        ),
        (
            {"settings": {"searchable_attributes": ["*"]}},
            "settings.searchable_attributes",
            "wildcards",
        ),
        (
            {"settings": {"searchable_attributes": ["body"]}},
            "settings.searchable_attributes",
            "not a projected field",
        ),
        (
            {"settings": {"displayed_attributes": ["title"]}},
            "settings.displayed_attributes",
            "document id 'id'",
        ),
        (
            {"settings": {"distinct_attribute": "body"}},
            "settings.distinct_attribute",
            "not a projected field",
        ),
        (
            {
                "settings": {
                    "typo_tolerance": {"min_word_size_for_typos": {"one_typo": 9, "two_typos": 5}}
                }
            },
            "settings.typo_tolerance.min_word_size_for_typos",
            "must not exceed",
        ),
        (
            {"settings": {"typo_tolerance": {"enabled": "yes"}}},
            "settings.typo_tolerance.enabled",
            "true or false",
        ),
        (
            {"settings": {"typo_tolerance": {"minWordSizeForTypos": {}}}},
            "settings.typo_tolerance",
            "unknown key",
        ),
        (
            {"settings": {"pagination": {"max_total_hits": 0}}},
            "settings.pagination.max_total_hits",
            ">= 1",
        ),
        (
            {"settings": {"proximity_precision": "exact"}},
            "settings.proximity_precision",
            "by_attribute, by_word",
        ),
        ({"settings": {"prefix_search": True}}, "settings.prefix_search", "one of"),
        ({"settings": {"search_cutoff_ms": 1.5}}, "settings.search_cutoff_ms", "whole number"),
        (
            {"settings": {"synonyms": {"phone": "iphone"}}},
            "settings.synonyms.phone",
            "list of strings",
        ),
        (
            {"settings": {"localized_attributes": [{"locales": ["jpn"]}]}},
            "settings.localized_attributes[0]",
            "attribute_patterns is required",
        ),
        ({"settings": {"custom_family": {1: "x"}}}, "settings.custom_family", "keys must be"),
    ],
)
def test_invalid_declarations_name_the_model_and_option(
    options: dict[str, Any], option: str, fragment: str
) -> None:
    with pytest.raises(DeclarationError) as caught:
        declare(make_post(), **options)
    error = caught.value
    assert error.context == {"model": "Post", "option": option}
    assert fragment in str(error)
    assert str(error).startswith(f"Post: {option}: ")


def test_a_composite_primary_key_needs_a_document_id() -> None:
    with pytest.raises(DeclarationError, match="primary key has 2 columns"):
        declare(make_pair(), fields=["key"])


def test_a_composite_primary_key_with_a_document_id_is_fine() -> None:
    assert declare(make_pair(), fields=["key"], document_id="key").document_id == "key"


def test_an_unmapped_class_is_refused() -> None:
    class Plain:
        title = "x"

    with pytest.raises(DeclarationError, match="mapped SQLAlchemy declarative class"):
        searchable(fields=["title"])(Plain)


def test_two_models_cannot_claim_one_index() -> None:
    declare(make_post())
    with pytest.raises(DeclarationError, match="already used by Post") as caught:
        declare(make_post())
    assert "earlier definition of the same class" in str(caught.value)


def test_an_explicit_index_clashes_with_a_prefixed_one() -> None:
    declare(make_post("posts"), index_prefix="app_")
    with pytest.raises(DeclarationError, match="'app_posts' is already used"):
        declare(make_post("articles"), index="app_posts")


def test_redeclaring_the_same_class_replaces_its_spec() -> None:
    post = make_post()
    declare(post, fields=["title"])
    assert declare(post, fields=["body"]).fields == ("body",)
    assert len(registry.specs()) == 1


def test_unregister_and_isolated_blocks_forget_models() -> None:
    post = make_post()
    with registry.isolated():
        declare(post)
        assert is_searchable(post)
    assert not is_searchable(post)
    declare(post)
    registry.unregister(post)
    assert not is_searchable(post)


def test_spec_for_an_undeclared_model_raises_not_searchable() -> None:
    post = make_post()
    with pytest.raises(NotSearchableError) as caught:
        spec_for(post)
    assert caught.value.context["model"] == "Post"
    assert "@searchable" in str(caught.value)


def test_spec_for_accepts_a_record_and_a_subclass() -> None:
    post = make_post()
    spec = declare(post)
    record = post(id=1, title="t")
    assert spec_for(record) is spec

    class FeaturedPost(post):  # type: ignore[misc, valid-type]
        pass

    assert spec_for(FeaturedPost) is spec


def test_index_name_resolution_order(monkeypatch: pytest.MonkeyPatch) -> None:
    notes = make_post("notes")
    declare(notes)
    assert describe(notes)["index"] == "notes"
    monkeypatch.setenv("SCRYPATH_INDEX_PREFIX", "test_")
    assert describe(notes)["index"] == "test_notes"
    configure(index_prefix="cfg_")
    assert describe(notes)["index"] == "cfg_notes"
    assert declare(make_post("drafts"), index_prefix="own_").index_name("test_") == "own_drafts"
    assert declare(make_post("pages"), index="Pages-v2").index_name("test_") == "Pages-v2"


def test_a_config_prefix_that_breaks_the_uid_rule_is_a_configuration_error() -> None:
    spec = declare(make_post("p" * 390))
    with pytest.raises(ConfigurationError, match="uid rule"):
        spec.index_name("x" * 20)


def test_index_names_resolves_every_model_and_finds_late_clashes() -> None:
    declare(make_post("posts"))
    declare(make_post("articles"), index="test_posts")
    assert set(registry.index_names()) == {"posts", "test_posts"}
    with pytest.raises(DeclarationError, match="'test_posts' is also used"):
        registry.index_names("test_")


def test_describe_returns_plain_json_data() -> None:
    post = make_post()
    declare(
        post,
        fields=["title", "body"],
        filterable=["status", "tenant_id"],
        sortable=["published_at"],
        faceting=Faceting(
            attributes=["status"], max_values_per_facet=20, sort_facet_values_by={"status": "count"}
        ),
        settings={"stop_words": ["the"], "typo_tolerance": {"disable_on_attributes": ["body"]}},
        tenant_field="tenant_id",
        should_index=lambda record: True,
    )
    described = describe(post, index_prefix="app_")
    assert described == {
        "model": "Post",
        "table": "posts",
        "index": "app_posts",
        "document_id": "id",
        "fields": ["title", "body"],
        "projected_fields": ["title", "body", "status", "tenant_id", "published_at"],
        "filterable": ["status", "tenant_id"],
        "sortable": ["published_at"],
        "faceting": {
            "attributes": ["status"],
            "max_values_per_facet": 20,
            "sort_facet_values_by": {"status": "count"},
        },
        "settings": {"stop_words": ["the"], "typo_tolerance": {"disable_on_attributes": ["body"]}},
        "tenant_field": "tenant_id",
        "hooks": {"should_index": True, "search_document": False},
    }
    assert json.loads(json.dumps(described)) == described


def test_declared_settings_cannot_be_mutated_afterwards() -> None:
    source: dict[str, Any] = {"synonyms": {"phone": ["mobile"]}, "stop_words": ["the"]}
    spec = declare(make_post(), settings=source)
    source["stop_words"].append("a")
    assert spec.settings["stop_words"] == ("the",)
    with pytest.raises(TypeError):
        spec.settings["synonyms"]["tv"] = ["television"]


def test_faceting_shorthand_sorts_every_facet() -> None:
    spec = declare(
        make_post(),
        filterable=["status"],
        faceting={"attributes": ["status"], "sort_facet_values_by": "count"},
    )
    assert spec.faceting is not None
    assert dict(spec.faceting.sort_facet_values_by or {}) == {"*": "count"}


def test_an_unknown_settings_family_passes_through_with_a_warning() -> None:
    post = make_post()
    with pytest.warns(ScrypathWarning, match="'embedders' is not known") as caught:
        searchable(fields=["title"], settings={"embedders": {"default": {"source": "user"}}})(post)
    assert caught[0].filename == __file__
    assert dict(spec_for(post).settings["embedders"]["default"]) == {"source": "user"}


def test_known_families_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        declare(
            make_post(),
            fields=["title", "body"],
            settings={
                "synonyms": {"phone": ["mobile"]},
                "stop_words": ["the"],
                "typo_tolerance": {"enabled": True, "disable_on_numbers": True},
                "ranking_rules": ["words", "typo", "attributeRank", "wordPosition", "body:desc"],
                "distinct_attribute": "title",
                "searchable_attributes": ["body", "title"],
                "displayed_attributes": ["id", "title"],
                "pagination": {"max_total_hits": 5000},
                "proximity_precision": "byAttribute",
                "separator_tokens": ["|"],
                "non_separator_tokens": ["@"],
                "dictionary": ["J. R. R."],
                "search_cutoff_ms": 150,
                "facet_search": False,
                "prefix_search": "indexingTime",
                "localized_attributes": [{"locales": ["jpn"], "attribute_patterns": ["*_ja"]}],
            },
        )


OPTION_NAMES = (
    "fields",
    "filterable",
    "sortable",
    "faceting",
    "settings",
    "document_id",
    "index",
    "index_prefix",
    "tenant_field",
    "should_index",
    "search_document",
)
NAMES = st.sampled_from([*COLUMNS, "slug", "summary", "author", "shout", "nope", "*", "", "a.b"])
ATOMS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    NAMES,
    st.just(print),
    st.just(Faceting(attributes=["status"])),
)
VALUES = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(
            st.one_of(
                NAMES,
                st.sampled_from(
                    [
                        "attributes",
                        "stop_words",
                        "typo_tolerance",
                        "ranking_rules",
                        "synonyms",
                        "max_values_per_facet",
                        "sort_facet_values_by",
                        "pagination",
                    ]
                ),
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=st.dictionaries(st.sampled_from(OPTION_NAMES), VALUES, max_size=5))
def test_arbitrary_option_values_only_ever_raise_declaration_error(
    options: dict[str, Any],
) -> None:
    post = make_post()
    options.setdefault("fields", ["title"])
    with registry.isolated(), warnings.catch_warnings():
        warnings.simplefilter("ignore", ScrypathWarning)
        try:
            searchable(**options)(post)
        except DeclarationError as error:
            assert error.context["model"] == "Post"
            assert isinstance(error.context["option"], str)
        else:
            json.dumps(describe(post, index_prefix=""))


VALID = st.sampled_from(["title", "body", "status", "tenant_id", "rating", "slug", "summary"])


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.lists(VALID, min_size=1, unique=True),
    filterable=st.lists(VALID, unique=True),
    sortable=st.lists(VALID, unique=True),
)
def test_valid_names_declare_and_are_all_projected(
    fields: list[str], filterable: list[str], sortable: list[str]
) -> None:
    post = make_post()
    with registry.isolated():
        spec = declare(post, fields=fields, filterable=filterable, sortable=sortable)
        assert set(spec.projected_fields) == {*fields, *filterable, *sortable}
        assert spec.projected_fields[: len(fields)] == tuple(fields)


def test_document_id_may_name_another_unique_attribute() -> None:
    spec = declare(make_post(), document_id="slug")
    assert spec.document_id == "slug"


def test_select_on_a_declared_model_still_works() -> None:
    post = make_post()
    declare(post)
    assert "FROM posts" in str(select(post))
