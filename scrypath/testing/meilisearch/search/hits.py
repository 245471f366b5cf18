"""How each query term occurs in the documents: typo cost, exactness, locations.

A document keeps only the locations of its cheapest derivations of a term (the
word itself, a prefix, a typo, a synonym), as Meilisearch ranks a document on the
derivations of its typo bucket. Postings are shared, never copied, when every
field is searched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .postings import POSITION_BITS, Locations
from .store import DocumentStore


@dataclass(frozen=True, slots=True)
class Fields:
    """The searched fields of a request: field id -> attribute weight (0 is best)."""

    weights: dict[int, int]
    no_typo: frozenset[int]
    complete: bool

    @property
    def max_weight(self) -> int:
        return max(self.weights.values(), default=0)


_MERGE_AT = 4
"""With more derivations than this at one typo cost, their locations merge on first use."""


class TermHits:
    """How one term occurs: per document, its cheapest typo cost and that cost's locations.

    Derivations (the word, its prefixes, typos and synonyms) are kept as they were
    found; the documents of each cost are set unions, so matching a broad term never
    walks its documents one by one. Locations are assembled per document, only for
    the documents a ranking rule asks about.
    """

    __slots__ = (
        "_cost_of",
        "_derivations",
        "_levels",
        "_memo",
        "by_cost",
        "costs",
        "docs",
        "exact",
    )

    def __init__(self) -> None:
        self._derivations: list[tuple[int, Mapping[int, Locations]]] = []
        self._levels: dict[int, list[Mapping[int, Locations]]] = {}
        self._memo: dict[int, Locations] = {}
        self._cost_of: dict[int, int] | None = None
        self.exact: set[int] = set()
        self.docs: set[int] = set()
        self.by_cost: dict[int, set[int]] = {}
        self.costs: list[int] = []

    def __len__(self) -> int:
        return len(self.docs)

    def __contains__(self, doc: object) -> bool:
        return doc in self.docs

    def add(self, found: Mapping[int, Locations], cost: int, exact: bool) -> None:
        """Record derivations found at `found` locations, each costing `cost` typos."""
        if not found:
            return
        if exact:
            self.exact.update(found)
        self._derivations.append((cost, found))

    def finish(self) -> TermHits:
        """Split the documents by their cheapest cost, once every derivation is added."""
        for cost, found in self._derivations:
            self._levels.setdefault(cost, []).append(found)
        self.costs = sorted(self._levels)
        for cost in self.costs:
            level = self._levels[cost]
            fresh = set().union(*level) - self.docs if self.docs else set().union(*level)
            self.by_cost[cost] = fresh
            self.docs |= fresh
        return self

    def cost(self, doc: int) -> int:
        """The typo cost of the cheapest derivation `doc` holds."""
        for cost in self.costs:
            if doc in self.by_cost[cost]:
                return cost
        raise KeyError(doc)

    def cost_of(self) -> dict[int, int]:
        """Document -> typo cost, built on first use."""
        if self._cost_of is None:
            self._cost_of = {}
            for cost in self.costs:
                self._cost_of.update(dict.fromkeys(self.by_cost[cost], cost))
        return self._cost_of

    def locations(self, doc: int) -> Locations:
        """Where the derivations of `doc`'s cheapest cost occur, in the order they were found."""
        found = self._memo.get(doc)
        if found is None:
            found = self._memo[doc] = self._assemble(doc)
        return found

    def locations_of(self, ids: list[int]) -> list[Locations]:
        """`locations` of many documents; one lookup each when they share one derivation."""
        for cost in self.costs:
            if self.by_cost[cost].issuperset(ids):
                level = self._level(cost)
                if len(level) == 1:
                    return list(map(level[0].__getitem__, ids))
        return list(map(self.locations, ids))

    def _level(self, cost: int) -> list[Mapping[int, Locations]]:
        """The derivations of one cost; many are merged on first use, then kept merged."""
        level = self._levels[cost]
        if len(level) > _MERGE_AT:
            level = self._levels[cost] = [_merged(level)]
        return level

    def get(self, doc: int) -> Locations | None:
        return self.locations(doc) if doc in self.docs else None

    def _assemble(self, doc: int) -> Locations:
        parts = [found[doc] for found in self._level(self.cost(doc)) if doc in found]
        return parts[0] if len(parts) == 1 else tuple(loc for part in parts for loc in part)


def _merged(level: list[Mapping[int, Locations]]) -> dict[int, Locations]:
    """The locations of many same-cost derivations, concatenated per document."""
    merged: dict[int, Locations] = {}
    for found in level:
        shared = found.keys() & merged.keys()
        if not shared:
            merged.update(found)
            continue
        for doc in shared:
            merged[doc] += found[doc]
        merged.update({doc: found[doc] for doc in found.keys() - shared})
    return merged


def kept(locations: Locations, fields: Fields, cost: int) -> Locations:
    """The locations of a derivation that count: searched fields, typo-tolerant ones."""
    if fields.complete:
        return locations
    weights, no_typo = fields.weights, fields.no_typo
    return tuple(
        loc
        for loc in locations
        if (fid := loc >> POSITION_BITS) in weights and (cost == 0 or fid not in no_typo)
    )


def word_locations(
    store: DocumentStore, word: str, fields: Fields, cost: int
) -> Mapping[int, Locations]:
    postings = store.words.postings.get(word, {})
    if fields.complete:
        return postings
    return {doc: found for doc, locs in postings.items() if (found := kept(locs, fields, cost))}


def phrase_locations(
    store: DocumentStore, words: tuple[str, ...], fields: Fields
) -> dict[int, Locations]:
    """Where `words` occur consecutively, located at their first word."""
    postings = [store.words.postings.get(word) for word in words]
    lists = [p for p in postings if p is not None]
    if not words or len(lists) != len(postings):
        return {}
    found: dict[int, Locations] = {}
    for doc in min(lists, key=len):
        if not all(doc in p for p in lists):
            continue
        following = [set(p[doc]) for p in lists[1:]]
        starts = tuple(
            loc
            for loc in kept(lists[0][doc], fields, 0)
            if all(loc + k + 1 in after for k, after in enumerate(following))
        )
        if starts:
            found[doc] = starts
    return found
