"""Merging the hits of federated queries into one ranked list.

Hits compare by ranking score times their query's weight; ties go to a sort rule
both queries share, then to query order. A document matched by several queries of
the same index appears once, where it ranks best.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cmp_to_key
from itertools import islice
from typing import Any

from .config import Config
from .engine import formatting, render_hit
from .pipeline import Run, distinct_key
from .store import DocumentStore


@dataclass(frozen=True, slots=True)
class QuerySpec:
    """One query of a multi-search, type-checked: where it sits and what it asks."""

    position: int
    index_uid: str
    given: dict[str, Any]
    raw: Mapping[str, Any]
    weight: float | None


@dataclass(slots=True)
class Source:
    """One query, resolved and run."""

    spec: QuerySpec
    store: DocumentStore
    config: Config
    run: Run


@dataclass(frozen=True, slots=True)
class Entry:
    """A candidate hit of the merged list: its query, rank there, and weighted score."""

    source: Source
    doc: int
    rank: int
    weighted: float


def _entries(source: Source, depth: int) -> list[Entry]:
    weight = source.spec.weight if source.spec.weight is not None else 1.0
    with source.store.lock:
        docs = list(islice(source.run.ordered, depth))
        return [
            Entry(source, doc, rank, source.run.ranker.score(doc) * weight)
            for rank, doc in enumerate(docs)
        ]


def _compare(a: Entry, b: Entry) -> int:
    """Merge order: weighted score, then a shared first sort rule, then query position."""
    if a.weighted != b.weighted:
        return -1 if a.weighted > b.weighted else 1
    by_sort = _compare_sort(a, b)
    if by_sort:
        return by_sort
    left, right = (a.source.spec.position, a.rank), (b.source.spec.position, b.rank)
    return -1 if left < right else 1 if left > right else 0


def _compare_sort(a: Entry, b: Entry) -> int:
    rule_a = next((r for r in a.source.run.ranker.rules if not r.relevancy), None)
    rule_b = next((r for r in b.source.run.ranker.rules if not r.relevancy), None)
    if rule_a is None or rule_b is None or rule_a != rule_b:
        return 0
    key_a = a.source.run.ranker.sort_key(rule_a, a.doc)[:2]
    key_b = b.source.run.ranker.sort_key(rule_b, b.doc)[:2]
    if key_a == key_b:
        return 0
    if key_a[0] != key_b[0]:
        return -1 if key_a[0] < key_b[0] else 1
    less = key_a[1] < key_b[1]
    return (-1 if less else 1) if rule_a.ascending else (1 if less else -1)


def merge_entries(sources: list[Source], depth: int, distinct: str | None) -> list[Entry]:
    best: dict[tuple[str, int], Entry] = {}
    for source in sources:
        for entry in _entries(source, depth):
            key = (source.spec.index_uid, entry.doc)
            if key not in best or _compare(entry, best[key]) < 0:
                best[key] = entry
    merged = sorted(best.values(), key=cmp_to_key(_compare))
    return merged if distinct is None else _distinct(merged, distinct)


def _distinct(entries: list[Entry], field: str) -> list[Entry]:
    seen: set[tuple[str, Any]] = set()
    kept: list[Entry] = []
    for entry in entries:
        values = entry.source.store.values(entry.doc, field)
        keys = {k for v in values if (k := distinct_key(v)) is not None}
        if keys and keys & seen:
            continue
        seen |= keys
        kept.append(entry)
    return kept


def federated_hit(entry: Entry) -> dict[str, Any]:
    source = entry.source
    with source.store.lock:
        spec = formatting(source.store, source.config, source.spec.given, source.run)
        hit = render_hit(source.store, spec, source.spec.given, source.run, entry.doc)
    scores = {k: hit.pop(k) for k in ("_rankingScore", "_rankingScoreDetails") if k in hit}
    hit["_federation"] = {
        "indexUid": source.spec.index_uid,
        "queriesPosition": source.spec.position,
        "weightedRankingScore": entry.weighted,
    }
    return hit | scores
