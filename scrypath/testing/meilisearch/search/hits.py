"""How each query term occurs in the documents: typo cost, exactness, locations.

A document keeps only the locations of its cheapest derivations of a term (the
word itself, a prefix, a typo, a synonym), as Meilisearch ranks a document on the
derivations of its typo bucket. Postings are shared, never copied, when every
field is searched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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


@dataclass(slots=True)
class TermHits:
    """Per document: the best typo count, whether the query word itself occurs, where."""

    typos: dict[int, int] = field(default_factory=dict)
    exact: set[int] = field(default_factory=set)
    locations: dict[int, Locations] = field(default_factory=dict)
    _by_cost: dict[int, set[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.typos)

    def __contains__(self, doc: object) -> bool:
        return doc in self.typos

    def add(self, found: Mapping[int, Locations], cost: int, exact: bool) -> None:
        """Record derivations found at `found` locations, each costing `cost` typos."""
        if exact:
            self.exact.update(found)
        fresh = found.keys() - self.typos.keys()
        if len(fresh) == len(found):
            self.locations.update(found)
        else:
            self._improve(found, cost, fresh)
            self.locations.update({doc: found[doc] for doc in fresh})
        self.typos.update(dict.fromkeys(fresh, cost))
        self._by_cost.setdefault(cost, set()).update(fresh)

    def _improve(self, found: Mapping[int, Locations], cost: int, fresh: set[int]) -> None:
        """Documents already known: add equal-cost locations, replace costlier ones."""
        locations = self.locations
        for doc in found.keys() & self._by_cost.get(cost, set()):
            locations[doc] += found[doc]
        for worse in [c for c in self._by_cost if c > cost]:
            for doc in found.keys() & self._by_cost[worse]:
                locations[doc] = found[doc]
                self.typos[doc] = cost
                self._by_cost[worse].discard(doc)
                self._by_cost.setdefault(cost, set()).add(doc)


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
