"""Coalescing a claimed batch: per index, one upsert request and one delete request.

Within an index, the newest job touching a document owns it; older jobs keep only the
documents nobody newer touched. A job left with nothing to send is superseded: it completes
without a request, naming the job that replaced it. Jobs that are being retried also yield
to newer jobs outside the batch (pending or already delivered). What is sent for each
document is read from the database at delivery (see `scrypath.queue.deliver`); the snapshot
is sent only for models whose rows cannot be looked up by document id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrypath.declaration import SearchSpec
from scrypath.queue.jobs import Job
from scrypath.queue.payload import Decoded
from scrypath.results import DocumentId

Item = tuple[DocumentId, dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one job still sends after coalescing."""

    job: Job
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class IndexWork:
    """Everything a batch sends to one index."""

    index: str
    spec: SearchSpec
    upserts: tuple[Contribution, ...] = ()
    deletes: tuple[Contribution, ...] = ()


@dataclass(frozen=True, slots=True)
class Coalesced:
    """A batch after coalescing: the work per index, and job id -> the job that superseded it."""

    work: tuple[IndexWork, ...]
    superseded: Mapping[int, int] = field(default_factory=dict)


def coalesce(
    batch: Sequence[tuple[Job, Decoded]],
    newer: Mapping[str, Mapping[DocumentId, int]] | None = None,
) -> Coalesced:
    """Group `batch` by index and keep each document's newest snapshot.

    `newer` maps index -> document id -> the newest job outside the batch that touches it.
    """
    groups: dict[str, list[tuple[Job, Decoded]]] = {}
    for job, decoded in sorted(batch, key=lambda pair: pair[0].id):
        groups.setdefault(job.index, []).append((job, decoded))
    work: list[IndexWork] = []
    superseded: dict[int, int] = {}
    for index, members in groups.items():
        outside = (newer or {}).get(index, {})
        item_work, replaced = _index_work(index, members, outside)
        superseded.update(replaced)
        if item_work.upserts or item_work.deletes:
            work.append(item_work)
    return Coalesced(tuple(work), superseded)


def _index_work(
    index: str, members: list[tuple[Job, Decoded]], outside: Mapping[DocumentId, int]
) -> tuple[IndexWork, dict[int, int]]:
    owner = _newest_owner(members, outside)
    upserts: list[Contribution] = []
    deletes: list[Contribution] = []
    superseded: dict[int, int] = {}
    for job, decoded in members:
        mine = {
            identifier: item for identifier, item in decoded.items if owner[identifier] == job.id
        }
        if not mine:
            superseded[job.id] = max(owner[identifier] for identifier, _ in decoded.items)
            continue
        contribution = Contribution(job, tuple((key, value) for key, value in mine.items()))
        (deletes if job.operation == "delete" else upserts).append(contribution)
    spec = members[-1][1].spec
    return IndexWork(index, spec, tuple(upserts), tuple(deletes)), superseded


def _newest_owner(
    members: list[tuple[Job, Decoded]], outside: Mapping[DocumentId, int]
) -> dict[DocumentId, int]:
    """Document id -> the id of the newest job touching it (in the batch, or outside it)."""
    owner: dict[DocumentId, int] = {}
    for job, decoded in members:
        for identifier, _ in decoded.items:
            owner[identifier] = job.id
    for identifier, job_id in owner.items():
        newer = outside.get(identifier)
        if newer is not None and newer > job_id:
            owner[identifier] = newer
    return owner
