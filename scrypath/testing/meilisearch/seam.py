"""The seam to the search engine package: what the server needs from a document store.

The server depends on this protocol, not on the engine's classes, and loads the engine
lazily so that the two layers stay independent.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol, cast


class Store(Protocol):
    """An index's documents and the structures that search them."""

    primary_key: str

    @property
    def lock(self) -> AbstractContextManager[Any]:
        """Re-entrant; held by readers and by the task that writes the store."""
        ...

    def upsert(self, documents: list[dict[str, Any]], *, merge: bool) -> int: ...

    def delete(self, ids: Iterable[str]) -> int: ...

    def clear(self) -> int: ...

    def get(self, doc_id: str) -> dict[str, Any] | None: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[dict[str, Any]]: ...

    def field_distribution(self) -> dict[str, int]: ...

    def reconfigure(self, settings: dict[str, Any]) -> None: ...

    def matching(
        self, filter_expr: Any, settings: dict[str, Any], *, error_code: str
    ) -> list[str]: ...


StoreFactory = Callable[[str], Store]


def engine_module() -> Any:
    """The search engine package (imported on first use)."""
    return importlib.import_module(".search", __package__)


def default_store_factory() -> StoreFactory:
    return cast(StoreFactory, engine_module().DocumentStore)


def lazy_store(primary_key: str) -> Store:
    """A new engine store; the engine package is imported on the first call."""
    return default_store_factory()(primary_key)
