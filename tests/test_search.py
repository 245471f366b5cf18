from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import scoped_session, selectinload

import scrypath.meilisearch
from scrypath.config import Config, configure
from scrypath.errors import (
    FilterError,
    IndexNotFoundError,
    SearchOptionError,
    TenantScopeError,
    TransportError,
)
from scrypath.searching import MAX_PER_PAGE, search, search_facet_values, search_within_facet
from scrypath.sync import sync_records
from tests.conftest import Models

POSTS = [
    # id, title, status, price, tenant
    (1, "green tea", "published", 4.0, 1),
    (2, "black tea", "published", 6.5, 1),
    (3, "tea pot", "archived", 30.0, 1),
    (4, "coffee beans", "published", 12.0, 1),
    (5, "oolong tea", "published", 9.0, 2),
    (6, "white tea", "review", 15.0, 2),
]


@pytest.fixture
def catalogue(models: Models, scrypath_config: Config) -> Models:
    with models.session() as session:
        session.add(models.Author(id=1, name="Ada"))
        posts = [
            models.Post(id=i, title=t, status=s, price=p, tenant_id=n, author_id=1)
            for i, t, s, p, n in POSTS
        ]
        session.add_all(posts)
        session.commit()
    sync_records(posts)
    return models


def ids(result: Any) -> list[int]:
    return [record.id for record in result.records]


def test_records_follow_hit_order(catalogue: Models) -> None:
    with catalogue.session() as session:
        result = search(catalogue.Post, sort=["-price"], session=session)
    assert result.hydrated is True
    assert ids(result) == [3, 6, 4, 5, 2, 1]
    assert list(result.ids) == [3, 6, 4, 5, 2, 1]
    assert [hit["id"] for hit in result.hits] == [3, 6, 4, 5, 2, 1]


def test_pages_carry_exact_totals(catalogue: Models) -> None:
    result = search(catalogue.Post, sort=["price"], page=2, per_page=4)
    assert (result.page.number, result.page.size) == (2, 4)
    assert (result.page.total_hits, result.page.total_pages) == (6, 2)
    assert [hit["id"] for hit in result.hits] == [6, 3]


def test_facets_come_back_as_buckets_and_stats(catalogue: Models) -> None:
    result = search(catalogue.Post, facets=["status", "price"])
    status = result.facets["status"]
    assert {(b.value, b.count) for b in status.buckets} == {
        ("published", 4),
        ("archived", 1),
        ("review", 1),
    }
    price = result.facets["price"].stats
    assert price is not None and (price.min, price.max) == (4.0, 30.0)
    assert result.to_json()["facets"]["status"]["name"] == "status"


def test_hits_without_a_row_are_missing_ids(catalogue: Models) -> None:
    with catalogue.session() as session:
        session.delete(session.get(catalogue.Post, 2))
        session.commit()
        result = search(catalogue.Post, sort=["price"], session=session)
    assert ids(result) == [1, 5, 4, 6, 3]
    assert result.missing_ids == (2,)


def test_a_failed_hydration_read_is_a_database_error_without_sql(catalogue: Models) -> None:
    from scrypath.errors import DatabaseError

    catalogue.Post.__table__.drop(catalogue.database.engine)
    with catalogue.session() as session, pytest.raises(DatabaseError) as info:
        search(catalogue.Post, "tea", session=session)
    assert info.value.reason == "database"
    assert info.value.context["operation"] == "hydrate"
    assert "[SQL" not in str(info.value) and "SELECT" not in str(info.value)


def test_without_a_session_nothing_is_loaded(catalogue: Models) -> None:
    result = search(catalogue.Post, "tea")
    assert result.hydrated is False
    assert result.records is None
    assert result.missing_ids == ()
    assert len(result.hits) == 5


def test_a_configured_session_factory_hydrates(catalogue: Models) -> None:
    configure(session_factory=catalogue.database.sessions)
    result = search(catalogue.Post, "coffee", load_options=[selectinload(catalogue.Post.author)])
    assert ids(result) == [4]
    assert result.records is not None and result.records[0].author.name == "Ada"


@pytest.mark.parametrize("per_page", [1, 6])
def test_a_hydrated_search_costs_one_sql_statement(catalogue: Models, per_page: int) -> None:
    statements = catalogue.database.count_statements()
    with catalogue.session() as session:
        result = search(catalogue.Post, per_page=per_page, session=session)
    assert len(result.records or ()) == per_page
    assert len(statements) == 1


def test_filters_and_facet_selections_narrow_the_hits(catalogue: Models) -> None:
    result = search(
        catalogue.Post,
        "tea",
        filter={"price": {"lt": 20}},
        facet_filter={"status": ["published", "review"]},
    )
    assert sorted(result.ids) == [1, 2, 5, 6]
    assert result.raw["hits"] == list(result.hits)


def test_search_within_a_facet_value(catalogue: Models) -> None:
    result = search_within_facet(catalogue.Post, "status", "published", sort=["price"])
    assert list(result.ids) == [1, 2, 5, 4]
    assert sorted(search_within_facet(catalogue.Post, "status", "published", "tea").ids) == [
        1,
        2,
        5,
    ]


