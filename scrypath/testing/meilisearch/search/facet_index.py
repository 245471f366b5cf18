"""The value index of faceted (filterable) fields: value -> documents.

Strings are kept under Meilisearch's facet normalization (trimmed, NFKD,
lowercased) and numbers as floats; booleans are the strings `true` and `false`.
Sorted key lists, rebuilt only when a field's keys change, serve range filters.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from typing import Any

from .fields import EMPTY, Leaf, present_paths
from .tokens import normalize_facet

Entry = tuple[str, str, Any, str]
Bound = tuple[Any, bool] | None


def facet_entries(flat: list[Leaf], faceted: Callable[[str], bool]) -> Iterator[Entry]:
    """(kind, field, key, original) for every faceted value of a flattened document."""
    for path, value in flat:
        if not faceted(path):
            continue
        if value is EMPTY:
            yield "empty", path, None, ""
        elif value is None:
            yield "null", path, None, ""
        elif isinstance(value, bool):
            text = "true" if value else "false"
            yield "string", path, text, text
        elif isinstance(value, int | float):
            yield "number", path, float(value), ""
        elif isinstance(value, str):
            yield "string", path, normalize_facet(value), value
    for path in present_paths(flat):
        if faceted(path):
            yield "exists", path, None, ""


class FacetIndex:
    """Document ids per faceted value, per field."""

    def __init__(self) -> None:
        self.strings: dict[str, dict[str, set[int]]] = {}
        self.numbers: dict[str, dict[float, set[int]]] = {}
        self.flags: dict[tuple[str, str], set[int]] = {}
        self.originals: dict[str, dict[str, str]] = {}
        self._sorted: dict[tuple[str, str], list[Any]] = {}

    def clear(self) -> None:
        self.strings.clear()
        self.numbers.clear()
        self.flags.clear()
        self.originals.clear()
        self._sorted.clear()

    def add(self, doc: int, flat: list[Leaf], faceted: Callable[[str], bool]) -> None:
        for kind, field, key, original in facet_entries(flat, faceted):
            table = self._table(kind, field)
            if table is None:
                self.flags.setdefault((kind, field), set()).add(doc)
                continue
            ids = table.get(key)
            if ids is None:
                ids = table[key] = set()
                self._sorted.pop((kind, field), None)
                if kind == "string":
                    self.originals.setdefault(field, {})[key] = original
            ids.add(doc)

    def remove(self, doc: int, flat: list[Leaf], faceted: Callable[[str], bool]) -> None:
        for kind, field, key, _ in facet_entries(flat, faceted):
            table = self._table(kind, field)
            ids = self.flags.get((kind, field)) if table is None else table.get(key)
            if ids is None:
                continue
            ids.discard(doc)
            if not ids and table is not None:
                del table[key]
                self._sorted.pop((kind, field), None)
                self.originals.get(field, {}).pop(key, None)

    def _table(self, kind: str, field: str) -> dict[Any, set[int]] | None:
        if kind == "string":
            return self.strings.setdefault(field, {})
        if kind == "number":
            return self.numbers.setdefault(field, {})
        return None

    def original(self, field: str, key: str) -> str:
        """The value as first written in a document, for display."""
        return self.originals.get(field, {}).get(key, key)

    def flag(self, kind: str, field: str) -> set[int]:
        """Documents where `field` exists, is null or is empty (`kind`); never mutate it."""
        return self.flags.get((kind, field), set())

    def equal(self, field: str, text: str, number: float | None) -> set[int]:
        """Documents whose value equals `text` (as a string, or as a number when it is one).

        The returned set may be the index's own: callers combine it, never mutate it.
        """
        found = self.strings.get(field, {}).get(normalize_facet(text), set())
        if number is not None:
            numeric = self.numbers.get(field, {}).get(number)
            if numeric:
                found = found | numeric
        return found

    def number_range(self, field: str, low: Bound, high: Bound) -> set[int]:
        return self._range("number", self.numbers.get(field, {}), field, low, high)

    def string_range(self, field: str, low: Bound, high: Bound) -> set[int]:
        return self._range("string", self.strings.get(field, {}), field, low, high)

    def starts_with(self, field: str, prefix: str) -> set[int]:
        table = self.strings.get(field, {})
        keys = self._keys("string", field, table)
        start = bisect_left(keys, prefix)
        end = bisect_left(keys, prefix + "\U0010ffff", start)
        return _union(table, keys[start:end])

    def _keys(self, kind: str, field: str, table: dict[Any, set[int]]) -> list[Any]:
        keys = self._sorted.get((kind, field))
        if keys is None:
            keys = self._sorted[(kind, field)] = sorted(table)
        return keys

    def _range(
        self, kind: str, table: dict[Any, set[int]], field: str, low: Bound, high: Bound
    ) -> set[int]:
        keys = self._keys(kind, field, table)
        start, end = 0, len(keys)
        if low is not None:
            start = (bisect_left if low[1] else bisect_right)(keys, low[0])
        if high is not None:
            end = (bisect_right if high[1] else bisect_left)(keys, high[0])
        return _union(table, keys[start:end])


def _union(table: dict[Any, set[int]], keys: list[Any]) -> set[int]:
    found: set[int] = set()
    for key in keys:
        found |= table[key]
    return found
