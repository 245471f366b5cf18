"""The filter language: Python data compiled to Meilisearch filter syntax.

```python
{"status": "published"}                     # status = "published"
{"price": {"gte": 10, "lt": 50}}            # price >= 10 AND price < 50
{"tag": ["a", "b"]}                         # tag IN ["a", "b"]
{"deleted_at": None}                        # deleted_at IS NULL
{"or": [{"a": 1}, {"not": {"b": 2}}]}       # a = 1 OR NOT (b = 2)
```

Several keys in one mapping are joined with AND. Operators: `eq, ne, gt, gte, lt, lte, in,
not_in, exists, is_null, is_empty` (the last three take a bool) and `between` (a pair,
compiled to `TO`). Values may be str, int, finite float, bool, None, or anything the
projection encoder turns into one of those (datetime, date, Decimal, UUID, Enum), so a filter
compares exactly what the document holds.

Strings are always double-quoted with `\\` and `"` escaped, so a user's value can never end
its clause early. Attribute names must match `[A-Za-z0-9_.-]+` and be filterable on the spec
(a dotted name is allowed under a filterable object); names that are Meilisearch keywords are
quoted. The words `and`, `or` and `not` are reserved as keys.

Meilisearch's parser stops at a nesting depth of 150, counted on the filter string: reading
a condition costs 3 levels, each `NOT` one more, and each parenthesized group 4 more (so a
`{"not": ...}`, compiled to `NOT (...)`, costs 5). The compiler counts its output the same
way and refuses, before any request, what Meilisearch would refuse: at most 29 nested
`not`, or 36 nested groups that alternate `and` and `or`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Literal, NoReturn, TypeGuard

from scrypath.declaration import SearchSpec
from scrypath.errors import EncodingError, FilterError, SearchOptionError
from scrypath.projection import encode_value, short_repr

OPERATORS = (
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "not_in",
    "exists",
    "is_null",
    "is_empty",
    "between",
)
"""Operator keys accepted inside `{"attribute": {operator: value}}`."""

MAX_DEPTH = 150
"""Meilisearch's filter depth limit, counted as its parser counts (see the module docs).

It also bounds how deeply the `and`/`or`/`not` mappings may nest, whatever they compile to.
"""

_CONDITION_DEPTH = 3
"""The parser's depth at a condition: its `OR`, `AND` and `NOT` levels, then the condition."""
_GROUP_DEPTH = 4
"""What `( ... )` adds: the group's primary expression, then its `OR`, `AND` and `NOT` levels."""
_NOT_DEPTH = 1 + _GROUP_DEPTH
"""What the compiled `NOT ( ... )` adds: the `NOT`, then the group."""

_ATTRIBUTE = re.compile(r"[A-Za-z0-9_.-]+")
_KEYWORDS = frozenset(
    {"AND", "OR", "IN", "NOT", "TO", "EXISTS", "IS", "NULL", "EMPTY", "CONTAINS", "STARTS", "WITH"}
)
_COMPARISONS = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_FLAGS = {
    "exists": ("EXISTS", "NOT EXISTS"),
    "is_null": ("IS NULL", "IS NOT NULL"),
    "is_empty": ("IS EMPTY", "IS NOT EMPTY"),
}

_Kind = Literal["leaf", "and", "or", "not"]


@dataclass(frozen=True, slots=True)
class _Clause:
    text: str
    kind: _Kind
    depth: int = _CONDITION_DEPTH
    """The deepest level Meilisearch's parser reaches reading `text` on its own."""


@dataclass(frozen=True, slots=True)
class _Scope:
    model: str
    allowed: tuple[str, ...]


def compile_filter(spec: SearchSpec, expression: object, *, option: str = "filter") -> str | None:
    """Compile a filter mapping for `spec`'s index; None or `{}` means no filter.

    `option` names the argument the expression came from (`filter`, `facet_filter`, ...)
    in errors, so the caller is told which of its arguments to fix.
    """
    if expression is None or (isinstance(expression, Mapping) and not expression):
        return None
    try:
        if isinstance(expression, str):
            _fail(
                "filters are mappings such as {'status': 'published'}; raw Meilisearch filter "
                "strings belong to scrypath.meilisearch",
                key=None,
            )
        scope = _Scope(spec.model_name, spec.filter_attributes)
        return _within_depth(_expression(expression, scope, 0)).text
    except FilterError as error:
        if option == "filter":
            raise
        message = option + error.message.removeprefix("filter")
        raise FilterError(message, **{**error.context, "option": option}) from None


def _fail(message: str, *, key: object, allowed: Sequence[str] = ()) -> NoReturn:
    raise FilterError(f"filter: {message}", option="filter", key=key, allowed=list(allowed))


