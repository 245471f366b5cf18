"""The filter grammar: a string (or the array form) becomes a small AST.

    expression = or
    or         = and ("OR" and)*
    and        = not ("AND" not)*
    not        = "NOT" not | primary
    primary    = "(" expression ")" | condition
    condition  = value ( ("=" | "!=" | ">" | ">=" | "<" | "<=") value
                       | value "TO" value
                       | ["NOT"] "IN" "[" value ("," value)* [","] "]"
                       | ["NOT"] "EXISTS" | "IS" ["NOT"] ("NULL" | "EMPTY")
                       | ["NOT"] "STARTS" "WITH" value )
    value      = word | 'single quoted' | "double quoted"

Every rule checks its depth on entry, as Meilisearch's parser does: `or` starts at 0, each
rule calls the next one level deeper, `NOT` re-enters `not` one level deeper, and `(`
re-enters `expression` one level below its `primary`. Past `MAX_DEPTH` the filter is refused
with Meilisearch's "maximum depth limit" error, positioned at the rest of the filter.

Keywords are upper case. Quoted values accept backslash escapes (`\\"`, `\\'`,
`\\\\`, `\\n`, `\\t`, `\\uXXXX`...). Errors carry Meilisearch's wording and its
`start:end filter` position line. Geo filters are refused: the fake leaves geo out.
`CONTAINS` is refused as Meilisearch refuses it while its experimental feature is off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import MeiliError
from .filter_lexer import FilterSyntaxError, Token, error_word, escape, lex

MAX_DEPTH = 150
"""Meilisearch's filter depth limit: a condition sits at depth 3, `NOT` adds 1, `(` adds 4."""
GEO_FUNCTIONS = ("_geoRadius", "_geoBoundingBox", "_geoPolygon")
GEO_RESERVED = ("_geo", "_geoDistance", "_geoPoint")
OPERATIONS = (
    "Was expecting an operation `=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `NOT IN`, `TO`, "
    "`EXISTS`, `NOT EXISTS`, `IS NULL`, `IS NOT NULL`, `IS EMPTY`, `IS NOT EMPTY`, "
    "`CONTAINS`, `NOT CONTAINS`, `STARTS WITH`, `NOT STARTS WITH`, `_geoRadius`, "
    "`_geoBoundingBox` or `_geoPolygon`"
)


@dataclass(frozen=True, slots=True)
class Span:
    """A field or value of a filter: its text and where it sits in its source."""

    text: str
    start: int
    length: int
    source: str

    def position(self) -> str:
        return f"{self.start + 1}:{self.start + 1 + self.length} {self.source}"


@dataclass(frozen=True, slots=True)
class Condition:
    """`field op values`: op is a comparison, `TO`, `IN`, `EXISTS`, `IS NULL`, `IS EMPTY`
    or `STARTS WITH`."""

    field: Span
    op: str
    values: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


Node = Condition | Not | And | Or


def parse_filter(expression: Any, code: str) -> Node | None:
    """Parse a filter in its string or array form; None when it filters nothing."""
    if expression is None:
        return None
    if isinstance(expression, str):
        return parse_text(expression, code)
    if isinstance(expression, list):
        return _parse_array(expression, code)
    found = _json(expression)
    raise MeiliError(
        code, f"Invalid syntax for the filter parameter: `expected String, Array, found: {found}`."
    )


def _parse_array(items: list[Any], code: str) -> Node | None:
    ands: list[Node] = []
    for item in items:
        if isinstance(item, str):
            node = parse_text(item, code)
        elif isinstance(item, list):
            node = _parse_or_list(item, code)
        else:
            raise _expression_error(code, "String, [String]", item)
        if node is not None:
            ands.append(node)
    if not ands:
        return None
    return ands[0] if len(ands) == 1 else And(tuple(ands))


def _parse_or_list(items: list[Any], code: str) -> Node | None:
    ors: list[Node] = []
    for item in items:
        if not isinstance(item, str):
            raise _expression_error(code, "String", item)
        node = parse_text(item, code)
        if node is not None:
            ors.append(node)
    if not ors:
        return None
    return ors[0] if len(ors) == 1 else Or(tuple(ors))


