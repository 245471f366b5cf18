"""The task filters shared by `GET /tasks`, `DELETE /tasks` and `POST /tasks/cancel`.

Parameters are read in the order they appear in the query string and the first bad one is
reported, as Meilisearch does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any, Protocol, TypeVar

from .errors import MeiliError
from .params import U32_MAX, Query, check_known
from .task_params import PARSERS
from .tasks import Task

FILTER_PARAMS = (
    "uids",
    "batchUids",
    "canceledBy",
    "types",
    "statuses",
    "indexUids",
    "afterEnqueuedAt",
    "beforeEnqueuedAt",
    "afterStartedAt",
    "beforeStartedAt",
    "afterFinishedAt",
    "beforeFinishedAt",
)
LIST_PARAMS = ("limit", "from", "reverse", *FILTER_PARAMS)


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Which tasks a request targets; None means "no restriction" for that field."""

    uids: frozenset[int] | None = None
    batch_uids: frozenset[int] | None = None
    canceled_by: frozenset[int] | None = None
    types: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    index_uids: frozenset[str] | None = None
    after_enqueued_at: int | None = None
    before_enqueued_at: int | None = None
    after_started_at: int | None = None
    before_started_at: int | None = None
    after_finished_at: int | None = None
    before_finished_at: int | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, spec.name) is None for spec in fields(self))

    def matches(self, task: Task) -> bool:
        return _matches_sets(self, task) and _matches_dates(self, task)


@dataclass(frozen=True, slots=True)
class Page:
    limit: int = 20
    start: int | None = None
    reverse: bool = False


def _matches_sets(flt: TaskFilter, task: Task) -> bool:
    pairs: tuple[tuple[frozenset[Any] | None, Any], ...] = (
        (flt.uids, task.uid),
        (flt.batch_uids, task.batch_uid),
        (flt.canceled_by, task.canceled_by),
        (flt.types, task.kind),
        (flt.statuses, task.status),
        (flt.index_uids, task.index_uid),
    )
    return all(wanted is None or value in wanted for wanted, value in pairs)


def _matches_dates(flt: TaskFilter, task: Task) -> bool:
    bounds = (
        (task.enqueued_at, flt.after_enqueued_at, flt.before_enqueued_at),
        (task.started_at, flt.after_started_at, flt.before_started_at),
        (task.finished_at, flt.after_finished_at, flt.before_finished_at),
    )
    return all(in_bounds(moment, after, before) for moment, after, before in bounds)


def in_bounds(moment: int | None, after: int | None, before: int | None) -> bool:
    """True when no bound is set, or when `moment` is strictly between the bounds set."""
    if after is None and before is None:
        return True
    if moment is None:
        return False
    return (after is None or moment > after) and (before is None or moment < before)


def parse_filter(query: Query) -> TaskFilter:
    """The filter of a task deletion or cancelation request (unknown parameters refused)."""
    values = _parse(query, FILTER_PARAMS)
    return TaskFilter(**{k: v for k, v in values.items() if k not in ("limit", "start")})


def parse_listing(query: Query) -> tuple[TaskFilter, Page]:
    """The filter and the page of a `GET /tasks` request."""
    values = _parse(query, LIST_PARAMS)
    page = Page(
        limit=values.pop("limit", 20),
        start=values.pop("start", None),
        reverse=values.pop("reverse", False) or False,
    )
    return TaskFilter(**values), page


def _parse(query: Query, accepted: tuple[str, ...]) -> dict[str, Any]:
    check_known(query, accepted)
    values: dict[str, Any] = {}
    for name, raw in query.items():
        key, value = PARSERS[name](name, raw[-1])
        values[key] = value
    return values


def select(tasks: Iterable[Task], flt: TaskFilter) -> list[Task]:
    """The tasks matching a filter, oldest first."""
    return [task for task in tasks if flt.matches(task)]


class _Numbered(Protocol):
    @property
    def uid(self) -> int: ...


Numbered = TypeVar("Numbered", bound=_Numbered)


def page_of(matching: list[Numbered], page: Page) -> tuple[list[Numbered], int | None]:
    """One page of `matching` (oldest first) and the uid that starts the next page.

    Serves tasks and batches alike: both page newest first by `uid`.
    """
    ordered = matching if page.reverse else matching[::-1]
    if page.start is not None:
        start = page.start
        ordered = [t for t in ordered if (t.uid >= start if page.reverse else t.uid <= start)]
    window = ordered[: page.limit + 1]
    if len(window) > page.limit:
        return window[: page.limit], window[page.limit].uid
    return window, None


def listing(
    matching: list[Numbered], page: Page, view: Callable[[Numbered], dict[str, Any]]
) -> dict[str, Any]:
    """The body of `GET /tasks` or `GET /batches`: one page of views, the total, the cursors."""
    results, next_uid = page_of(matching, page)
    return {
        "results": [view(item) for item in results],
        "total": len(matching),
        "limit": page.limit,
        "from": results[0].uid if results else None,
        "next": next_uid,
    }


def path_uid(text: str, noun: str, code: str) -> int:
    """The uid in a `/tasks/{uid}` or `/batches/{uid}` path; anything but a u32 is refused."""
    if not text.isascii() or not text.isdigit() or int(text) > U32_MAX:
        raise MeiliError(
            code, f"{noun} uid `{text}` is invalid. It should only contain numeric characters."
        )
    return int(text)


def missing_filters(action: str) -> MeiliError:
    return MeiliError(
        "missing_task_filters",
        f"Query parameters to filter the tasks to {action} are missing. Available query "
        "parameters are: `uids`, `indexUids`, `statuses`, `types`, `canceledBy`, "
        "`beforeEnqueuedAt`, `afterEnqueuedAt`, `beforeStartedAt`, `afterStartedAt`, "
        "`beforeFinishedAt`, `afterFinishedAt`.",
    )
