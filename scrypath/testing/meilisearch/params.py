"""Query-string parameters, parsed and rejected with Meilisearch's wording and codes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qs

from .errors import MeiliError
from .wire import backticked, did_you_mean

Query = dict[str, list[str]]

U32_MAX = 2**32 - 1
USIZE_MAX = 2**64 - 1
_UNSIGNED = re.compile(r"^\+?[0-9]+$")


def parse_query(raw: str) -> Query:
    """Decode a query string; repeated names keep every value, blank values are kept."""
    return parse_qs(raw, keep_blank_values=True)


def check_known(query: Query, accepted: Sequence[str]) -> None:
    """Reject the first unknown parameter, like a `deny_unknown_fields` query struct."""
    for name in query:
        if name not in accepted:
            raise MeiliError(
                "bad_request",
                f"Unknown parameter `{name}`: {did_you_mean(name, accepted)}"
                f"expected one of {backticked(accepted)}",
            )


def param_error(code: str, name: str, message: str) -> MeiliError:
    return MeiliError(code, f"Invalid value in parameter `{name}`: {message}")


def last(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def parse_uint(text: str, code: str, name: str, maximum: int = USIZE_MAX) -> int:
    """An unsigned integer as Rust parses one; anything else is the parameter's error."""
    if _UNSIGNED.match(text) and int(text) <= maximum:
        return int(text)
    raise param_error(code, name, f"could not parse `{text}` as a positive integer")


def uint(query: Query, name: str, code: str, default: int, maximum: int = USIZE_MAX) -> int:
    text = last(query, name)
    return default if text is None else parse_uint(text, code, name, maximum)


def boolean(query: Query, name: str, code: str) -> bool | None:
    text = last(query, name)
    if text is None:
        return None
    if text in ("true", "false"):
        return text == "true"
    raise param_error(
        code, name, f"could not parse `{text}` as a boolean, expected either `true` or `false`"
    )


def comma_list(query: Query, name: str) -> list[str] | None:
    """A comma-separated list; `*` anywhere means "no restriction" and gives None."""
    text = last(query, name)
    if text is None:
        return None
    items = text.split(",")
    return None if "*" in items else items


def item_name(name: str, index: int, count: int) -> str:
    """`uids[1]` when a list holds several items, plain `uids` otherwise (as Meilisearch)."""
    return f"{name}[{index}]" if count > 1 else name
