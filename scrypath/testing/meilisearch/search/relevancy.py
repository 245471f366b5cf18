"""The relevancy rules, per document: each gives a `Rank` out of a query-wide maximum.

- words: how many query terms the document matches (per the matching strategy);
- typo: fewer typos is better;
- proximity: matched terms close together, in query order, is better;
- attributeRank: terms in more important searchable attributes is better;
- wordPosition: terms near the start of their attribute is better;
- attribute: attributeRank refined by wordPosition (the legacy rule);
- exactness: an attribute equal to the query, then one starting with it, then the
  number of query words matched without typo or prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from itertools import compress, pairwise
from typing import NamedTuple

from .hits import Fields
from .matching import Matched
from .postings import FIELD_LENGTHS, POSITION_BITS, POSITION_MASK, pack
from .store import DocumentStore

MAX_PROXIMITY = 8
MAX_POSITION = 10
_NEAR_LOCATIONS = 32


class Rank(NamedTuple):
    """A rank out of `max_rank`: `max_rank` is best, 1 is worst among matches."""

    rank: int
    max_rank: int

    @property
    def score(self) -> float:
        return self.rank / self.max_rank

    def then(self, inner: Rank) -> Rank:
        """This rank refined by a less important one."""
        return Rank((self.rank - 1) * inner.max_rank + inner.rank, self.max_rank * inner.max_rank)


class Relevancy:
    """Computes the relevancy ranks of the candidates of one query."""

    def __init__(
        self, store: DocumentStore, matched: Matched, fields: Fields, *, by_attribute: bool
    ) -> None:
        self.store = store
        self.matched = matched
        self.fields = fields
        self.by_attribute = by_attribute
        self.budgets = [term.typos for term in matched.query.terms]
        self.words = matched.query.words()
        self.subsets = [sorted(matched.keep_order[:k]) for k in range(len(self.budgets) + 1)]
        self.rules: dict[str, Callable[[int], Rank]] = {
            "words": self.word_count,
            "typo": self.typo,
            "proximity": self.proximity,
            "attributeRank": self.attribute_rank,
            "wordPosition": self.word_position,
            "attribute": self.attribute,
            "exactness": self.exactness,
        }

    def constant(self, name: str) -> bool:
        """True when a rule cannot tell this query's candidates apart."""
        if name in ("words", "proximity"):
            return len(self.budgets) < 2
        if name == "attributeRank":
            return self.fields.max_weight == 0
        return name == "typo" and not any(self.budgets)

    def buckets(self, name: str, ids: list[int]) -> Iterator[list[int]]:
        """`ids` split by the score of rule `name`, best first, each bucket cut on demand.

        A rank often depends only on a few facts about a document (its matched words;
        with a single term, its typo cost or its locations): documents sharing those
        facts share a signature, scored once, and buckets are cut by signature.
        """
        compute = self.rules[name]
        signatures: list[Hashable] | None = self._signatures(name, ids)
        scored: dict[Hashable, float]
        if signatures is None:
            signatures = list(ids)
            scored = {doc: compute(doc).score for doc in ids}
        else:
            first = dict(zip(signatures, ids, strict=True))
            scored = {sig: compute(doc).score for sig, doc in first.items()}
        levels: dict[float, set[Hashable]] = {}
        for sig, score in scored.items():
            levels.setdefault(score, set()).add(sig)
        if len(levels) == 1:
            yield ids
            return
        for score in sorted(levels, reverse=True):
            yield list(compress(ids, map(levels[score].__contains__, signatures)))

    def _signatures(self, name: str, ids: list[int]) -> list[Hashable] | None:
        if name == "words":
            return list(map(self.matched.words.__getitem__, ids))
        if len(self.budgets) != 1:
            return None
        hits = self.matched.hits[0]
        if name == "typo":
            return list(map(hits.cost_of().__getitem__, ids))
        if name in ("attributeRank", "wordPosition", "attribute"):
            return list(hits.locations_of(ids))
        if name != "exactness":
            return None
        postings = self.store.words.postings
        words = [postings.get(word, {}) for word in self.words]
        lengths = postings.get(FIELD_LENGTHS, {})
        return list(
            zip(
                hits.locations_of(ids),
                map(hits.exact.__contains__, ids),
                map(lengths.get, ids),
                *(map(word.get, ids) for word in words),
                strict=True,
            )
        )

    def split(self, name: str, ids: list[int]) -> Iterator[list[int]] | None:
        """Buckets of `ids` for rule `name` cut by set membership, best first, if it can be.

        A single term's typo rank is its typo cost: the documents of each cost are sets.
        """
        if name != "typo" or len(self.budgets) != 1:
            return None
        hits = self.matched.hits[0]
        levels = (list(compress(ids, map(hits.by_cost[c].__contains__, ids))) for c in hits.costs)
        return (bucket for bucket in levels if bucket)

    def word_count(self, doc: int) -> Rank:
        return Rank(self.matched.words.get(doc, 0), len(self.budgets))

    def typo(self, doc: int) -> Rank:
        typos = budget = 0
        hits = self.matched.hits
        for i in self.subsets[self.matched.words.get(doc, 0)]:
            typos += hits[i].cost(doc)
            budget += self.budgets[i]
        return Rank(budget + 1 - typos, budget + 1)

    def proximity(self, doc: int) -> Rank:
        subset = self.subsets[self.matched.words.get(doc, 0)]
        if len(subset) < 2:
            return Rank(1, 1)
        hits = self.matched.hits
        cost = 0
        for a, b in pairwise(subset):
            cost += self._pair_cost(hits[a].locations(doc), hits[b].locations(doc))
        most = MAX_PROXIMITY * (len(subset) - 1)
        return Rank(most - cost + 1, most + 1)

    def _pair_cost(self, left: tuple[int, ...], right: tuple[int, ...]) -> int:
        best = MAX_PROXIMITY
        for a in left[:_NEAR_LOCATIONS]:
            for b in right[:_NEAR_LOCATIONS]:
                if a >> POSITION_BITS != b >> POSITION_BITS:
                    continue
                if self.by_attribute:
                    return 1
                gap = (b & POSITION_MASK) - (a & POSITION_MASK)
                best = min(best, gap if gap > 0 else 1 - gap, MAX_PROXIMITY - 1)
        return best

    def attribute_rank(self, doc: int) -> Rank:
        subset = self.subsets[self.matched.words.get(doc, 0)]
        weights = self.fields.weights
        hits = self.matched.hits
        cost = 0
        for i in subset:
            cost += min([weights[loc >> POSITION_BITS] for loc in hits[i].locations(doc)])
        most = len(subset) * self.fields.max_weight
        return Rank(most - cost + 1, most + 1)

    def word_position(self, doc: int) -> Rank:
        subset = self.subsets[self.matched.words.get(doc, 0)]
        hits = self.matched.hits
        cost = 0
        for i in subset:
            cost += min(min([loc & POSITION_MASK for loc in hits[i].locations(doc)]), MAX_POSITION)
        most = len(subset) * MAX_POSITION
        return Rank(most - cost + 1, most + 1)

    def attribute(self, doc: int) -> Rank:
        return self.attribute_rank(doc).then(self.word_position(doc))

    def exact_words(self, doc: int) -> tuple[int, int]:
        """How many of the document's counted terms matched exactly, out of how many."""
        subset = self.subsets[self.matched.words.get(doc, 0)]
        hits = self.matched.hits
        return sum(1 for i in subset if doc in hits[i].exact), len(subset)

    def exactness(self, doc: int) -> Rank:
        exact, count = self.exact_words(doc)
        return Rank(self.exact_attribute(doc), 3).then(Rank(exact + 1, count + 1))

    def exact_attribute(self, doc: int) -> int:
        """3 when a field equals the query, 2 when one starts with it, else 1."""
        best = 1
        for fid in self._starting_fields(doc):
            if not self._query_at_start(doc, fid):
                continue
            if self.store.words.field_length(doc, fid) == len(self.words):
                return 3
            best = 2
        return best

    def _starting_fields(self, doc: int) -> set[int]:
        """Fields where every term sits at its query position: exact-match candidates."""
        offset = 0
        fids: set[int] | None = None
        for term, hits in zip(self.matched.query.terms, self.matched.hits, strict=True):
            locations = hits.get(doc)
            if locations is None:
                return set()
            here = {loc >> POSITION_BITS for loc in locations if loc & POSITION_MASK == offset}
            fids = here if fids is None else fids & here
            if not fids:
                return set()
            offset += len(term.words)
        return fids or set()

    def _query_at_start(self, doc: int, fid: int) -> bool:
        postings = self.store.words.postings
        return all(
            pack(fid, offset) in postings.get(word, {}).get(doc, ())
            for offset, word in enumerate(self.words)
        )