def _within_depth(clause: _Clause) -> _Clause:
    if clause.depth > MAX_DEPTH:
        _fail(
            f"nests too deeply for Meilisearch: it would parse to depth {clause.depth}, above "
            f"its limit of {MAX_DEPTH} ({_CONDITION_DEPTH} to reach a condition, "
            f"{_NOT_DEPTH} more per 'not', {_GROUP_DEPTH} more per and/or group in the other)",
            key=None,
        )
    return clause


def _expression(expression: object, scope: _Scope, depth: int) -> _Clause:
    if depth > MAX_DEPTH:
        _fail(f"nests deeper than {MAX_DEPTH} levels", key=None)
    if not isinstance(expression, Mapping) or not expression:
        _fail(f"expected a non-empty filter mapping, got {_shown(expression)}", key=None)
    clauses = [_entry(key, value, scope, depth) for key, value in expression.items()]
    return _join("and", clauses)


def _entry(key: object, value: object, scope: _Scope, depth: int) -> _Clause:
    if key in ("and", "or"):
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence) or not value:
            _fail(f"{key!r} takes a non-empty list of filters", key=key)
        return _join(key, [_expression(item, scope, depth + 1) for item in value])
    if key == "not":
        inner = _expression(value, scope, depth + 1)
        return _Clause(f"NOT ({inner.text})", "not", inner.depth + _NOT_DEPTH)
    if not isinstance(key, str):
        _fail(f"attribute names are strings, got {_shown(key)}", key=key, allowed=scope.allowed)
    name = _attribute(key, scope)
    if isinstance(value, Mapping):
        if not value:
            _fail(
                f"{key!r}: an operator mapping needs at least one operator",
                key=key,
                allowed=OPERATORS,
            )
        return _join("and", [_operation(name, op, arg, key) for op, arg in value.items()])
    if _is_list(value):
        return _operation(name, "in", value, key)
    return _operation(name, "eq", value, key)


def _join(kind: str, clauses: list[_Clause]) -> _Clause:
    if len(clauses) == 1:
        return clauses[0]
    word = " AND " if kind == "and" else " OR "
    bare = [c.kind in ("leaf", "not", kind) for c in clauses]
    parts = [c.text if b else f"({c.text})" for c, b in zip(clauses, bare, strict=True)]
    depth = max(c.depth + (0 if b else _GROUP_DEPTH) for c, b in zip(clauses, bare, strict=True))
    return _Clause(word.join(parts), "and" if kind == "and" else "or", depth)


def _attribute(key: str, scope: _Scope) -> str:
    if not _ATTRIBUTE.fullmatch(key):
        _fail(
            f"{key!r} is not a valid attribute name (letters, digits, '_', '-', '.')",
            key=key,
            allowed=scope.allowed,
        )
    if not _permitted(key, scope.allowed):
        listed = ", ".join(scope.allowed) or "none"
        _fail(
            f"{key!r} is not filterable on {scope.model}; filterable: {listed}",
            key=key,
            allowed=scope.allowed,
        )
    return quote(key) if key in _KEYWORDS or key.startswith("_geo") else key


def _permitted(name: str, allowed: Sequence[str]) -> bool:
    return any(name == root or name.startswith(f"{root}.") for root in allowed)


def _operation(name: str, op: object, value: object, key: str) -> _Clause:
    if op in _COMPARISONS:
        return _comparison(name, str(op), value, key)
    if op in _FLAGS:
        if not isinstance(value, bool):
            _fail(f"{key!r}: {op} takes True or False, got {_shown(value)}", key=key)
        positive, negative = _FLAGS[str(op)]
        return _Clause(f"{name} {positive if value else negative}", "leaf")
    if op in ("in", "not_in"):
        keyword = "IN" if op == "in" else "NOT IN"
        return _Clause(f"{name} {keyword} [{', '.join(_list(value, key, str(op)))}]", "leaf")
    if op == "between":
        low, high = _pair(value, key)
        return _Clause(f"{name} {low} TO {high}", "leaf")
    _fail(
        f"{key!r}: unknown operator {short_repr(op)}; use one of {', '.join(OPERATORS)}",
        key=key,
        allowed=OPERATORS,
    )


def _comparison(name: str, op: str, value: object, key: str) -> _Clause:
    if value is None and op in ("eq", "ne"):
        return _Clause(f"{name} {'IS NULL' if op == 'eq' else 'IS NOT NULL'}", "leaf")
    if _is_list(value):
        _fail(f"{key!r}: {op} takes one value; use 'in' for a list", key=key)
    if op not in ("eq", "ne") and (value is None or isinstance(value, bool)):
        _fail(f"{key!r}: {op} compares numbers or strings, got {_shown(value)}", key=key)
    return _Clause(f"{name} {_COMPARISONS[op]} {literal(value, key=key)}", "leaf")


