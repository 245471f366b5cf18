"""Rechecking drift candidates, so that writes made during an audit are not reported.

A write lands in the database first and in the index a moment later (inline sync awaits
its task after the commit; ORM auto-sync sends after the commit). An audit that reads the
row between the two sees drift that is about to heal. So nothing the first pass found is
reported at once: after a short pause and once the index's pending document tasks have
finished, both sides of every candidate are read again. A candidate is confirmed when the
second look sees the same drift with both sides unchanged; it is dropped when the sides now
agree; when either side moved, it is looked at again, up to `ROUNDS` times, and what still
moves after that is reported as unsettled, not as drift.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from scrypath.config import Config
from scrypath.operator.audit_compare import Observation, Row, judge
from scrypath.operator.audit_documents import Documents
from scrypath.operator.audit_rows import Rows
from scrypath.projection import DocumentId

ROUNDS = 3
"""Looks after the first before a candidate that keeps changing is called unsettled."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """An id the audit saw drift on: what it saw, the row's key (None when no row was
    seen) and the id in its JSON form."""

    observation: Observation
    key: Any
    document_id: DocumentId


@dataclass(frozen=True, slots=True)
class Sides:
    """Both sides of an audit, and what the recheck needs to read them again."""

    rows: Rows
    documents: Documents
    fields: frozenset[str] | None
    config: Config
    settle: float


@dataclass(frozen=True, slots=True)
class Verdict:
    """The recheck's outcome: confirmed drift and ids still moving, by id text."""

    confirmed: dict[str, Candidate]
    unsettled: dict[str, Candidate]


def same(first: Observation, second: Observation) -> bool:
    """The same drift with both sides unchanged; a side that was not read in full the first
    time (a document seen only by its id) counts as unchanged."""
    documents_agree = (
        first.document is None or second.document is None or first.document == second.document
    )
    return first.kind == second.kind and first.row == second.row and documents_agree


def recheck(sides: Sides, candidates: dict[str, Candidate], rounds: int = ROUNDS) -> Verdict:
    """Look at every candidate again until each is confirmed, cleared or out of rounds."""
    confirmed: dict[str, Candidate] = {}
    pending = candidates
    for _ in range(rounds):
        if not pending:
            break
        _settle(sides)
        moving: dict[str, Candidate] = {}
        for chunk in _chunks(pending, sides.rows.batch_size):
            for text, candidate, fresh in _look_again(sides, chunk):
                if fresh.observation.kind is None:
                    continue
                target = confirmed if same(candidate.observation, fresh.observation) else moving
                target[text] = fresh
        pending = moving
    return Verdict(confirmed, pending)


def _settle(sides: Sides) -> None:
    """Give writes in flight time to reach the index: a pause, then the pending tasks."""
    if sides.settle > 0:
        time.sleep(sides.settle)
    sides.documents.settle(sides.config, timeout=max(sides.config.task_timeout, sides.settle))


def _chunks(candidates: dict[str, Candidate], size: int) -> Iterator[dict[str, Candidate]]:
    items = list(candidates.items())
    for start in range(0, len(items), size):
        yield dict(items[start : start + size])


def _look_again(
    sides: Sides, chunk: dict[str, Candidate]
) -> Iterator[tuple[str, Candidate, Candidate]]:
    """Each candidate of the chunk with a fresh look at both sides."""
    texts = list(chunk)
    rows = _fresh_rows(sides.rows, chunk)
    documents = sides.documents.fetch(texts)
    for text in texts:
        candidate = chunk[text]
        row = rows.get(text)
        observation = judge(row, documents.get(text), sides.fields)
        key = candidate.key if row is None else row.key
        yield text, candidate, replace(candidate, observation=observation, key=key)


def _fresh_rows(rows: Rows, chunk: dict[str, Candidate]) -> dict[str, Row]:
    """The rows now holding the chunk's ids: looked up by document id where the id is a
    column; else by key, with a scan only for ids no row was seen with."""
    if rows.id_column is not None:
        return rows.by_document_ids(list(chunk))
    keys = [candidate.key for candidate in chunk.values() if candidate.key is not None]
    found = {text: row for text, row in rows.by_keys(keys).items() if text in chunk}
    orphans = [text for text, candidate in chunk.items() if candidate.key is None]
    if orphans:
        found.update(rows.by_document_ids(orphans))
    return found
