"""Index records and their wire views (`GET /indexes/{uid}`, stats)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from .seam import Store
from .timefmt import rfc3339


@dataclass(frozen=True, slots=True)
class Index:
    """One index. `store` holds the documents; `settings` is the complete settings object."""

    uid: str
    primary_key: str | None
    created_at: int
    updated_at: int
    store: Store = field(compare=False, repr=False)
    settings: dict[str, Any] = field(compare=False, repr=False)


def index_view(index: Index) -> dict[str, Any]:
    return {
        "uid": index.uid,
        "createdAt": rfc3339(index.created_at),
        "updatedAt": rfc3339(index.updated_at),
        "primaryKey": index.primary_key,
    }


def index_stats(index: Index, *, is_indexing: bool) -> dict[str, Any]:
    """`GET /indexes/{uid}/stats`. Sizes are estimates from the documents' JSON size."""
    count = len(index.store)
    average = _average_size(index)
    return {
        "numberOfDocuments": count,
        "indexSize": average * count,
        "usedIndexSize": average * count,
        "rawDocumentDbSize": average * count,
        "avgDocumentSize": average,
        "isIndexing": is_indexing,
        "numberOfEmbeddings": 0,
        "numberOfEmbeddedDocuments": 0,
        "fieldDistribution": dict(sorted(index.store.field_distribution().items())),
    }


def _average_size(index: Index, sample: int = 1000) -> int:
    """Average JSON size over the first documents: cheap even for large indexes."""
    sizes = [len(json.dumps(doc, separators=(",", ":"))) for doc in islice(index.store, sample)]
    return sum(sizes) // len(sizes) if sizes else 0
