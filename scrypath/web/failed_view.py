"""One page of a failed-work report, grouped by reason class (in the contract's order).

A model can hold thousands of failed rows; a page shows `size` of them, optionally of one
reason class, and the class counts always cover the whole report. The operator API builds
only the rows of the page (`failed_sync_work(..., offset=, max_rows=, reason_class=)`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scrypath.operator.failed import FailedWork, FailedWorkReport
from scrypath.operator.reasons import class_counts
from scrypath.queue.jobs import REASON_CLASSES


@dataclass(frozen=True, slots=True)
class FailedPage:
    """The rows shown, grouped by class, and where they sit in the whole report."""

    groups: tuple[tuple[str, tuple[FailedWork, ...]], ...]
    counts: Mapping[str, int]
    total: int
    shown_class: str | None
    page: int
    pages: int
    first: int
    last: int


def parse_page(text: str | None) -> int:
    """A `?page=` value: a positive integer, else 1 (a page number is never an error)."""
    if text is None or not text.isdigit() or len(text) > 9:
        return 1
    return max(1, int(text))


def parse_class(text: str | None) -> str | None:
    """A `?class=` value: one of the five reason classes, else no filter."""
    return text if text in REASON_CLASSES else None


def failed_page(report: FailedWorkReport, page: int, size: int) -> FailedPage:
    """The page of rows `report` holds: a windowed report (`max_rows=size`) holds exactly
    that page; a whole report is cut here (page `page`, clamped to the last)."""
    counts = report.class_counts or class_counts(report.rows)
    window = report.window
    rows: Sequence[FailedWork] = report.rows
    if window is None:
        matching, shown_class, start = len(rows), None, (page - 1) * size
    else:
        matching, shown_class, start = window.matching, window.reason_class, window.offset
    pages = max(1, math.ceil(matching / size))
    if window is None:
        page = min(page, pages)
        start = (page - 1) * size
        rows = rows[start : start + size]
    groups = tuple(
        (name, grouped)
        for name in REASON_CLASSES
        if (grouped := tuple(row for row in rows if row.reason_class == name))
    )
    return FailedPage(
        groups,
        {name: counts.get(name, 0) for name in REASON_CLASSES},
        report.total,
        shown_class,
        start // size + 1,
        pages,
        start + 1 if rows else 0,
        start + len(rows),
    )
