"""Shape checks for each settings family, worded and coded as Meilisearch words them.

Every check takes the submitted value, its location and the family's error code, and
returns the value normalized the way Meilisearch stores it (sets sorted, object rules
completed with their defaults). `null` never reaches a check: it means "reset".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import MeiliError
from .wire import (
    child,
    invalid_value,
    reject_unknown,
    require_object,
    type_error,
    unknown_value,
)

Check = Callable[[Any, str, str], Any]


class Reset:
    """The marker for a `null` in a settings payload: back to the default."""

    def __repr__(self) -> str:
        return "RESET"


RESET = Reset()

_MAX_U64 = 2**64 - 1


def text(value: Any, path: str, code: str) -> str:
    if not isinstance(value, str):
        raise type_error(code, path, value, "string")
    return value


def flag(value: Any, path: str, code: str) -> bool:
    if not isinstance(value, bool):
        raise type_error(code, path, value, "boolean")
    return value


def unsigned(value: Any, path: str, code: str, maximum: int = _MAX_U64, name: str = "u64") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise type_error(code, path, value, "integer")
    if value > maximum:
        raise invalid_value(code, path, f"Cannot deserialize {value} into a {name}")
    return value


def string_list(value: Any, path: str, code: str) -> list[str]:
    if not isinstance(value, list):
        raise type_error(code, path, value, "array")
    return [text(item, child(path, i), code) for i, item in enumerate(value)]


def string_set(value: Any, path: str, code: str) -> list[str]:
    return sorted(set(string_list(value, path, code)))


def one_of(*allowed: str) -> Check:
    def check(value: Any, path: str, code: str) -> str:
        chosen = text(value, path, code)
        if chosen not in allowed:
            raise unknown_value(code, chosen, allowed, path)
        return chosen

    return check


def nullable(check: Check) -> Check:
    """Accept `null` as RESET in a nested field, otherwise defer to `check`."""

    def wrapped(value: Any, path: str, code: str) -> Any:
        return RESET if value is None else check(value, path, code)

    return wrapped


def object_of(fields: dict[str, Check]) -> Check:
    """A partial object: only the given subfields, each checked; unknown keys refused."""
    accepted = tuple(fields)

    def check(value: Any, path: str, code: str) -> dict[str, Any]:
        obj = require_object(code, value, path)
        reject_unknown(code, obj, accepted, path)
        return {key: fields[key](obj[key], child(path, key), code) for key in obj}

    return check


def map_of(check_value: Check) -> Check:
    """An object with free keys, values checked; keys sorted like a BTreeMap."""

    def check(value: Any, path: str, code: str) -> dict[str, Any]:
        obj = require_object(code, value, path)
        return {key: check_value(obj[key], child(path, key), code) for key in sorted(obj)}

    return check


def embedders(value: Any, path: str, code: str) -> dict[str, Any]:
    """Only an empty embedder map (or removals) is accepted: the fake has no vector store."""
    obj = require_object(code, value, path)
    configured = [name for name, config in obj.items() if config is not None]
    if configured:
        raise MeiliError(
            "not_implemented",
            f"Embedder `{configured[0]}` cannot be configured: scrypath's fake Meilisearch "
            "has no vector search.",
        )
    return {}


def min_word_size(value: Any, path: str, code: str) -> dict[str, Any]:
    sizes: dict[str, Any] = _MIN_WORD_SIZE(value, path, code)
    one, two = sizes.get("oneTypo"), sizes.get("twoTypos")
    if isinstance(one, int) and isinstance(two, int) and one > two:
        raise invalid_value(
            code,
            path,
            "`minWordSizeForTypos` setting is invalid. `oneTypo` and `twoTypos` fields should "
            "be between `0` and `255`, and `twoTypos` should be greater or equals to `oneTypo` "
            f"but found `oneTypo: {one}` and twoTypos: {two}`.",
        )
    return sizes


def _u8(value: Any, path: str, code: str) -> int:
    return unsigned(value, path, code, 255, "u8")


def _non_zero(value: Any, path: str, code: str) -> int:
    number = unsigned(value, path, code)
    if number == 0:
        raise invalid_value(
            code,
            path,
            "a non-zero integer value lower than `18446744073709551615` was expected, "
            "but found a zero",
        )
    return number


_MIN_WORD_SIZE = object_of({"oneTypo": nullable(_u8), "twoTypos": nullable(_u8)})

typo_tolerance = object_of(
    {
        "enabled": nullable(flag),
        "minWordSizeForTypos": nullable(min_word_size),
        "disableOnWords": nullable(string_set),
        "disableOnAttributes": nullable(string_set),
        "disableOnNumbers": nullable(flag),
    }
)

faceting = object_of(
    {
        "maxValuesPerFacet": nullable(unsigned),
        "sortFacetValuesBy": nullable(map_of(one_of("alpha", "count"))),
    }
)

pagination = object_of({"maxTotalHits": nullable(_non_zero)})

synonyms = map_of(string_list)
