"""Reading Meilisearch's task log, page by page, never as a silently partial list.

Meilisearch lists tasks newest first, a page at a time (`from` is where a page starts,
`next` where the following one would). An operator report built from a truncated history
would look complete and be wrong, so reading past the limit is an error that names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from scrypath.errors import ConfigurationError, TaskHistoryLimitError
from scrypath.meilisearch.boundary import backend_call

SYNC_TASK_TYPES = ("documentAdditionOrUpdate", "documentDeletion")
"""The task types scrypath's writes create: the document tasks every report looks at."""

DEFAULT_LIMIT = 1000
PAGE_SIZE = 1000
"""The most tasks asked for in one request."""


def read_tasks(
    client: Any,
    *,
    index_uids: Sequence[str],
    statuses: Sequence[str],
    types: Sequence[str] = SYNC_TASK_TYPES,
    limit: int = DEFAULT_LIMIT,
    **context: Any,
) -> list[dict[str, Any]]:
    """Every matching task, newest first; `TaskHistoryLimitError` when more than `limit` match."""
    limit = _checked_limit(limit)
    found: list[dict[str, Any]] = []
    start: int | None = None
    while True:
        page = _page(client, index_uids, statuses, types, min(PAGE_SIZE, limit + 1), start, context)
        total = page.get("total")
        if isinstance(total, int) and total > limit:
            _too_many(limit, total, index_uids, context)
        found.extend(task for task in page.get("results", ()) if isinstance(task, dict))
        if len(found) > limit:
            _too_many(limit, None, index_uids, context)
        start = page.get("next")
        if not isinstance(start, int) or (isinstance(total, int) and len(found) >= total):
            return found


def count_tasks(
    client: Any,
    *,
    index_uids: Sequence[str],
    statuses: Sequence[str],
    types: Sequence[str] = SYNC_TASK_TYPES,
    **context: Any,
) -> tuple[int, dict[str, Any] | None]:
    """How many tasks match, and the newest of them, in one request."""
    page = _page(client, index_uids, statuses, types, 1, None, context)
    results = [task for task in page.get("results", ()) if isinstance(task, dict)]
    total = page.get("total")
    return (total if isinstance(total, int) else len(results)), (results[0] if results else None)


def _page(
    client: Any,
    index_uids: Sequence[str],
    statuses: Sequence[str],
    types: Sequence[str],
    size: int,
    start: int | None,
    context: dict[str, Any],
) -> dict[str, Any]:
    query: dict[str, Any] = {
        "indexUids": ",".join(index_uids),
        "statuses": ",".join(statuses),
        "types": ",".join(types),
        "limit": size,
    }
    if start is not None:
        query["from"] = start
    with backend_call(**{"operation": "read tasks", **context}):
        page: dict[str, Any] = client.http.get(f"tasks?{urlencode(query, safe=',')}")
    return page


def _checked_limit(limit: object) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ConfigurationError(
            f"the task history limit must be a positive integer, not {limit!r}", key="limit"
        )
    return limit


def _too_many(
    limit: int, total: int | None, index_uids: Sequence[str], context: dict[str, Any]
) -> None:
    seen = f"{total} match" if total is not None else "more match"
    raise TaskHistoryLimitError(
        f"Meilisearch holds more matching tasks than the limit of {limit} ({seen}); no partial "
        "list is returned: raise the limit, or delete old tasks from Meilisearch's history",
        limit=limit,
        total=total,
        indexes=list(index_uids),
        **context,
    )
