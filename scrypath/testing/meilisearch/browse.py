"""Reading documents back: field selection and sorting for the documents routes.

These routes ignore `displayedAttributes` (only search honours it) and sort only on
sortable attributes, as Meilisearch does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import MeiliError


def select_fields(document: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """The document restricted to `fields` (dotted paths reach into objects); a copy."""
    if fields is None or "*" in fields:
        return dict(document)
    selected: dict[str, Any] = {}
    for path in fields:
        _copy_path(document, path.split("."), selected)
    return selected


def _copy_path(source: dict[str, Any], parts: list[str], target: dict[str, Any]) -> None:
    head = parts[0]
    if head not in source:
        return
    value = source[head]
    if len(parts) == 1:
        target[head] = value
    elif isinstance(value, dict):
        branch = target.setdefault(head, {})
        if isinstance(branch, dict):
            _copy_path(value, parts[1:], branch)


VECTORS = "_vectors"


def with_vectors(document: dict[str, Any], *, retrieve: bool) -> dict[str, Any]:
    """The `_vectors` field as document reads show it: dropped unless `retrieveVectors`.

    When retrieved, it is always present, last, and an object: the stored one when the
    selected fields kept it, else empty (the fake computes no embeddings of its own).
    """
    vectors = document.pop(VECTORS, None)
    if retrieve:
        document[VECTORS] = vectors if isinstance(vectors, dict) else {}
    return document


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    descending: bool


def parse_sort(expressions: Sequence[str], sortable: Sequence[str]) -> list[SortKey]:
    """Check `attribute:asc|desc` expressions against the index's sortable attributes."""
    keys: list[SortKey] = []
    for expression in expressions:
        field, _, direction = expression.rpartition(":")
        if not field or direction not in ("asc", "desc"):
            raise MeiliError(
                "invalid_document_sort",
                "Invalid syntax for the sort parameter: expected expression ending by `:asc` "
                f"or `:desc`, found `{expression}`.",
            )
        if field not in sortable:
            raise MeiliError("invalid_document_sort", _not_sortable(field, sortable))
        keys.append(SortKey(field, direction == "desc"))
    return keys


def _not_sortable(field: str, sortable: Sequence[str]) -> str:
    prefix = f"Attribute `{field}` is not sortable."
    if not sortable:
        return f"{prefix} This index does not have configured sortable attributes."
    return f"{prefix} Available sortable attributes are: `{', '.join(sortable)}`."


def sort_documents(
    documents: list[dict[str, Any]], keys: Sequence[SortKey]
) -> list[dict[str, Any]]:
    """Stable multi-key sort: numbers before strings, documents lacking the field last."""
    ordered = list(documents)
    for key in reversed(keys):
        present = [doc for doc in ordered if _sort_value(doc, key) is not None]
        absent = [doc for doc in ordered if _sort_value(doc, key) is None]
        present.sort(key=lambda doc: _rank(_sort_value(doc, key)), reverse=key.descending)
        ordered = present + absent
    return ordered


def _sort_value(document: dict[str, Any], key: SortKey) -> Any:
    value: Any = document
    for part in key.field.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if isinstance(value, list):
        values = [item for item in value if _rankable(item)]
        if not values:
            return None
        ranked = sorted(values, key=_rank)
        return ranked[-1] if key.descending else ranked[0]
    return value if _rankable(value) else None


def _rankable(value: Any) -> bool:
    return isinstance(value, (int, float, str)) and not isinstance(value, bool)


def _rank(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, (int, float)) else (1, value)
