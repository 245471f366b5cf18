"""An in-memory index for engine tests: a store, complete settings, and shortcuts."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from scrypath.testing.meilisearch.search import DocumentStore, facet_search, search
from scrypath.testing.meilisearch.settings import default_settings


class Index:
    """One index of the engine, driven the way the routes drive it."""

    uid = "books"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.store = DocumentStore("id")
        self.store.reconfigure(settings)

    def add(self, *documents: dict[str, Any]) -> Index:
        self.store.upsert(list(documents), merge=False)
        return self

    def configure(self, **changes: Any) -> Index:
        self.settings.update(changes)
        self.store.reconfigure(self.settings)
        return self

    def search(self, **params: Any) -> dict[str, Any]:
        return search(self.store, self.settings, params, index_uid=self.uid)

    def ids(self, **params: Any) -> list[Any]:
        return [hit["id"] for hit in self.search(**params)["hits"]]

    def facet_search(self, **params: Any) -> dict[str, Any]:
        return facet_search(self.store, self.settings, params, index_uid=self.uid)


@pytest.fixture
def settings() -> dict[str, Any]:
    """The complete settings of a fresh index."""
    return default_settings()


@pytest.fixture
def index(settings: dict[str, Any]) -> Index:
    return Index(settings)


@pytest.fixture
def make_index() -> Callable[..., Index]:
    """Build an index from documents and settings changes."""

    def build(*documents: dict[str, Any], **changes: Any) -> Index:
        return Index(default_settings()).configure(**changes).add(*documents)

    return build


BOOKS = [
    {
        "id": 1,
        "title": "Pride and Prejudice",
        "author": {"name": "Jane Austen"},
        "genres": ["romance", "classic"],
        "year": 1813,
        "price": 9.5,
    },
    {
        "id": 2,
        "title": "Le Petit Prince",
        "author": {"name": "Antoine de Saint-Exupéry"},
        "genres": ["fable"],
        "year": 1943,
        "price": 7,
    },
    {
        "id": 3,
        "title": "Harry Potter and the Half-Blood Prince",
        "author": {"name": "J. K. Rowling"},
        "genres": ["fantasy"],
        "year": 2005,
        "price": 12,
    },
    {
        "id": 4,
        "title": "The Hobbit",
        "author": {"name": "J. R. R. Tolkien"},
        "genres": ["fantasy", "classic"],
        "year": 1937,
        "price": 10,
    },
    {
        "id": 5,
        "title": "Émile ou De l'éducation",
        "author": {"name": "Jean-Jacques Rousseau"},
        "genres": ["essay"],
        "year": 1762,
        "price": None,
    },
]


@pytest.fixture
def books() -> list[dict[str, Any]]:
    return copy.deepcopy(BOOKS)