def _expression_error(code: str, expected: str, found: Any) -> MeiliError:
    return MeiliError(
        code, f"Invalid type for filter subexpression: expected: {expected}, found: {_json(found)}."
    )


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_text(source: str, code: str) -> Node | None:
    """Parse one filter string; whitespace alone filters nothing."""
    if not source.strip():
        return None
    try:
        return _parse_cached(source)
    except FilterSyntaxError as error:
        position = f"{error.start + 1}:{error.start + 1 + error.length} {source}"
        raise MeiliError(error.code or code, f"{error.message}\n{position}") from None


@lru_cache(maxsize=512)
def _parse_cached(source: str) -> Node:
    return _Parser(source).parse()


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = lex(source)
        self.index = 0

    def parse(self) -> Node:
        node = self._or(0)
        token = self._peek()
        if token is not None:
            rest = self.source[token.raw_start :]
            raise FilterSyntaxError(
                f"Found unexpected characters at the end of the filter: `{escape(rest)}`. "
                "You probably forgot an `OR` or an `AND` rule.",
                token.raw_start,
                len(rest),
            )
        return node

    def _peek(self, ahead: int = 0) -> Token | None:
        at = self.index + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def _take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _check_depth(self, depth: int) -> None:
        if depth > MAX_DEPTH:
            token = self._peek()
            start = token.raw_start if token else len(self.source)
            raise FilterSyntaxError(
                "The filter exceeded the maximum depth limit. Try rewriting the filter so that "
                "it contains fewer nested conditions.",
                start,
                len(self.source) - start,
            )

    def _or(self, depth: int) -> Node:
        self._check_depth(depth)
        items = [self._and(depth + 1)]
        while (token := self._peek()) is not None and token.is_keyword("OR"):
            self._take()
            items.append(self._and(depth + 1))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def _and(self, depth: int) -> Node:
        self._check_depth(depth)
        items = [self._not(depth + 1)]
        while (token := self._peek()) is not None and token.is_keyword("AND"):
            self._take()
            items.append(self._not(depth + 1))
        return items[0] if len(items) == 1 else And(tuple(items))

    def _not(self, depth: int) -> Node:
        self._check_depth(depth)
        token = self._peek()
        if token is not None and token.is_keyword("NOT"):
            self._take()
            inner = self._not(depth + 1)
            return inner.item if isinstance(inner, Not) else Not(inner)
        return self._primary(depth + 1)

    def _primary(self, depth: int) -> Node:
        self._check_depth(depth)
        token = self._peek()
        if token is None:
            raise self._invalid_primary(len(self.source))
        if token.kind == "(":
            self._take()
            inner = self._or(depth + 1)
            closing = self._peek()
            if closing is None or closing.kind != ")":
                rest = self.source[token.raw_start :]
                raise FilterSyntaxError(
                    f"Expression `{escape(rest)}` is missing the following closing delimiter: `)`.",
                    token.raw_start,
                    len(rest),
                )
            self._take()
            return inner
        if token.kind == "word" and token.text in GEO_FUNCTIONS:
            raise _geo_unsupported(token)
        return self._condition()

    def _invalid_primary(self, start: int) -> FilterSyntaxError:
        rest = self.source[start:]
        tail = f"at `{escape(rest)}`." if rest.strip() else "but instead got nothing."
        return FilterSyntaxError(f"{OPERATIONS} {tail}", start, len(rest))

    def _condition(self) -> Node:
        first = self._peek()
        assert first is not None
        if not first.is_value():
            raise self._invalid_primary(first.raw_start)
        field = self._span(self._take())
        if first.kind == "word" and first.text in GEO_RESERVED:
            raise _geo_reserved(first)
        node = self._operation(field)
        if node is None:
            raise self._invalid_primary(first.raw_start)
        return node

    def _operation(self, field: Span) -> Node | None:
        token = self._peek()
        if token is None:
            return None
        if token.kind == "op":
            self._take()
            return Condition(field, token.text, (self._value(),))
        if token.is_keyword("NOT"):
            self._take()
            inner = self._positive_operation(field)
            return None if inner is None else Not(inner)
        if token.is_keyword("IS"):
            return self._is(field)
        if token.is_value() and (after := self._peek(1)) is not None and after.is_keyword("TO"):
            low = self._span(self._take())
            self._take()
            return Condition(field, "TO", (low, self._value()))
        return self._positive_operation(field)

    def _positive_operation(self, field: Span) -> Node | None:
        token = self._peek()
        if token is None or token.kind != "word":
            return None
        if token.text == "IN":
            self._take()
            return Condition(field, "IN", self._in_list())
        if token.text == "EXISTS":
            self._take()
            return Condition(field, "EXISTS")
        if token.text == "CONTAINS":
            self._take()
            self._value()
            raise FilterSyntaxError(
                "Using `CONTAINS` in a filter requires enabling the `contains filter` "
                "experimental feature. See https://github.com/orgs/meilisearch/discussions/763",
                token.start,
                token.length,
                code="feature_not_enabled",
            )
        if (
            token.text == "STARTS"
            and (after := self._peek(1)) is not None
            and after.is_keyword("WITH")
        ):
            self.index += 2
            return Condition(field, "STARTS WITH", (self._value(),))
        return None

    def _is(self, field: Span) -> Node | None:
        self._take()
        negated = (token := self._peek()) is not None and token.is_keyword("NOT")
        if negated:
            self._take()
        token = self._peek()
        if token is None or not (token.is_keyword("NULL") or token.is_keyword("EMPTY")):
            return None
        self._take()
        node = Condition(field, f"IS {token.text}")
        return Not(node) if negated else node

    def _in_list(self) -> tuple[Span, ...]:
        token = self._peek()
        if token is None or token.kind != "[":
            start = token.raw_start if token else len(self.source)
            raise FilterSyntaxError(
                "Expected `[` after `IN` keyword.", start, len(self.source) - start
            )
        self._take()
        values: list[Span] = []
        while (token := self._peek()) is not None and token.is_value():
            values.append(self._span(self._take()))
            separator = self._peek()
            if separator is None or separator.kind != ",":
                break
            self._take()
        return (*values, *self._close_list())

    def _close_list(self) -> tuple[Span, ...]:
        token = self._peek()
        if token is not None and token.kind == "]":
            self._take()
            return ()
        if token is None:
            raise FilterSyntaxError(
                "Expected matching `]` after the list of field names given to `IN[`",
                len(self.source),
                0,
            )
        rest = self.source[token.raw_start :]
        keyword = token.is_keyword()
        note = (
            f", which is a keyword. To use `{escape(token.text)}` as a field name or a value, "
            "surround it by quotes."
            if keyword
            else "."
        )
        found = escape(token.text) if keyword else escape(rest)
        raise FilterSyntaxError(
            "Expected only comma-separated field names inside `IN[..]` but instead found "
            f"`{found}`{note}",
            token.raw_start,
            len(rest),
        )

    def _value(self) -> Span:
        token = self._peek()
        if token is not None and token.is_value():
            return self._span(self._take())
        if token is None:
            raise FilterSyntaxError(
                "Was expecting a value but instead got nothing.", len(self.source), 0
            )
        if token.is_keyword():
            raise FilterSyntaxError(
                f"Was expecting a value but instead got `{token.text}`, which is a reserved "
                f"keyword. To use `{token.text}` as a field name or a value, surround it by "
                "quotes.",
                token.start,
                token.length,
            )
        word = error_word(self.source, token.raw_start)
        raise FilterSyntaxError(
            f"Was expecting a value but instead got `{escape(word)}`.",
            token.raw_start,
            len(word),
        )

    def _span(self, token: Token) -> Span:
        return Span(token.text, token.start, token.length, self.source)


def _geo_unsupported(token: Token) -> FilterSyntaxError:
    return FilterSyntaxError(
        f"The fake Meilisearch does not support geo filters: `{token.text}` cannot be used. "
        "Run these tests against a real Meilisearch to exercise geo search.",
        token.raw_start,
        token.length,
    )


def _geo_reserved(token: Token) -> FilterSyntaxError:
    return FilterSyntaxError(
        f"`{token.text}` is a reserved keyword and thus can't be used as a filter expression. "
        "Use the `_geoRadius(latitude, longitude, distance)` or "
        "`_geoBoundingBox([latitude, longitude], [latitude, longitude])` built-in rules to "
        "filter on `_geo` coordinates.",
        token.raw_start,
        token.length,
    )


def quote(value: str) -> str:
    """`value` as a double-quoted filter value that parses back to itself."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
