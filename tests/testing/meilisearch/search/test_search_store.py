"""The document store: writes, reads, order, settings changes, filtered ids."""

from __future__ import annotations

from typing import Any

import pytest

from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search import DocumentStore


def test_upsert_adds_and_replaces_whole_documents() -> None:
    store = DocumentStore("id")
    assert store.upsert([{"id": 1, "a": 1, "b": 2}], merge=False) == 1
    store.upsert([{"id": 1, "a": 3}], merge=False)
    assert store.get("1") == {"id": 1, "a": 3}


def test_upsert_with_merge_updates_top_level_fields() -> None:
    store = DocumentStore("id")
    store.upsert([{"id": "x", "a": 1, "b": {"c": 1}}], merge=False)
    store.upsert([{"id": "x", "b": {"d": 2}}], merge=True)
    assert store.get("x") == {"id": "x", "a": 1, "b": {"d": 2}}


def test_ids_are_looked_up_as_strings_but_kept_as_given() -> None:
    store = DocumentStore("id")
    store.upsert([{"id": 7}], merge=False)
    found = store.get("7")
    assert found is not None and found["id"] == 7
    assert store.get("8") is None


def test_iteration_follows_first_insertion_even_after_replacement() -> None:
    store = DocumentStore("id")
    store.upsert([{"id": 2}, {"id": 1}, {"id": 3}], merge=False)
    store.upsert([{"id": 1, "v": True}], merge=False)
    assert [d["id"] for d in store] == [2, 1, 3]
    assert len(store) == 3


def test_delete_and_clear_count_what_they_removed() -> None:
    store = DocumentStore("id")
    store.upsert([{"id": i} for i in range(5)], merge=False)
    assert store.delete(["1", "2", "9"]) == 2
    assert [d["id"] for d in store] == [0, 3, 4]
    assert store.clear() == 3
    assert len(store) == 0


def test_deleted_documents_leave_the_indexes(settings: dict[str, Any]) -> None:
    settings["filterableAttributes"] = ["tag"]
    store = DocumentStore("id")
    store.reconfigure(settings)
    store.upsert([{"id": 1, "tag": "a"}, {"id": 2, "tag": "a"}], merge=False)
    store.delete(["1"])
    assert store.matching("tag = a", settings, error_code="invalid_document_filter") == ["2"]
    assert store.words.postings.get("a", {}).keys() == {1}


def test_field_distribution_counts_documents_per_top_level_field() -> None:
    store = DocumentStore("id")
    store.upsert([{"id": 1, "a": 1, "n": {"x": 1}}, {"id": 2, "a": None}], merge=False)
    assert store.field_distribution() == {"a": 2, "id": 2, "n": 1}


def test_reconfigure_indexes_newly_filterable_fields(settings: dict[str, Any]) -> None:
    store = DocumentStore("id")
    store.upsert([{"id": 1, "color": "Red"}, {"id": 2, "color": "blue"}], merge=False)
    settings["filterableAttributes"] = ["color"]
    store.reconfigure(settings)
    assert store.matching("color = red", settings, error_code="invalid_document_filter") == ["1"]


def test_reconfigure_retokenizes_on_separator_changes(settings: dict[str, Any]) -> None:
    store = DocumentStore("id")
    store.upsert([{"id": 1, "code": "abcXdef"}], merge=False)
    settings["separatorTokens"] = ["X"]
    store.reconfigure(settings)
    assert "def" in store.words.postings


def test_matching_returns_every_id_without_a_filter(settings: dict[str, Any]) -> None:
    store = DocumentStore("id")
    store.upsert([{"id": 3}, {"id": 1}], merge=False)
    assert store.matching(None, settings, error_code="invalid_document_filter") == ["3", "1"]


def test_matching_reports_unfilterable_attributes_with_the_given_code(
    settings: dict[str, Any],
) -> None:
    settings["filterableAttributes"] = ["b", "a"]
    store = DocumentStore("id")
    with pytest.raises(MeiliError) as caught:
        store.matching("c = 1", settings, error_code="invalid_document_filter", index_uid="docs")
    assert caught.value.code == "invalid_document_filter"
    assert caught.value.message == (
        "Index `docs`: Attribute `c` is not filterable. Available filterable attribute "
        "patterns are: `a`, `b`.\n1:2 c = 1"
    )


def test_matching_without_filterable_attributes_says_so(settings: dict[str, Any]) -> None:
    store = DocumentStore("id")
    with pytest.raises(MeiliError) as caught:
        store.matching("c = 1", settings, error_code="invalid_document_filter")
    assert "This index does not have configured filterable attributes." in caught.value.message
