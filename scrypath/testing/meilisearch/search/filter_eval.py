"""Evaluate a parsed filter against a `DocumentStore`'s value index.

Before anything is evaluated, every field must be filterable and every operator
allowed by the field's `filterableAttributes` rule, with Meilisearch's messages.
Equality matches a string value (after facet normalization) or a number; range
operators compare numbers numerically and strings in their normalized order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Set
from typing import TYPE_CHECKING, Any

from ..errors import MeiliError
from .config import Config
from .filter import And, Condition, Node, Not, Or, Span, parse_filter
from .rules import matching_rule, patterns_where
from .tokens import normalize_facet

if TYPE_CHECKING:
    from .store import DocumentStore

EQUALITY = frozenset({"=", "!=", "IN"})
COMPARISON = frozenset({">", ">=", "<", "<=", "TO"})
_BOUNDS = {">": (True, False), ">=": (True, True), "<": (False, False), "<=": (False, True)}


def evaluate_filter(
    store: DocumentStore,
    config: Config,
    expression: Any,
    *,
    error_code: str,
    index_uid: str | None = None,
) -> Set[int] | None:
    """Internal ids matching `expression`; None when the expression filters nothing.

    The result may be one of the value index's own sets: callers must not mutate it.
    """
    node = parse_filter(expression, error_code)
    if node is None:
        return None
    prefix = f"Index `{index_uid}`: " if index_uid is not None else ""
    conditions = list(_conditions(node))
    for condition in conditions:
        _check_filterable(condition.field, config, error_code, prefix)
    for condition in conditions:
        _check_operator(condition, config, error_code, prefix)
    return _evaluate(node, store)


def _conditions(node: Node) -> Iterator[Condition]:
    if isinstance(node, Condition):
        yield node
    elif isinstance(node, Not):
        yield from _conditions(node.item)
    else:
        for item in node.items:
            yield from _conditions(item)


def _check_filterable(field: Span, config: Config, code: str, prefix: str) -> None:
    found = matching_rule(field.text, config.filter_rules)
    if found is not None and found[1].filterable:
        return
    patterns = patterns_where(config.filter_rules, lambda rule: rule.filterable)
    if patterns:
        listed = ", ".join(f"`{p}`" for p in patterns)
        tail = f" Available filterable attribute patterns are: {listed}."
    else:
        tail = " This index does not have configured filterable attributes."
    raise MeiliError(
        code, f"{prefix}Attribute `{field.text}` is not filterable.{tail}\n{field.position()}"
    )


def _check_operator(condition: Condition, config: Config, code: str, prefix: str) -> None:
    found = matching_rule(condition.field.text, config.filter_rules)
    assert found is not None
    index, rule = found
    op = condition.op
    if (op in EQUALITY and not rule.equality) or (op in COMPARISON and not rule.comparison):
        kind = "equality" if op in EQUALITY else "comparison"
        field = condition.field.text
        raise MeiliError(
            code,
            f"{prefix}Filter operator `{op}` is not allowed for the attribute `{field}`.\n"
            f"  - Note: allowed operators: {', '.join(rule.allowed_operators())}.\n"
            f"  - Note: field `{field}` matched rule #{index} in `filterableAttributes`\n"
            f"  - Hint: enable {kind} in rule #{index} by modifying the features.filter object\n"
            f"  - Hint: prepend another rule matching `{field}` with appropriate filter "
            f"features before rule #{index}",
        )


def _evaluate(node: Node, store: DocumentStore) -> Set[int]:
    if isinstance(node, Condition):
        return _condition(node, store)
    if isinstance(node, Not):
        return store.ids() - _evaluate(node.item, store)
    parts = sorted((_evaluate(item, store) for item in node.items), key=len)
    if isinstance(node, And):
        return _intersect(parts)
    assert isinstance(node, Or)
    found: set[int] = set()
    for part in parts:
        found |= part
    return found


def _intersect(parts: list[Set[int]]) -> Set[int]:
    smallest = parts[0]
    if len(parts) == 1:
        return smallest
    return {doc for doc in smallest if all(doc in other for other in parts[1:])}


def number(text: str) -> float | None:
    """`text` as a finite number, or None."""
    if not text.isascii() or "_" in text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _condition(condition: Condition, store: DocumentStore) -> Set[int]:
    field, op, values = condition.field.text, condition.op, condition.values
    facets = store.facets
    if op == "=":
        return facets.equal(field, values[0].text, number(values[0].text))
    if op == "!=":
        return store.ids() - facets.equal(field, values[0].text, number(values[0].text))
    if op == "IN":
        found: set[int] = set()
        for value in values:
            found |= facets.equal(field, value.text, number(value.text))
        return found
    if op in ("EXISTS", "IS NULL", "IS EMPTY"):
        kind = {"EXISTS": "exists", "IS NULL": "null", "IS EMPTY": "empty"}[op]
        return facets.flag(kind, field)
    if op == "STARTS WITH":
        return facets.starts_with(field, normalize_facet(values[0].text))
    return _range(condition, store)


def _range(condition: Condition, store: DocumentStore) -> set[int]:
    field, values = condition.field.text, condition.values
    if condition.op == "TO":
        low, high = values[0].text, values[1].text
        numbers = (number(low), number(high))
        found = store.facets.string_range(
            field, (normalize_facet(low), True), (normalize_facet(high), True)
        )
        if numbers[0] is not None and numbers[1] is not None:
            found = found | store.facets.number_range(field, (numbers[0], True), (numbers[1], True))
        return found
    is_lower, inclusive = _BOUNDS[condition.op]
    text = values[0].text
    bound = (normalize_facet(text), inclusive)
    found = store.facets.string_range(
        field, bound if is_lower else None, None if is_lower else bound
    )
    value = number(text)
    if value is not None:
        numeric = (value, inclusive)
        found = found | store.facets.number_range(
            field, numeric if is_lower else None, None if is_lower else numeric
        )
    return found