def test_facet_values_can_be_searched(catalogue: Models) -> None:
    buckets = search_facet_values(catalogue.Post, "status", "pub")
    assert [(b.value, b.count) for b in buckets] == [("published", 4)]
    narrowed = search_facet_values(catalogue.Post, "status", "", filter={"price": {"gt": 10}})
    assert {(b.value, b.count) for b in narrowed} == {
        ("archived", 1),
        ("published", 1),
        ("review", 1),
    }


def test_a_tenant_scope_keeps_other_tenants_out(catalogue: Models) -> None:
    result = search(catalogue.Post, "tea", tenant_scope=2)
    assert sorted(result.ids) == [5, 6]
    assert result.raw["hits"] and all(hit["tenant_id"] == 2 for hit in result.hits)
    scoped_facets = search_facet_values(catalogue.Post, "status", tenant_scope=1)
    assert {b.value for b in scoped_facets} == {"published", "archived"}


@pytest.mark.parametrize(
    "user_filter",
    [
        {"tenant_id": 2},
        {"or": [{"status": "published"}, {"tenant_id": {"ne": 1}}]},
        {"not": {"tenant_id": 1}},
        {"tenant_id": {"exists": True}},
    ],
)
def test_a_filter_cannot_touch_the_tenant_scope(
    models: Models, offline_config: Config, user_filter: dict[str, Any]
) -> None:
    with pytest.raises(TenantScopeError, match="tenant field 'tenant_id'") as caught:
        search(models.Post, filter=user_filter, tenant_scope=1)
    assert caught.value.reason == "tenant_scope_violation"


def test_the_tenant_field_is_an_ordinary_filter_without_a_scope(catalogue: Models) -> None:
    assert sorted(search(catalogue.Post, filter={"tenant_id": 2}).ids) == [5, 6]


@pytest.mark.parametrize("scope", [[1, 2], {"ne": 1}, True, (1,)])
def test_a_tenant_scope_is_one_value(models: Models, offline_config: Config, scope: Any) -> None:
    with pytest.raises(TenantScopeError, match="one tenant value"):
        search(models.Post, tenant_scope=scope)


def test_a_tenant_scope_needs_a_tenant_field(models: Models, offline_config: Config) -> None:
    with pytest.raises(TenantScopeError, match="declares no tenant_field"):
        search(models.Author, tenant_scope=1)


@pytest.mark.parametrize(
    ("options", "error", "option"),
    [
        ({"filter": {"title": "x"}}, FilterError, "filter"),
        ({"filter": "status = x"}, FilterError, "filter"),
        ({"sort": ["body"]}, SearchOptionError, "sort"),
        ({"facets": ["title"]}, SearchOptionError, "facets"),
        ({"facet_filter": {"author_id": 1}}, SearchOptionError, "facet_filter"),
        ({"facet_filter": "status"}, SearchOptionError, "facet_filter"),
        ({"facet_filter": {"status": {"bogus": 1}}}, FilterError, "facet_filter"),
        ({"page": 0}, SearchOptionError, "page"),
        ({"page": True}, SearchOptionError, "page"),
        ({"per_page": 0}, SearchOptionError, "per_page"),
        ({"per_page": MAX_PER_PAGE + 1}, SearchOptionError, "per_page"),
        ({"per_page": "20"}, SearchOptionError, "per_page"),
    ],
)
def test_invalid_options_fail_before_any_request(
    models: Models, offline_config: Config, options: dict[str, Any], error: type, option: str
) -> None:
    with pytest.raises(error) as caught:
        search(models.Post, **options)
    assert caught.value.context["option"] == option


def test_text_must_be_a_string(models: Models, offline_config: Config) -> None:
    with pytest.raises(SearchOptionError) as caught:
        search(models.Post, 42)  # type: ignore[arg-type]
    assert caught.value.context["option"] == "text"


def test_the_page_size_cap_is_named(models: Models, offline_config: Config) -> None:
    with pytest.raises(SearchOptionError, match=f"maximum of {MAX_PER_PAGE}"):
        search(models.Post, per_page=MAX_PER_PAGE + 1)


def test_facet_searches_check_their_facet_first(models: Models, offline_config: Config) -> None:
    with pytest.raises(SearchOptionError, match="not a facet of Post"):
        search_facet_values(models.Post, "title")
    with pytest.raises(SearchOptionError, match="one facet value"):
        search_within_facet(models.Post, "status", ["a", "b"])
    with pytest.raises(SearchOptionError, match="not a facet of Post"):
        search_within_facet(models.Post, "title", "a")


def test_a_missing_index_is_reported(models: Models, scrypath_config: Config) -> None:
    with pytest.raises(IndexNotFoundError) as caught:
        search(models.Post)
    assert caught.value.context["model"] == "Post"


