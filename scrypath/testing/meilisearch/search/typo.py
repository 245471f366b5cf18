"""Prefix and typo lookups over the sorted vocabulary of an index.

The sorted word list doubles as a trie: the words sharing a prefix form one
contiguous range, so a Damerau-Levenshtein walk (optimal string alignment) only
visits prefixes that can still match. That keeps a typo lookup proportional to
the neighbourhood of the query word, not to the size of the vocabulary.

As in Meilisearch, a typo on the first letter counts as two typos.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

_TOP = "\U0010ffff"

Row = list[int]


@dataclass(slots=True)
class _Walk:
    rest: str
    budget: int
    prefix: bool
    found: dict[str, int]
    ranges: list[tuple[int, int, int]] = field(default_factory=list)


class Vocabulary:
    """An immutable, sorted snapshot of the words of an index."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted(words)
        self.firsts = sorted({w[0] for w in self.words if w})

    def span(self, prefix: str, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
        """The index range of the words starting with `prefix`."""
        end = len(self.words) if hi is None else hi
        start = bisect_left(self.words, prefix, lo, end)
        return start, bisect_left(self.words, prefix + _TOP, start, end)

    def contains(self, word: str) -> bool:
        i = bisect_left(self.words, word)
        return i < len(self.words) and self.words[i] == word

    def expand(self, term: str, budget: int, prefix: bool) -> dict[str, int]:
        """Indexed words matching `term` with at most `budget` typos, mapped to their cost.

        With `prefix`, a word matches when one of its prefixes does.
        """
        found: dict[str, int] = {}
        if budget <= 0 or not term:
            self._exact(term, prefix, 0, found)
            return found
        self._walk_same_first(term, budget, prefix, found)
        if budget >= 2:
            self._first_letter_typos(term, prefix, found)
        return found

    def _exact(self, word: str, prefix: bool, cost: int, found: dict[str, int]) -> None:
        if prefix:
            lo, hi = self.span(word)
            for w in self.words[lo:hi]:
                _keep(found, w, cost)
        elif word and self.contains(word):
            _keep(found, word, cost)

    def _first_letter_typos(self, term: str, prefix: bool, found: dict[str, int]) -> None:
        head, rest = term[0], term[1:]
        candidates = [rest] if rest else []
        if len(term) >= 2 and term[0] != term[1]:
            candidates.append(term[1] + term[0] + term[2:])
        for letter in self.firsts:
            candidates.append(letter + term)
            if letter != head:
                candidates.append(letter + rest)
        for candidate in candidates:
            self._exact(candidate, prefix, 2, found)

    def _walk_same_first(self, term: str, budget: int, prefix: bool, found: dict[str, int]) -> None:
        walk = _Walk(term[1:], budget, prefix, found)
        lo, hi = self.span(term[0])
        self._descend(walk, term[0], list(range(len(walk.rest) + 1)), None, lo, hi)
        for cost, start, end in sorted(walk.ranges):
            for w in self.words[start:end]:
                _keep(found, w, cost)

    def _descend(
        self, walk: _Walk, path: str, row: Row, prev: tuple[Row, str] | None, lo: int, hi: int
    ) -> None:
        if walk.prefix and row[-1] <= walk.budget:
            walk.ranges.append((row[-1], lo, hi))
            if min(row) >= row[-1]:
                return
        depth = len(path)
        i = lo
        if i < hi and len(self.words[i]) == depth:
            if not walk.prefix and row[-1] <= walk.budget:
                _keep(walk.found, path, row[-1])
            i += 1
        while i < hi:
            letter = self.words[i][depth]
            j = bisect_left(self.words, path + letter + _TOP, i, hi)
            nxt = _next_row(row, walk.rest, letter, prev)
            if min(nxt) <= walk.budget:
                self._descend(walk, path + letter, nxt, (row, letter), i, j)
            i = j


def _keep(found: dict[str, int], word: str, cost: int) -> None:
    if cost < found.get(word, cost + 1):
        found[word] = cost


def _next_row(row: Row, rest: str, letter: str, prev: tuple[Row, str] | None) -> Row:
    """One step of the optimal-string-alignment table, for one more letter of the word."""
    out = [row[0] + 1]
    for x in range(1, len(rest) + 1):
        cost = 0 if rest[x - 1] == letter else 1
        value = min(row[x] + 1, out[x - 1] + 1, row[x - 1] + cost)
        if prev is not None and x > 1 and rest[x - 1] == prev[1] and rest[x - 2] == letter:
            value = min(value, prev[0][x - 2] + 1)
        out.append(value)
    return out


def distance(a: str, b: str, *, prefix: bool = False) -> int:
    """Optimal-string-alignment distance from `a` to `b` (to a prefix of `b` with `prefix`)."""
    row = list(range(len(a) + 1))
    best = row[-1]
    prev: tuple[Row, str] | None = None
    for letter in b:
        nxt = _next_row(row, a, letter, prev)
        prev, row = (row, letter), nxt
        best = min(best, row[-1])
    return best if prefix else row[-1]
