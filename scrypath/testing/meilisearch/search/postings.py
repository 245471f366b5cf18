"""The word index: word -> document -> where the word occurs.

A location packs a field id and a word position into one integer, so that the
index stays compact for a hundred thousand documents. Positions restart for each
field and jump by a gap between array elements, so that words from different
elements never look adjacent.
"""

from __future__ import annotations

from collections.abc import Iterable

from .fields import EMPTY, Leaf, is_under
from .tokens import Tokenizer, text_of
from .typo import Vocabulary

VECTORS = "_vectors"
"""Reserved for embeddings: never word-indexed, so never searched nor ranked."""
FIELD_LENGTHS = "\x00lengths"
"""A reserved posting: per document, `pack(fid, number of words)` for each field."""
POSITION_BITS = 20
POSITION_MASK = (1 << POSITION_BITS) - 1
ARRAY_GAP = 8

Locations = tuple[int, ...]


def pack(fid: int, position: int) -> int:
    return (fid << POSITION_BITS) | min(position, POSITION_MASK)


def fid_of(location: int) -> int:
    return location >> POSITION_BITS


def position_of(location: int) -> int:
    return location & POSITION_MASK


class FieldRegistry:
    """Field paths in the order they were first seen, each with a small integer id."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.ids: dict[str, int] = {}

    def fid(self, path: str) -> int:
        found = self.ids.get(path)
        if found is None:
            found = self.ids[path] = len(self.names)
            self.names.append(path)
        return found

    def known(self, path: str) -> int | None:
        return self.ids.get(path)


def document_words(
    flat: list[Leaf], tokenizer: Tokenizer, registry: FieldRegistry
) -> dict[str, list[int]]:
    """Every word of a flattened document with its packed locations."""
    words: dict[str, list[int]] = {}
    next_position: dict[int, int] = {}
    counts: dict[int, int] = {}
    split = tokenizer.splitter()
    known = registry.ids
    for path, value in flat:
        if path[:1] == "_" and is_under(path, VECTORS):
            continue
        fid = known.get(path)
        if fid is None:
            fid = registry.fid(path)
        text = value if value.__class__ is str else None if value is EMPTY else text_of(value)
        if text is None:
            continue
        found = split(text)
        position = next_position.get(fid, 0)
        base = (fid << POSITION_BITS) | position
        if position + len(found) > POSITION_MASK:
            found = found[: max(0, POSITION_MASK - position)]
        for offset, word in enumerate(found):
            entry = words.get(word)
            if entry is None:
                words[word] = [base + offset]
            else:
                entry.append(base + offset)
        next_position[fid] = position + len(found) + ARRAY_GAP
        counts[fid] = counts.get(fid, 0) + len(found)
    words[FIELD_LENGTHS] = [pack(fid, count) for fid, count in counts.items()]
    return words


class WordIndex:
    """Postings of every word, and a lazily rebuilt sorted vocabulary."""

    def __init__(self) -> None:
        self.postings: dict[str, dict[int, Locations]] = {}
        self._vocabulary: Vocabulary | None = None
        self._shared: dict[Locations, Locations] = {}
        """One object per distinct location tuple. Short fields repeat the same few tuples
        across documents; sharing them saves memory and lets ranking, which hashes them by
        the thousand, find each one in cache. Entries stay until the index is cleared."""

    def add(self, doc: int, words: dict[str, list[int]]) -> None:
        shared = self._shared
        for word, locations in words.items():
            entry = self.postings.get(word)
            if entry is None:
                entry = self.postings[word] = {}
                self._vocabulary = None
            found = tuple(locations)
            entry[doc] = shared.setdefault(found, found)

    def remove(self, doc: int, words: Iterable[str]) -> None:
        for word in words:
            entry = self.postings.get(word)
            if entry is not None and entry.pop(doc, None) is not None and not entry:
                del self.postings[word]
                self._vocabulary = None

    def clear(self) -> None:
        self.postings.clear()
        self._shared.clear()
        self._vocabulary = None

    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = Vocabulary(w for w in self.postings if w != FIELD_LENGTHS)
        return self._vocabulary

    def field_length(self, doc: int, fid: int) -> int:
        """How many words field `fid` of `doc` holds."""
        for location in self.postings.get(FIELD_LENGTHS, {}).get(doc, ()):
            if fid_of(location) == fid:
                return position_of(location)
        return 0
