"""Timestamps the way Meilisearch writes and reads them.

Times are kept as integer nanoseconds since the epoch, so that ordering and task date
filters are exact, and rendered as RFC 3339 with the trailing zeros of the fraction
trimmed, as Meilisearch does.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

_NS_PER_S = 1_000_000_000
_NS_PER_DAY = 86_400 * _NS_PER_S
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$"
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def now_ns() -> int:
    """The current wall-clock time in nanoseconds."""
    return time.time_ns()


def rfc3339(ns: int) -> str:
    """Render `ns` like `2024-08-08T17:05:55.791772Z` (fraction trimmed, absent when zero)."""
    seconds, fraction = divmod(ns, _NS_PER_S)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{fraction:09d}".rstrip("0")
    return f"{stamp}.{digits}Z" if digits else f"{stamp}Z"


def iso_duration(ns: int) -> str:
    """Render a duration like Meilisearch's task `duration`, e.g. `PT0.012S`."""
    seconds, nanos = divmod(max(ns, 0), _NS_PER_S)
    days, seconds = divmod(seconds, 86_400)
    text = f"P{days}D" if days else "P"
    if not (seconds or nanos) and days:
        return text
    if nanos == 0:
        return f"{text}T{seconds}S"
    if nanos % 1_000_000 == 0:
        return f"{text}T{seconds}.{nanos // 1_000_000:03d}S"
    if nanos % 1_000 == 0:
        return f"{text}T{seconds}.{nanos // 1_000:06d}S"
    return f"{text}T{seconds}.{nanos:09d}S"


def parse_filter_date(value: str, *, after: bool) -> int | None:
    """Parse a task date filter (RFC 3339 or `YYYY-MM-DD`) to nanoseconds, or None if invalid.

    A bare date used as an `after*` bound means the end of that day, as in Meilisearch.
    """
    full = _RFC3339.match(value)
    if full:
        return _full_datetime(full)
    day = _DATE.match(value)
    if not day:
        return None
    try:
        start = datetime(int(day[1]), int(day[2]), int(day[3]), tzinfo=UTC)
    except ValueError:
        return None
    ns = _to_ns(start)
    return ns + _NS_PER_DAY if after else ns


def _full_datetime(match: re.Match[str]) -> int | None:
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    offset = match[8]
    if offset not in ("Z", "z"):
        sign = 1 if offset[0] == "+" else -1
        moment -= sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    fraction = (match[7] or "0")[:9].ljust(9, "0")
    return _to_ns(moment) + int(fraction)


def _to_ns(moment: datetime) -> int:
    return int(moment.timestamp()) * _NS_PER_S
