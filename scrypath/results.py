"""What the root verbs return: frozen results that say exactly what happened.

A sync result's `status` means one thing per mode: `completed` (inline: Meilisearch reported
every task succeeded before the call returned), `accepted` (manual: Meilisearch enqueued the
work, which is not yet searchable; queue: the jobs were added to your transaction, durable
once it commits, not yet sent), or `noop` (nothing to send).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from scrypath.config import SyncMode
from scrypath.declaration import spec_for
from scrypath.errors import BackendError
from scrypath.meilisearch.tasks import TaskRef
from scrypath.projection import DocumentId as DocumentId

if TYPE_CHECKING:
    from scrypath.queue.jobs import JobRef

SyncStatus = Literal["completed", "accepted", "noop"]


@dataclass(frozen=True, slots=True)
class SyncResult:
    """The outcome of one sync or delete call on one index.

    `upserted_ids` were sent as documents, `deleted_ids` were sent for deletion (including
    records whose `should_index` said no); `document_ids` lists both, upserts first.
    `tasks` holds one task per request, upserts first; `task` is the last of them.
    In queue mode `jobs` holds one outbox job per operation, upserts first, and `job` is the
    last of them; no task exists yet.
    `index` is None only for an empty `sync_records` call, which cannot know its model.
    """

    mode: SyncMode
    status: SyncStatus
    index: str | None
    upserted_ids: tuple[DocumentId, ...] = ()
    deleted_ids: tuple[DocumentId, ...] = ()
    tasks: tuple[TaskRef, ...] = ()
    jobs: tuple[JobRef, ...] = ()

    @property
    def document_ids(self) -> tuple[DocumentId, ...]:
        """Every document this call wrote: upserted, then deleted."""
        return (*self.upserted_ids, *self.deleted_ids)

    @property
    def document_count(self) -> int:
        return len(self.upserted_ids) + len(self.deleted_ids)

    @property
    def task(self) -> TaskRef | None:
        """The last task enqueued; Meilisearch runs one index's tasks in order."""
        return self.tasks[-1] if self.tasks else None

    @property
    def job(self) -> JobRef | None:
        """The last outbox job enqueued (queue mode)."""
        return self.jobs[-1] if self.jobs else None

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "status": self.status,
            "index": self.index,
            "document_ids": list(self.document_ids),
            "document_count": self.document_count,
            "upserted_ids": list(self.upserted_ids),
            "deleted_ids": list(self.deleted_ids),
            "task": self.task.to_json() if self.task else None,
            "tasks": [task.to_json() for task in self.tasks],
            "job": self.job.to_json() if self.job else None,
            "jobs": [job.to_json() for job in self.jobs],
        }


@dataclass(frozen=True, slots=True)
class Page:
    """Which page of hits this is; totals are exact up to the index's `maxTotalHits`."""

    number: int
    size: int
    total_hits: int
    total_pages: int

    def to_json(self) -> dict[str, int]:
        return {
            "number": self.number,
            "size": self.size,
            "total_hits": self.total_hits,
            "total_pages": self.total_pages,
        }


@dataclass(frozen=True, slots=True)
class FacetBucket:
    """One facet value and how many matching documents hold it."""

    value: str
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count}


@dataclass(frozen=True, slots=True)
class FacetStats:
    """The numeric range of a facet among matching documents."""

    min: float
    max: float

    def to_json(self) -> dict[str, float]:
        return {"min": self.min, "max": self.max}


@dataclass(frozen=True, slots=True)
class Facet:
    """A requested facet: its value buckets and, for numbers, their range."""

    name: str
    buckets: tuple[FacetBucket, ...]
    stats: FacetStats | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "buckets": [bucket.to_json() for bucket in self.buckets],
            "stats": self.stats.to_json() if self.stats else None,
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits of one search, and their records loaded back from the database.

    Without a session (argument or configured `session_factory`) nothing is loaded:
    `hydrated` is False, `records` is None and `missing_ids` is empty. When hydrated,
    `records` follow hit order and `missing_ids` name hits with no database row.
    """

    model: type[Any]
    index: str
    hits: tuple[dict[str, Any], ...]
    page: Page
    records: tuple[Any, ...] | None = None
    missing_ids: tuple[DocumentId, ...] = ()
    facets: Mapping[str, Facet] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def hydrated(self) -> bool:
        return self.records is not None

    @property
    def ids(self) -> tuple[DocumentId, ...]:
        """Document ids of the hits, in hit order."""
        key = spec_for(self.model).document_id
        return tuple(hit[key] for hit in self.hits)

    def to_json(self) -> dict[str, Any]:
        """The result as JSON data; records are shown by their document ids."""
        return {
            "model": self.model.__name__,
            "index": self.index,
            "hits": list(self.hits),
            "hydrated": self.hydrated,
            "missing_ids": list(self.missing_ids),
            "page": self.page.to_json(),
            "facets": {name: facet.to_json() for name, facet in self.facets.items()},
        }


@dataclass(frozen=True, slots=True)
class EntryResult:
    """What one entry contributed: its hits (in merged order), records, facets or error."""

    position: int
    model: type[Any]
    index: str
    hits: tuple[dict[str, Any], ...] = ()
    records: tuple[Any, ...] | None = None
    missing_ids: tuple[DocumentId, ...] = ()
    facets: Mapping[str, Facet] = field(default_factory=dict)
    error: BackendError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "model": self.model.__name__,
            "index": self.index,
            "hit_count": len(self.hits),
            "missing_ids": list(self.missing_ids),
            "facets": {name: facet.to_json() for name, facet in self.facets.items()},
            "error": _error_json(self.error),
        }


@dataclass(frozen=True, slots=True)
class FederatedResult:
    """Merged hits of every entry, their records in the same order, and each entry's share.

    `records` skips hits with no database row (see each entry's `missing_ids`), and is None
    when nothing was hydrated (no session given or configured).
    """

    hits: tuple[dict[str, Any], ...]
    records: tuple[Any, ...] | None
    page: Page
    entries: tuple[EntryResult, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def hydrated(self) -> bool:
        return self.records is not None

    @property
    def errors(self) -> dict[int, BackendError]:
        """Entry position -> the error that kept it out of the results."""
        return {entry.position: entry.error for entry in self.entries if entry.error}

    def to_json(self) -> dict[str, Any]:
        return {
            "hits": list(self.hits),
            "hydrated": self.hydrated,
            "page": self.page.to_json(),
            "entries": [entry.to_json() for entry in self.entries],
        }


def _error_json(error: BackendError | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {"reason": error.reason, "message": error.message, "code": error.context.get("code")}