def _list(value: object, key: str, op: str) -> list[str]:
    if not _is_list(value):
        _fail(f"{key!r}: {op} takes a list of values, got {_shown(value)}", key=key)
    if any(item is None for item in value):
        _fail(f"{key!r}: {op} lists cannot hold None; use is_null", key=key)
    literals = [literal(item, key=key) for item in value]
    return sorted(literals) if isinstance(value, Set) else literals


def _pair(value: object, key: str) -> tuple[str, str]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        _fail(f"{key!r}: between takes a (low, high) pair, got {_shown(value)}", key=key)
    low, high = value
    if any(item is None or isinstance(item, bool) for item in (low, high)):
        _fail(f"{key!r}: between compares numbers or strings, got {_shown(value)}", key=key)
    return literal(low, key=key), literal(high, key=key)


def _is_list(value: object) -> TypeGuard[list[object] | tuple[object, ...] | Set[object]]:
    return isinstance(value, list | tuple | Set)


def literal(value: object, *, key: object = None) -> str:
    """The filter-syntax form of one value: quoted string, number, true or false."""
    try:
        encoded = encode_value(value, field=str(key))
    except EncodingError:
        _fail(f"{key!r}: cannot filter on {_shown(value)}; {_encodable_hint(value)}", key=key)
    if isinstance(encoded, bool):
        return "true" if encoded else "false"
    if isinstance(encoded, int):
        return str(encoded)
    if isinstance(encoded, float) and math.isfinite(encoded):
        return repr(encoded).replace("e+", "e")
    if isinstance(encoded, str):
        return quote(encoded)
    _fail(
        f"{key!r}: cannot filter on {_shown(value)}; use a string, a finite number, a bool or None",
        key=key,
    )


def _encodable_hint(value: object) -> str:
    if isinstance(value, str):
        return "a string must be valid Unicode, without lone surrogates"
    if isinstance(value, int) and not isinstance(value, bool):
        return "an integer must be within the range of a 64-bit float"
    return "use a string, a finite number, a bool or None"


def quote(text: str) -> str:
    """Double-quote a string for a filter, escaping backslashes and double quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _shown(value: object) -> str:
    return f"{type(value).__name__} {short_repr(value, 60)}"


def validate_sort(spec: SearchSpec, sort: object) -> list[str]:
    """Normalize `"field"`, `"-field"` or `"field:asc|desc"` items to Meilisearch's form."""
    if sort is None:
        return []
    items = [sort] if isinstance(sort, str) else sort
    if not isinstance(items, Sequence):
        _option_fail(
            "sort", f"expected a list of sort keys, got {_shown(sort)}", None, spec.sortable
        )
    rules: dict[str, str] = {}
    for item in items:
        name, order = _sort_item(item, spec)
        if name in rules:
            _option_fail("sort", f"{name!r} is sorted on twice", item, spec.sortable)
        rules[name] = order
    return [f"{name}:{order}" for name, order in rules.items()]


def _sort_item(item: object, spec: SearchSpec) -> tuple[str, str]:
    if not isinstance(item, str):
        _option_fail("sort", f"sort keys are strings, got {_shown(item)}", item, spec.sortable)
    name, order = item, "asc"
    if item.startswith("-"):
        name, order = item[1:], "desc"
    elif ":" in item:
        name, _, order = item.rpartition(":")
    if order not in ("asc", "desc"):
        _option_fail("sort", f"{item!r}: the order must be asc or desc", item, spec.sortable)
    if not _ATTRIBUTE.fullmatch(name) or not _permitted(name, spec.sortable):
        listed = ", ".join(spec.sortable) or "none"
        _option_fail(
            "sort",
            f"{name!r} is not sortable on {spec.model_name}; sortable: {listed}",
            item,
            spec.sortable,
        )
    return name, order


def validate_facets(spec: SearchSpec, facets: object) -> list[str]:
    """Check requested facets against the declared ones; returns them as a list."""
    if facets is None:
        return []
    items = [facets] if isinstance(facets, str) else facets
    if not isinstance(items, Sequence):
        _option_fail(
            "facets", f"expected a list of facet names, got {_shown(facets)}", None, spec.facets
        )
    checked: list[str] = []
    for item in items:
        if not isinstance(item, str) or item not in spec.facets:
            listed = ", ".join(spec.facets) or "none are declared; add faceting=..."
            _option_fail(
                "facets",
                f"{short_repr(item)} is not a facet of {spec.model_name}; facets: {listed}",
                item,
                spec.facets,
            )
        if item in checked:
            _option_fail("facets", f"{item!r} is requested twice", item, spec.facets)
        checked.append(item)
    return checked


def _option_fail(option: str, message: str, key: object, allowed: Sequence[str]) -> NoReturn:
    raise SearchOptionError(f"{option}: {message}", option=option, key=key, allowed=list(allowed))
