"""One parser per task filter parameter, each with Meilisearch's code and wording.

A parser takes the parameter's name and text and returns the `TaskFilter`/`Page` field it
sets with its value; `*` lifts a restriction, as in Meilisearch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .names import index_uid_problem
from .params import U32_MAX, item_name, param_error, parse_uint
from .tasks import KINDS, STATUSES
from .timefmt import parse_filter_date

_DATE_FIELDS = {
    "afterEnqueuedAt": ("after_enqueued_at", True),
    "beforeEnqueuedAt": ("before_enqueued_at", False),
    "afterStartedAt": ("after_started_at", True),
    "beforeStartedAt": ("before_started_at", False),
    "afterFinishedAt": ("after_finished_at", True),
    "beforeFinishedAt": ("before_finished_at", False),
}


def _star_list(text: str) -> list[str] | None:
    items = text.split(",")
    return None if "*" in items else items


def _uint_set(code: str, attr: str) -> Callable[[str, str], tuple[str, Any]]:
    def parse(name: str, text: str) -> tuple[str, Any]:
        items = _star_list(text)
        if items is None:
            return attr, None
        count = len(items)
        parsed = [
            parse_uint(item, code, item_name(name, i, count), U32_MAX)
            for i, item in enumerate(items)
        ]
        return attr, frozenset(parsed)

    return parse


def _enum_set(
    attr: str, allowed: tuple[str, ...], code: str, what: str, plural: str
) -> Callable[[str, str], tuple[str, Any]]:
    def parse(name: str, text: str) -> tuple[str, Any]:
        items = _star_list(text)
        if items is None:
            return attr, None
        for item in items:
            if item not in allowed:
                listed = ", ".join(f"`{value}`" for value in allowed)
                raise param_error(
                    code,
                    name,
                    f"`{item}` is not a valid task {what}. Available {plural} are {listed}.",
                )
        return attr, frozenset(items)

    return parse


def _index_uids(name: str, text: str) -> tuple[str, Any]:
    items = _star_list(text)
    if items is None:
        return "index_uids", None
    for i, item in enumerate(items):
        problem = index_uid_problem(item)
        if problem:
            raise param_error("invalid_index_uid", item_name(name, i, len(items)), problem)
    return "index_uids", frozenset(items)


def _date(name: str, text: str) -> tuple[str, Any]:
    attr, after = _DATE_FIELDS[name]
    if text == "*":
        return attr, None
    moment = parse_filter_date(text, after=after)
    if moment is None:
        code = "invalid_task_" + attr
        raise param_error(
            code,
            name,
            f"`{text}` is an invalid date-time. It should follow the YYYY-MM-DD or "
            "RFC 3339 date-time format.",
        )
    return attr, moment


def _limit(name: str, text: str) -> tuple[str, Any]:
    return "limit", parse_uint(text, "invalid_task_limit", name, U32_MAX)


def _from(name: str, text: str) -> tuple[str, Any]:
    return "start", parse_uint(text, "invalid_task_from", name, U32_MAX)


def _reverse(name: str, text: str) -> tuple[str, Any]:
    if text not in ("true", "false"):
        raise param_error(
            "invalid_task_reverse",
            name,
            f"could not parse `{text}` as a boolean, expected either `true` or `false`",
        )
    return "reverse", text == "true"


PARSERS: dict[str, Callable[[str, str], tuple[str, Any]]] = {
    "limit": _limit,
    "from": _from,
    "reverse": _reverse,
    "uids": _uint_set("invalid_task_uids", "uids"),
    "batchUids": _uint_set("invalid_batch_uids", "batch_uids"),
    "canceledBy": _uint_set("invalid_task_canceled_by", "canceled_by"),
    "types": _enum_set("types", KINDS, "invalid_task_types", "type", "types"),
    "statuses": _enum_set("statuses", STATUSES, "invalid_task_statuses", "status", "statuses"),
    "indexUids": _index_uids,
    **{name: _date for name in _DATE_FIELDS},
}
