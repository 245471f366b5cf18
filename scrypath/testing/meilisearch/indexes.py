"""Index records and their wire views (`GET /indexes/{uid}`, stats)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from .seam import Store
from .sizes import StatsFormat, render_size
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


VECTORS_FIELD = "_vectors"
"""Reserved for user-provided embeddings: never counted in `fieldDistribution`."""

SIZE_FIELDS = ("indexSize", "usedIndexSize", "rawDocumentDbSize", "avgDocumentSize")


def index_stats(index: Index, *, is_indexing: bool) -> dict[str, Any]:
    """`GET /indexes/{uid}/stats` in raw bytes, with `internalDatabaseSizes` always present.

    Sizes are estimates: the documents' JSON size and the settings' JSON size stand for
    Meilisearch's `documents` and `main` databases; `render_stats` applies the options.
    """
    count = len(index.store)
    average = _average_size(index)
    internal = {
        "main": len(json.dumps(index.settings, separators=(",", ":"))),
        "documents": average * count,
    }
    total = sum(internal.values())
    distribution = index.store.field_distribution()
    return {
        "numberOfDocuments": count,
        "indexSize": total,
        "usedIndexSize": total,
        "rawDocumentDbSize": internal["documents"],
        "avgDocumentSize": average,
        "isIndexing": is_indexing,
        "internalDatabaseSizes": internal,
        "numberOfEmbeddings": 0,
        "numberOfEmbeddedDocuments": 0,
        "fieldDistribution": {
            name: n for name, n in sorted(distribution.items()) if name != VECTORS_FIELD
        },
    }


def render_stats(stats: dict[str, Any], options: StatsFormat) -> dict[str, Any]:
    """Raw index stats as the request's options show them (a new dict, same key order)."""
    shown: dict[str, Any] = {}
    for name, value in stats.items():
        if name in SIZE_FIELDS:
            shown[name] = render_size(value, human=options.human)
        elif name != "internalDatabaseSizes":
            shown[name] = value
        elif options.internal_sizes:
            shown[name] = {db: render_size(size, human=options.human) for db, size in value.items()}
    return shown


def _average_size(index: Index, sample: int = 1000) -> int:
    """Average JSON size over the first documents: cheap even for large indexes."""
    sizes = [len(json.dumps(doc, separators=(",", ":"))) for doc in islice(index.store, sample)]
    return sum(sizes) // len(sizes) if sizes else 0
