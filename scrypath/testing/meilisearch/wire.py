"""Meilisearch's wording for malformed JSON bodies, so clients see the real messages.

Meilisearch validates request bodies field by field and reports the first problem with a
JSON-pointer-like location (`.typoTolerance.minWordSizeForTypos`, `[0].indexes`). These
helpers build those messages as `MeiliError`s carrying the caller's error code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .errors import MeiliError

_KIND_ORDER = ("null", "boolean", "integer", "negative", "number", "string", "array", "object")
_KIND_TEXT = {
    "null": "null",
    "boolean": "a boolean",
    "integer": "a positive integer",
    "negative": "a negative integer",
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "an object",
}


def compact_json(value: Any) -> str:
    """JSON without spaces, the way Meilisearch quotes values in messages."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def kind_of(value: Any) -> str:
    """The JSON kind of a decoded value, in Meilisearch's vocabulary."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if value >= 0 else "negative"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def describe(value: Any) -> str:
    """`a string: `"doggo"``: the kind of a value followed by the value itself."""
    kind = kind_of(value)
    return "null" if kind == "null" else f"{_KIND_TEXT[kind]}: `{compact_json(value)}`"


def expected_text(kinds: Sequence[str]) -> str:
    """Join accepted kinds like Meilisearch: `null, a boolean, or a string`."""
    ordered = sorted(set(kinds), key=_KIND_ORDER.index)
    parts = [_KIND_TEXT[kind] for kind in ordered]
    if len(parts) <= 2:
        return " or ".join(parts)
    return ", ".join(parts[:-1]) + ", or " + parts[-1]


def at(path: str, article: str = " at") -> str:
    """The location suffix of a message; empty at the document root."""
    return f"{article} `{path}`" if path else ""


def type_error(code: str, path: str, value: Any, *kinds: str) -> MeiliError:
    expected = expected_text(kinds)
    return MeiliError(
        code, f"Invalid value type{at(path)}: expected {expected}, but found {describe(value)}"
    )


def invalid_value(code: str, path: str, message: str) -> MeiliError:
    return MeiliError(code, f"Invalid value{at(path)}: {message}")


def missing_field(code: str, field: str, path: str = "") -> MeiliError:
    return MeiliError(code, f"Missing field `{field}`{at(path, ' inside')}")


def unknown_field(code: str, key: str, accepted: Sequence[str], path: str = "") -> MeiliError:
    return MeiliError(
        code,
        f"Unknown field `{key}`{at(path, ' inside')}: {did_you_mean(key, accepted)}"
        f"expected one of {backticked(accepted)}",
    )


def unknown_value(code: str, value: str, accepted: Sequence[str], path: str = "") -> MeiliError:
    return MeiliError(
        code,
        f"Unknown value `{value}`{at(path)}: {did_you_mean(value, accepted)}"
        f"expected one of {backticked(accepted)}",
    )


def backticked(names: Sequence[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def did_you_mean(received: str, accepted: Sequence[str]) -> str:
    """Suggest the closest accepted name when it is within the typo budget of its length."""
    budget = _typo_budget(len(received))
    if budget == 0:
        return ""
    scored = [(edit_distance(received, name), name) for name in accepted]
    close = [(distance, name) for distance, name in scored if distance <= budget]
    if not close:
        return ""
    best = min(close, key=lambda pair: pair[0])
    return f"did you mean `{best[1]}`? "


def _typo_budget(length: int) -> int:
    for limit, budget in ((3, 0), (7, 1), (12, 2), (17, 3), (24, 4)):
        if length <= limit:
            return budget
    return 5


def edit_distance(left: str, right: str) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(right) + 1))
    for i, lchar in enumerate(left, start=1):
        current = [i]
        for j, rchar in enumerate(right, start=1):
            cost = 0 if lchar == rchar else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and lchar == right[j - 2] and left[i - 2] == rchar:
                best = min(best, previous2[j - 2] + 1)
            current.append(best)
        previous2, previous = previous, current
    return previous[-1]


def require_object(code: str, value: Any, path: str = "") -> dict[str, Any]:
    """The value as an object, or the type error Meilisearch reports for it."""
    if not isinstance(value, dict):
        raise type_error(code, path, value, "object")
    return value


def reject_unknown(code: str, obj: dict[str, Any], accepted: Sequence[str], path: str = "") -> None:
    """Fail on the first key that is not accepted, like a `deny_unknown_fields` struct."""
    for key in obj:
        if key not in accepted:
            raise unknown_field(code, key, accepted, path)


def child(path: str, key: str | int) -> str:
    """Extend a location with an object key or an array index."""
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"
