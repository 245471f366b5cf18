"""From query terms to candidate documents, per the matching strategy.

Each term collects, per document, its best typo count, whether the query word
itself occurred, and where (in searched fields only). `last` drops terms from the
end but never a quoted phrase (once a phrase is kept, every other word may go),
`frequency` drops the most frequent terms first, `all` keeps every term; a
document's "words" rank is the size of the largest kept set of terms it matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, field

from .config import Config
from .fields import is_under
from .hits import Fields, TermHits, phrase_locations, word_locations
from .postings import VECTORS
from .query import Query, Term
from .store import DocumentStore


@dataclass(slots=True)
class Matched:
    """The candidates of a query, with what the ranking rules need to know about them."""

    query: Query
    hits: list[TermHits]
    keep_order: list[int]
    words: dict[int, int]
    candidates: set[int]
    highlights: dict[str, int | None] = field(default_factory=dict)


def searched_fields(store: DocumentStore, config: Config, restrict: list[str] | None) -> Fields:
    names = store.fields.names
    weights: dict[int, int] = {}
    for fid, name in enumerate(names):
        weight = _weight(name, fid, config.searchable)
        if weight is not None and (restrict is None or any(is_under(name, a) for a in restrict)):
            weights[fid] = weight
    no_typo = frozenset(
        fid
        for fid in weights
        if any(is_under(names[fid], a) for a in config.typo.disabled_attributes)
    )
    return Fields(weights, no_typo, len(weights) == len(names) and not no_typo)


def _weight(name: str, fid: int, searchable: tuple[str, ...]) -> int | None:
    """A field's attribute weight: equal for all under `["*"]`, by list position otherwise."""
    if is_under(name, VECTORS):
        return None
    if "*" in searchable:
        return 0
    for weight, attribute in enumerate(searchable):
        if is_under(name, attribute):
            return weight
    return None


def match(
    query: Query,
    store: DocumentStore,
    fields: Fields,
    universe: Set[int] | None,
    strategy: str,
) -> Matched:
    """Candidates of `query` within `universe` (all documents when None)."""
    excluded = _excluded(query.negatives, store, fields)
    if query.placeholder:
        base = store.ids() if universe is None else universe
        return Matched(query, [], [], {}, set(base) - excluded)
    highlights: dict[str, int | None] = {}
    hits = [term_hits(term, store, fields, highlights) for term in query.terms]
    order = _keep_order(query.terms, hits, strategy)
    words, candidates = _word_counts(hits, order, universe, _mandatory(query.terms, strategy))
    for doc in excluded:
        words.pop(doc, None)
    candidates -= excluded
    return Matched(query, hits, order, words, candidates, highlights)


def _keep_order(terms: tuple[Term, ...], hits: list[TermHits], strategy: str) -> list[int]:
    """Terms in the order they are kept: the last ones listed are dropped first."""
    order = list(range(len(hits)))
    if strategy == "frequency":
        order.sort(key=lambda i: len(hits[i]))
    elif strategy == "last":
        order.sort(key=lambda i: not terms[i].quoted)
    return order


def _mandatory(terms: tuple[Term, ...], strategy: str) -> int:
    """How many of the first kept terms a document must match."""
    if strategy == "all":
        return len(terms)
    phrases = sum(1 for term in terms if term.quoted) if strategy == "last" else 0
    return max(1, phrases)


def _word_counts(
    hits: list[TermHits], order: list[int], universe: Set[int] | None, mandatory: int
) -> tuple[dict[int, int], set[int]]:
    """Per candidate, how many of the first kept terms it matches; and the candidates."""
    first = hits[order[0]].docs
    current = set(first) if universe is None else first.intersection(universe)
    for index in order[1:mandatory]:
        current &= hits[index].docs
    candidates = current
    words = dict.fromkeys(current, mandatory)
    for count, index in enumerate(order[mandatory:], start=mandatory + 1):
        current = current & hits[index].docs
        words.update(dict.fromkeys(current, count))
    return words, candidates


def _excluded(negatives: Iterable[Term], store: DocumentStore, fields: Fields) -> set[int]:
    excluded: set[int] = set()
    for term in negatives:
        if term.phrase:
            excluded.update(phrase_locations(store, term.words, fields))
        else:
            excluded.update(word_locations(store, term.words[0], fields, 0))
    return excluded


def term_hits(
    term: Term, store: DocumentStore, fields: Fields, highlights: dict[str, int | None]
) -> TermHits:
    """Per document, how `term` (its typos, prefixes and synonyms) occurs."""
    hits = TermHits()
    if term.phrase:
        hits.add(phrase_locations(store, term.words, fields), 0, True)
        highlights.update(dict.fromkeys(term.words))
    else:
        word = term.words[0]
        expansions = store.words.vocabulary().expand(word, term.typos, term.prefix)
        for found, cost in sorted(expansions.items(), key=lambda item: (item[1], item[0] != word)):
            hits.add(word_locations(store, found, fields, cost), cost, found == word)
            prefixed = cost == 0 and found != word and found.startswith(word)
            highlights[found] = len(word) if prefixed else None
    for alternative in term.synonyms:
        hits.add(phrase_locations(store, alternative, fields), 0, False)
        highlights.update(dict.fromkeys(alternative))
    return hits.finish()