def test_raw_search_passes_native_parameters_through(catalogue: Models) -> None:
    answer = scrypath.meilisearch.search(
        catalogue.Post, {"q": "tea", "filter": "status = archived", "attributesToRetrieve": ["id"]}
    )
    assert answer["hits"] == [{"id": 3}]
    index = search(catalogue.Post).index
    assert scrypath.meilisearch.search(index, {"limit": 1})["limit"] == 1


def test_raw_params_that_json_cannot_carry_are_an_encoding_error(catalogue: Models) -> None:
    from scrypath.errors import EncodingError

    with pytest.raises(EncodingError) as info:
        scrypath.meilisearch.search(
            catalogue.Post, {"q": "tea", "rankingScoreThreshold": float("nan")}
        )
    assert info.value.context["operation"] == "search"


LONE = "t\udce9a"


@pytest.mark.parametrize(
    ("call", "error", "option"),
    [
        (lambda m: search(m.Post, LONE), SearchOptionError, "text"),
        (lambda m: search(m.Post, filter={"status": LONE}), FilterError, "filter"),
        (lambda m: search(m.Post, filter={"status": {"in": ["a", LONE]}}), FilterError, "filter"),
        (lambda m: search(m.Post, facet_filter={"status": LONE}), FilterError, "facet_filter"),
        (lambda m: search(m.Post, tenant_scope=LONE), FilterError, "tenant_scope"),
        (lambda m: search_within_facet(m.Post, "status", LONE), FilterError, "facet_filter"),
        (lambda m: search_facet_values(m.Post, "status", LONE), SearchOptionError, "query"),
        (lambda m: search_facet_values(m.Post, "status", text=LONE), SearchOptionError, "text"),
        (lambda m: search(m.Post, filter={"price": 10**400}), FilterError, "filter"),
        (lambda m: search(m.Post, filter={"price": 10**5000}), FilterError, "filter"),
        (lambda m: search(m.Post, page=10**5000 * -1), SearchOptionError, "page"),
        (lambda m: search(m.Post, per_page=10**5000), SearchOptionError, "per_page"),
        (lambda m: search(m.Post, load_options=[1]), SearchOptionError, "load_options"),
        (lambda m: search(m.Post, load_options=1), SearchOptionError, "load_options"),
        (lambda m: search(m.Post, session="db"), SearchOptionError, "session"),
        (lambda m: search_within_facet(m.Post, ["status"], "a"), SearchOptionError, "facet"),
        (lambda m: search_within_facet(m.Post, "status", object()), FilterError, "facet_filter"),
        (lambda m: search(m.Post, facets=[10**5000]), SearchOptionError, "facets"),
    ],
)
def test_bad_values_are_typed_errors_before_any_request(
    models: Models, offline_config: Config, call: Any, error: type, option: str
) -> None:
    with pytest.raises(error) as caught:
        call(models)
    assert caught.value.context["option"] == option
    assert str(caught.value).encode("utf-8")


def test_a_loader_option_for_another_model_fails_before_any_request(
    models: Models, offline_config: Config
) -> None:
    wrong = selectinload(models.Author.posts)
    for session in (None, models.session()):
        with pytest.raises(SearchOptionError, match="does not apply to Post") as caught:
            search(models.Post, load_options=[wrong], session=session)
        assert caught.value.context["option"] == "load_options"


def test_a_scoped_session_hydrates(catalogue: Models) -> None:
    sessions = scoped_session(catalogue.database.sessions)
    try:
        result = search(catalogue.Post, "coffee", session=sessions)
    finally:
        sessions.remove()
    assert ids(result) == [4]


ANYTHING = st.recursive(
    st.one_of(st.none(), st.integers(), st.text(max_size=4), st.builds(object)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(), inner)),
    max_leaves=5,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=ANYTHING)
def test_arbitrary_load_options_fail_as_a_search_option_error_or_reach_the_request(
    models: Models, offline_config: Config, options: Any
) -> None:
    with pytest.raises((SearchOptionError, TransportError)) as caught:
        search(models.Post, load_options=options)
    if isinstance(caught.value, SearchOptionError):
        assert caught.value.context["option"] == "load_options"
    else:  # only "no options" is valid, and then the request is what fails (nothing listens)
        assert options in (None, [])


# st.text() never draws surrogates, whatever its alphabet: join characters instead
TEXT = st.lists(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=8).map(
    "".join
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, value=TEXT)
def test_text_and_filter_strings_with_lone_surrogates_never_reach_the_request(
    models: Models, offline_config: Config, text: str, value: str
) -> None:
    broken = any(0xD800 <= ord(char) <= 0xDFFF for char in text + value)
    with pytest.raises((SearchOptionError, TransportError)) as caught:
        search(models.Post, text, filter={"status": value})
    assert isinstance(caught.value, SearchOptionError) == broken


def test_a_lone_surrogate_in_raw_params_keeps_the_calls_context(catalogue: Models) -> None:
    from scrypath.errors import EncodingError

    with pytest.raises(EncodingError) as info:
        scrypath.meilisearch.search(catalogue.Post, {"q": "tea\ud800"})
    assert info.value.context["operation"] == "search"
    assert info.value.context["index"] == search(catalogue.Post).index
