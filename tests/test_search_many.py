from __future__ import annotations

import json
from typing import Any

import pytest

from scrypath.config import Config
from scrypath.errors import (
    FilterError,
    HTTPError,
    IndexNotFoundError,
    SearchOptionError,
    TenantScopeError,
)
from scrypath.federated import SearchEntry, search_many
from scrypath.sync import sync_records
from tests.conftest import Models


@pytest.fixture
def library(models: Models, scrypath_config: Config) -> Models:
    with models.session() as session:
        authors = [
            models.Author(id=1, name="Tea Master", country="uk"),
            models.Author(id=2, name="Coffee Roaster", country="fr"),
        ]
        posts = [
            models.Post(id=1, title="tea leaves", status="published", tenant_id=1),
            models.Post(id=2, title="tea pot", status="archived", tenant_id=1),
            models.Post(id=3, title="coffee", status="published", tenant_id=2),
        ]
        session.add_all([*authors, *posts])
        session.commit()
    sync_records(authors)
    sync_records(posts)
    return models


def owners(result: Any) -> list[tuple[str, int]]:
    return [(type(record).__name__, record.id) for record in result.records]


def test_one_request_merges_hits_of_several_models(library: Models) -> None:
    with library.session() as session:
        result = search_many([library.Post, library.Author], text="tea", session=session)
    assert sorted(owners(result)) == [("Author", 1), ("Post", 1), ("Post", 2)]
    assert all("_federation" in hit for hit in result.hits)
    post, author = result.entries
    assert [hit["id"] for hit in author.hits] == [1]
    assert author.records is not None and author.records[0].name == "Tea Master"
    assert sorted(record.id for record in post.records or ()) == [1, 2]
    assert result.page.total_hits == 3


def test_weights_order_the_merged_hits(library: Models) -> None:
    with library.session() as session:
        heavy = search_many(
            [library.Post, SearchEntry(library.Author, weight=10.0)], text="tea", session=session
        )
        light = search_many(
            [library.Post, SearchEntry(library.Author, weight=0.01)], text="tea", session=session
        )
    assert owners(heavy)[0] == ("Author", 1)
    assert owners(light)[-1] == ("Author", 1)


def test_an_entry_option_wins_over_the_shared_one(library: Models) -> None:
    result = search_many(
        [library.Post, SearchEntry(library.Author, filter={})],
        filter={"status": "archived"},
    )
    post, author = result.entries
    assert [hit["id"] for hit in post.hits] == [2]
    assert sorted(hit["id"] for hit in author.hits) == [1, 2]


def test_shared_options_are_checked_against_every_entry(
    models: Models, offline_config: Config
) -> None:
    with pytest.raises(FilterError, match="not filterable on Author"):
        search_many([models.Post, models.Author], filter={"status": "archived"})


def test_hydration_costs_one_statement_per_model(library: Models) -> None:
    statements = library.database.count_statements()
    with library.session() as session:
        result = search_many(
            [library.Post, SearchEntry(library.Post, text="coffee"), library.Author],
            session=session,
        )
    assert len(result.records or ()) == 5
    assert len(statements) == 2


def test_without_a_session_nothing_is_loaded(library: Models) -> None:
    result = search_many([library.Post, library.Author])
    assert result.hydrated is False
    assert result.records is None
    assert all(entry.records is None for entry in result.entries)
    assert json.loads(json.dumps(result.to_json()))["hydrated"] is False


def test_facets_are_reported_per_entry(library: Models) -> None:
    result = search_many(
        [
            SearchEntry(library.Post, facets=["status"]),
            SearchEntry(library.Author, facets="country"),
        ]
    )
    post, author = result.entries
    assert {(b.value, b.count) for b in post.facets["status"].buckets} == {
        ("published", 2),
        ("archived", 1),
    }
    assert {(b.value, b.count) for b in author.facets["country"].buckets} == {
        ("uk", 1),
        ("fr", 1),
    }


def test_a_tenant_scope_applies_per_entry(library: Models) -> None:
    result = search_many([SearchEntry(library.Post, tenant_scope=2), library.Author])
    post, author = result.entries
    assert [hit["id"] for hit in post.hits] == [3]
    assert len(author.hits) == 2


def test_a_shared_tenant_scope_needs_every_model_scoped(
    models: Models, offline_config: Config
) -> None:
    with pytest.raises(TenantScopeError, match="Author declares no tenant_field"):
        search_many([models.Post, models.Author], tenant_scope=1)


