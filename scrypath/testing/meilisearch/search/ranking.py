"""Ranking rules applied as a lazy bucket sort, and the ranking score.

Each rule splits a bucket of equally ranked documents into ordered sub-buckets;
only the buckets that reach the requested page are refined. A relevancy rule gives
every document a rank out of a maximum; the ranking score merges those ranks in
rule order (a mixed-radix number), so it never increases down a list that no sort
rule reordered. Placeholder searches skip the relevancy rules and score 1.0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cmp_to_key, partial
from typing import Any

from .config import Config
from .hits import Fields
from .matching import Matched
from .relevancy import Rank, Relevancy
from .store import DocumentStore
from .tokens import normalize_facet

RELEVANCY = frozenset(
    {"words", "typo", "proximity", "attribute", "attributeRank", "wordPosition", "exactness"}
)


def global_score(ranks: Iterable[Rank]) -> float:
    total = Rank(1, 1)
    for rank in ranks:
        total = total.then(rank)
    return total.score


@dataclass(frozen=True, slots=True)
class Rule:
    """A relevancy rule (`name`) or a sort on `field`."""

    name: str
    field: str | None = None
    ascending: bool = True

    @property
    def relevancy(self) -> bool:
        return self.field is None


def build_rules(config: Config, sort: list[tuple[str, bool]], placeholder: bool) -> list[Rule]:
    """The rules of a request: the settings' rules, `sort` expanded in place."""
    rules: list[Rule] = []
    for name in config.ranking_rules:
        if name == "sort":
            rules.extend(Rule(f"{f}:{'asc' if a else 'desc'}", f, a) for f, a in sort)
        elif name in RELEVANCY:
            if not placeholder:
                rules.append(Rule(name))
        elif name.endswith((":asc", ":desc")):
            field, _, direction = name.rpartition(":")
            rules.append(Rule(name, field, direction == "asc"))
    return rules


SortKey = tuple[int, Any, Any]


class Ranker:
    """Orders candidates and explains their scores for one request."""

    def __init__(
        self,
        store: DocumentStore,
        matched: Matched,
        fields: Fields,
        rules: list[Rule],
        *,
        by_attribute: bool = False,
    ) -> None:
        self.store = store
        self.rules = rules
        self.relevancy = Relevancy(store, matched, fields, by_attribute=by_attribute)
        self._ranks: dict[tuple[str, int], Rank] = {}

    # -- ordering ----------------------------------------------------------------------

    def order(self, ids: Iterable[int]) -> Iterator[int]:
        """`ids` best first, refining only the buckets that are consumed."""
        return self._order(list(ids), 0)

    def order_eager(self, ids: Iterable[int]) -> list[int]:
        """`ids` best first, every rule applied to every document: the reference order."""
        docs = sorted(ids)
        for rule in reversed(self.rules):
            if rule.relevancy:
                compute = self.relevancy.rules[rule.name]
                docs.sort(key=lambda doc: compute(doc).score, reverse=True)
            else:
                docs.sort(key=cmp_to_key(partial(self._compare_sorted, rule)))
        return docs

    def _compare_sorted(self, rule: Rule, a: int, b: int) -> int:
        kind_a, value_a, _ = self.sort_key(rule, a)
        kind_b, value_b, _ = self.sort_key(rule, b)
        if kind_a != kind_b:
            return -1 if kind_a < kind_b else 1
        if kind_a == 2 or value_a == value_b:
            return 0
        less = value_a < value_b
        return (-1 if less else 1) if rule.ascending else (1 if less else -1)

    def _order(self, ids: list[int], depth: int) -> Iterator[int]:
        if len(ids) <= 1 or depth == len(self.rules):
            yield from sorted(ids)
            return
        for bucket in self._buckets(self.rules[depth], ids):
            yield from self._order(bucket, depth + 1)

    def _buckets(self, rule: Rule, ids: list[int]) -> Iterator[list[int]]:
        if not rule.relevancy:
            yield from _sort_buckets(ids, lambda doc: self.sort_key(rule, doc), rule.ascending)
            return
        if self.relevancy.constant(rule.name):
            yield ids
            return
        split = self.relevancy.split(rule.name, ids)
        if split is not None:
            yield from split
            return
        yield from self.relevancy.buckets(rule.name, ids)

    # -- scores ------------------------------------------------------------------------

    def score(self, doc: int) -> float:
        return global_score(self.rank(r.name, doc) for r in self.rules if r.relevancy)

    def details(self, doc: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for order, rule in enumerate(self.rules):
            if rule.relevancy:
                out[rule.name] = {"order": order, **self._detail(rule.name, doc)}
            else:
                out[rule.name] = {"order": order, "value": self.sort_key(rule, doc)[2]}
        return out

    def rank(self, name: str, doc: int) -> Rank:
        key = (name, doc)
        found = self._ranks.get(key)
        if found is None:
            found = self._ranks[key] = self.relevancy.rules[name](doc)
        return found

    def _detail(self, name: str, doc: int) -> dict[str, Any]:
        rank = self.rank(name, doc)
        if name == "words":
            return {
                "matchingWords": rank.rank,
                "maxMatchingWords": rank.max_rank,
                "score": rank.score,
            }
        if name == "typo":
            return {
                "typoCount": rank.max_rank - rank.rank,
                "maxTypoCount": rank.max_rank - 1,
                "score": rank.score,
            }
        if name == "attribute":
            return {
                "attributeRankingOrderScore": self.relevancy.attribute_rank(doc).score,
                "queryWordDistanceScore": self.relevancy.word_position(doc).score,
                "score": rank.score,
            }
        if name == "exactness":
            return self._exactness_detail(doc, rank)
        return {"score": rank.score}

    def _exactness_detail(self, doc: int, rank: Rank) -> dict[str, Any]:
        kind = self.relevancy.exact_attribute(doc)
        match_type = {3: "exactMatch", 2: "matchesStart", 1: "noExactMatch"}[kind]
        detail: dict[str, Any] = {"matchType": match_type}
        if kind == 1:
            exact, count = self.relevancy.exact_words(doc)
            detail |= {"matchingWords": exact, "maxMatchingWords": count}
        return detail | {"score": rank.score}

    # -- sort rules ----------------------------------------------------------------------

    def sort_key(self, rule: Rule, doc: int) -> SortKey:
        assert rule.field is not None
        return sort_key(self.store.values(doc, rule.field), rule.ascending)


def sort_key(values: list[Any], ascending: bool) -> SortKey:
    """(kind, comparable, original): numbers (0) before strings (1) before missing (2)."""
    numbers = [
        (float(v), v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    if numbers:
        number = min(numbers) if ascending else max(numbers)
        return 0, number[0], number[1]
    strings = [(normalize_facet(t), v) for v in values if (t := _sortable_text(v)) is not None]
    if strings:
        text = min(strings) if ascending else max(strings)
        return 1, text[0], text[1]
    return 2, None, None


def _sortable_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else None


def _sort_buckets(
    ids: list[int], key: Callable[[int], SortKey], ascending: bool
) -> list[list[int]]:
    groups: dict[tuple[int, Any], list[int]] = {}
    for doc in ids:
        kind, value, _ = key(doc)
        groups.setdefault((kind, value), []).append(doc)
    ordered: list[list[int]] = []
    for kind in (0, 1):
        keys = [k for k in groups if k[0] == kind]
        keys.sort(key=lambda k: k[1], reverse=not ascending)
        ordered.extend(groups[k] for k in keys)
    missing = groups.get((2, None))
    return [*ordered, missing] if missing else ordered
