"""A sampled audit: random rows compared with their documents, and random documents checked
for a row, for indexes too large to audit in full often.

Rows are drawn uniformly (`ORDER BY random() LIMIT k` over the primary keys). Meilisearch
has no random document read, so documents are drawn as a few pages at random offsets of
the index's own order; each page is a cluster, which widens the spread of the estimate
but does not bias it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from scrypath.operator.audit_compare import Observation, id_text, judge
from scrypath.operator.audit_documents import Documents
from scrypath.operator.audit_recheck import Candidate, Sides
from scrypath.operator.audit_rows import Rows

DOCUMENT_PAGES = 10
"""How many random pages a document sample is drawn from."""


@dataclass(frozen=True, slots=True)
class Drawn:
    """What a sample looked at, and the drift it saw (before the recheck)."""

    candidates: dict[str, Candidate]
    row_ids: frozenset[str]
    rows: int
    documents: int
    documents_fetched: int


def draw(sides: Sides, size: int, progress: Callable[[int], None]) -> Drawn:
    """Compare `size` random rows with their documents and check up to `size` random
    documents for a row."""
    candidates: dict[str, Candidate] = {}
    keys = sides.rows.random_keys(size)
    row_ids: set[str] = set()
    fetched = 0
    for start in range(0, len(keys), sides.rows.batch_size):
        rows = sides.rows.by_keys(keys[start : start + sides.rows.batch_size])
        documents = sides.documents.fetch(list(rows))
        fetched += len(documents)
        for text, row in rows.items():
            row_ids.add(text)
            observation = judge(row, documents.get(text), sides.fields)
            if observation.kind is not None:
                candidates[text] = Candidate(observation, row.key, row.document_id)
        progress(len(row_ids))
    sampled = _document_sample(sides.documents, size)
    present = _with_rows(sides.rows, sampled)
    for identifier in sampled:
        text = id_text(identifier)
        if text not in present and text not in candidates:
            candidates[text] = Candidate(Observation("extra", None, None), None, identifier)
    return Drawn(candidates, frozenset(row_ids), len(row_ids), len(sampled), fetched)


def _document_sample(documents: Documents, size: int) -> list[int | str]:
    """Up to `size` distinct document ids from a few pages at random offsets."""
    total = documents.count()
    if not total or size <= 0:
        return []
    if total <= size:
        return [identifier for page in documents.id_pages() for identifier in page]
    page = math.ceil(size / DOCUMENT_PAGES)
    offsets = sorted(random.sample(range(0, total - page + 1), min(DOCUMENT_PAGES, total - page)))
    seen: dict[str, int | str] = {}
    for offset in offsets:
        for identifier in documents.page_at(offset, page):
            seen.setdefault(id_text(identifier), identifier)
    return list(seen.values())[:size]


def _with_rows(rows: Rows, sampled: list[int | str]) -> set[str]:
    """Which sampled document ids a row holds now."""
    texts = [id_text(identifier) for identifier in sampled]
    if rows.id_column is None:
        return set(rows.by_document_ids(texts))
    found: set[str] = set()
    for start in range(0, len(texts), rows.batch_size):
        found.update(rows.by_document_ids(texts[start : start + rows.batch_size]))
    return found
