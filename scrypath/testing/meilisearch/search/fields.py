"""Dotted field paths over JSON documents: walking, reading, selecting, matching.

Nested objects are addressed as `author.name`; arrays are transparent, so every
element of `tags` is a value of `tags` and `authors[*].name` is `authors.name`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

EMPTY = object()
"""Marker yielded by `leaves` for an empty string, array or object."""


Leaf = tuple[str, Any]


def leaves(value: Any, path: str = "") -> list[Leaf]:
    """Every scalar under `value` with its dotted path; empty containers give `EMPTY`."""
    found: list[Leaf] = []
    _collect(value, path, found)
    return found


def _collect(value: Any, path: str, found: list[Leaf]) -> None:
    if isinstance(value, dict):
        if not value and path:
            found.append((path, EMPTY))
        for key, child in value.items():
            _collect(child, f"{path}.{key}" if path else str(key), found)
    elif isinstance(value, list):
        if not value:
            found.append((path, EMPTY))
        for child in value:
            _collect(child, path, found)
    elif value == "" and isinstance(value, str):
        found.append((path, EMPTY))
    else:
        found.append((path, value))


def present_paths(flat: Iterable[Leaf]) -> set[str]:
    """Every path that exists among `flat` leaves, and the objects above them."""
    paths: set[str] = set()
    for path, _ in flat:
        if "." not in path:
            paths.add(path)
            continue
        parts = path.split(".")
        paths.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return paths


def values_at(value: Any, path: str) -> list[Any]:
    """All scalar values found at `path` (arrays flattened; keys with dots honoured)."""
    if isinstance(value, list):
        return [v for item in value for v in values_at(item, path)]
    if not path:
        return [value]
    if not isinstance(value, dict):
        return []
    found: list[Any] = []
    for key, child in value.items():
        if key == path:
            found.extend(values_at(child, ""))
        elif path.startswith(f"{key}."):
            found.extend(values_at(child, path[len(key) + 1 :]))
    return found


def is_under(field: str, pattern: str) -> bool:
    """True when `field` is `pattern` or nested under it (`author.name` under `author`)."""
    return field == pattern or field.startswith(f"{pattern}.")


def wildcard_match(pattern: str, field: str) -> bool:
    """Meilisearch attribute patterns: `*`, `prefix*`, `*suffix`, `*infix*` or exact."""
    if pattern == "*":
        return True
    starts, ends = pattern.startswith("*"), pattern.endswith("*")
    if starts and ends and len(pattern) > 1:
        return pattern[1:-1] in field
    if starts:
        return field.endswith(pattern[1:])
    if ends:
        return field.startswith(pattern[:-1])
    return pattern == field


def select(document: dict[str, Any], attributes: Iterable[str]) -> dict[str, Any]:
    """The part of `document` named by `attributes` (`*`, fields, or dotted sub-fields)."""
    wanted = list(attributes)
    if "*" in wanted:
        return dict(document)
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key in wanted:
            out[key] = value
            continue
        inner = [a[len(key) + 1 :] for a in wanted if a.startswith(f"{key}.")]
        if inner:
            picked = _select_inner(value, inner)
            if picked is not None:
                out[key] = picked
    return out


def _select_inner(value: Any, attributes: list[str]) -> Any:
    if isinstance(value, dict):
        picked = select(value, attributes)
        return picked if picked else None
    if isinstance(value, list):
        items = [_select_inner(v, attributes) for v in value]
        kept = [v for v in items if v is not None]
        return kept if kept else None
    return None
