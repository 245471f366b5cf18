"""Words as the fake sees them: tokenization, folding and facet normalization.

Tokenization splits on anything that is not a letter or a digit, then applies the
index's `separatorTokens`, `nonSeparatorTokens` and `dictionary` settings. Folding
(case and diacritics) makes `Élan` and `elan` the same word. Scripts without
spaces are not segmented: that is out of scope for the fake.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lowercase `text` and strip its diacritics (NFKD, combining marks dropped)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def normalize_facet(text: str) -> str:
    """Meilisearch's facet normalization: trimmed, NFKD-decomposed, lowercased."""
    return unicodedata.normalize("NFKD", text.strip()).lower()


def text_of(value: Any) -> str | None:
    """The searchable text of a scalar document value, or None when it has none."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    return None


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: its folded form and its character span in the original."""

    word: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Tokenizer:
    """Splits text into words according to the index's tokenization settings."""

    separators: tuple[str, ...] = ()
    non_separators: tuple[str, ...] = ()
    dictionary: tuple[str, ...] = ()

    def tokens(self, text: str) -> list[Token]:
        pattern = _pattern(self.separators, self.non_separators, self.dictionary)
        return [Token(fold(m.group()), m.start(), m.end()) for m in pattern.finditer(text)]

    def words(self, text: str) -> list[str]:
        return self.splitter()(text)

    def splitter(self) -> Callable[[str], list[str]]:
        """`words`, with the pattern looked up once: for indexing many texts in a row."""
        findall = _pattern(self.separators, self.non_separators, self.dictionary).findall
        if self.separators or self.non_separators:
            return lambda text: [fold(w) for w in findall(text)]

        def split(text: str) -> list[str]:
            if text.isascii():
                result: list[str] = findall(text.lower())
                return result
            return [fold(w) for w in findall(text)]

        return split


def _alternation(strings: tuple[str, ...]) -> str:
    ordered = sorted({s for s in strings if s}, key=len, reverse=True)
    return "|".join(re.escape(s) for s in ordered)


@lru_cache(maxsize=64)
def _pattern(
    separators: tuple[str, ...], non_separators: tuple[str, ...], dictionary: tuple[str, ...]
) -> re.Pattern[str]:
    unit = r"[^\W_]"
    if non_separators:
        unit = f"(?:{_alternation(non_separators)}|{unit})"
    if separators:
        unit = f"(?:(?!{_alternation(separators)}){unit})"
    word = f"{unit}+"
    if dictionary:
        word = f"(?i:{_alternation(dictionary)})|{word}"
    return re.compile(word)