def test_a_missing_index_fails_only_its_entry(
    library: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    gone = f"{scrypath_config.index_prefix}authors"
    meilisearch.client.wait_for_task(meilisearch.client.delete_index(gone).task_uid)
    with library.session() as session:
        result = search_many(
            [library.Author, SearchEntry(library.Post, facets=["status"])],
            text="tea",
            session=session,
        )
    author, post = result.entries
    assert isinstance(author.error, IndexNotFoundError)
    assert "search_many entry 0 (Author)" in str(author.error)
    assert author.error.context["index"] == gone
    assert (author.ok, author.hits, author.records) == (False, (), None)
    assert post.ok and sorted(hit["id"] for hit in post.hits) == [1, 2]
    assert post.facets["status"].buckets
    assert list(result.errors) == [0]
    assert result.to_json()["entries"][0]["error"]["reason"] == "index_not_found"


def test_settings_changed_behind_our_back_fail_only_that_entry(
    library: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    index = f"{scrypath_config.index_prefix}posts"
    task = meilisearch.client.index(index).update_filterable_attributes([])
    meilisearch.client.wait_for_task(task.task_uid)
    result = search_many(
        [library.Author, SearchEntry(library.Post, filter={"status": "published"})]
    )
    author, post = result.entries
    assert isinstance(post.error, HTTPError)
    assert post.error.code == "invalid_search_filter"
    assert "search_many entry 1 (Post)" in str(post.error)
    assert author.ok and len(author.hits) == 2


def test_when_every_entry_fails_the_first_error_is_raised(
    library: Models, scrypath_config: Config, meilisearch: Any
) -> None:
    for table in ("authors", "posts"):
        uid = f"{scrypath_config.index_prefix}{table}"
        meilisearch.client.wait_for_task(meilisearch.client.delete_index(uid).task_uid)
    with pytest.raises(IndexNotFoundError, match="entry 0 \\(Post\\)"):
        search_many([library.Post, library.Author])


def test_an_error_that_names_no_query_is_raised(library: Models, meilisearch_fake: Any) -> None:
    meilisearch_fake.faults.respond_next(1, status=503, route="/multi-search")
    with pytest.raises(HTTPError) as caught:
        search_many([library.Post, library.Author])
    assert caught.value.status == 503


def test_federated_pages_are_shared(library: Models) -> None:
    result = search_many([library.Post, library.Author], page=2, per_page=2)
    assert (result.page.number, result.page.size) == (2, 2)
    assert (result.page.total_hits, result.page.total_pages) == (5, 3)
    assert len(result.hits) == 2


@pytest.mark.parametrize(
    ("weights", "options", "option"),
    [
        ([], {}, "entries"),
        ([-1.0], {}, "weight"),
        ([float("inf")], {}, "weight"),
        ([None], {"per_page": 5000}, "per_page"),
        ([None], {"sort": ["body"]}, "sort"),
    ],
)
def test_invalid_requests_fail_before_any_request(
    models: Models, offline_config: Config, weights: list[Any], options: Any, option: str
) -> None:
    entries = [SearchEntry(models.Post, weight=weight) for weight in weights]
    with pytest.raises(SearchOptionError) as caught:
        search_many(entries, **options)
    assert caught.value.context["option"] == option


@pytest.mark.parametrize(
    ("entries", "options", "option"),
    [
        (5, {}, "entries"),
        ("Post", {}, "entries"),
        ("model", {}, "entries"),
        (["post"], {"load_options": [1]}, "load_options"),
        (["post"], {"load_options": "author"}, "load_options"),
        (["entry-options"], {}, "load_options"),
        (["wrong-model-options"], {}, "load_options"),
        (["post"], {"session": "db"}, "session"),
        (["post"], {"text": "t\udce9"}, "text"),
        (["big-weight"], {}, "weight"),
    ],
)
def test_bad_values_are_typed_errors_before_any_request(
    models: Models, offline_config: Config, entries: Any, options: Any, option: str
) -> None:
    from sqlalchemy.orm import selectinload

    named = {
        "post": models.Post,
        "entry-options": SearchEntry(models.Post, load_options=1),  # type: ignore[arg-type]
        "wrong-model-options": SearchEntry(
            models.Post, load_options=[selectinload(models.Author.posts)]
        ),
        "big-weight": SearchEntry(models.Post, weight=10**400),
    }
    if entries == "model":
        entries = models.Post
    elif isinstance(entries, list):
        entries = [named[name] for name in entries]
    with pytest.raises(SearchOptionError) as caught:
        search_many(entries, **options)
    assert caught.value.context["option"] == option
