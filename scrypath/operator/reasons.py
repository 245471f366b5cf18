"""Reason classes: the five buckets every failure an operator sees falls into.

- `transport`: the request or the server failed, not the content (no answer, a timeout, a
  Meilisearch internal or system error such as a full disk): worth retrying once it is healthy;
- `validation`: scrypath refused the work before sending it (a payload, projection, id or
  declaration problem): fix the data or the code, then sync again;
- `backend_rejected`: Meilisearch refused the request or its content (an invalid request, an
  authentication failure): retrying as is fails the same way;
- `queue_exhausted`: the outbox gave up on a job (attempts used up);
- `unknown`: nothing recorded says which.

One table serves both sources, so a failure is classed the same whether it is read from an
outbox job or from Meilisearch's task log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Protocol

from scrypath.queue.jobs import REASON_CLASSES, JobError, ReasonClass

__all__ = [
    "REASON_CLASSES",
    "ReasonClass",
    "class_counts",
    "reason_class_for_entry",
    "reason_class_for_tag",
    "reason_class_for_task",
    "reason_class_of",
]

TAG_CLASSES: Mapping[str, ReasonClass] = MappingProxyType(
    {
        # the reason of every ScrypathError subclass
        "scrypath_error": "unknown",
        "configuration": "validation",
        "hot_apply_refused": "validation",
        "declaration": "validation",
        "not_searchable": "validation",
        "projection": "validation",
        "encoding": "validation",
        "invalid_document_id": "validation",
        "invalid_search_option": "validation",
        "invalid_filter": "validation",
        "tenant_scope_violation": "validation",
        "tenant_token": "validation",
        "no_tenant_field": "validation",
        "tenant_key_not_allowed": "validation",
        "tenant_token_expiry": "validation",
        "outbox": "unknown",
        "outbox_not_installed": "validation",
        "outbox_unavailable": "transport",
        "database": "transport",
        "backfill_failed": "unknown",
        "reindex_failed": "unknown",
        "operator": "validation",
        "work_not_found": "validation",
        "not_retryable": "validation",
        "index_mismatch": "validation",
        "action_not_recommended": "validation",
        "task_history_limit": "validation",
        "backend": "backend_rejected",
        "task_failed": "backend_rejected",
        "task_timeout": "transport",
        "transport": "transport",
        "http_error": "backend_rejected",
        "index_not_found": "backend_rejected",
        # the reasons the queue worker records on a job's error entries
        "invalid_payload": "validation",
        "payload_too_large": "backend_rejected",
        "max_attempts": "queue_exhausted",
        "lease_expired": "unknown",
        "split_rejected": "backend_rejected",
        "operator_retry": "unknown",
        "unexpected": "unknown",
        "unknown": "unknown",
    }
)
"""Every reason tag scrypath records, and its class. A lost attempt (`lease_expired`) says
nothing about the cause; the entry that discards a job for it is recorded `queue_exhausted`."""

TYPE_CLASSES: Mapping[str, ReasonClass] = MappingProxyType(
    {
        "invalid_request": "backend_rejected",
        "auth": "backend_rejected",
        "internal": "transport",
        "system": "transport",
    }
)
"""Meilisearch's four error types: the server refused (the request or the key), or the
server itself failed."""

SERVER_CODES = frozenset(
    {
        # type `internal`
        "internal",
        "invalid_state",
        "invalid_store_file",
        "database_size_limit_reached",
        "index_creation_failed",
        "dump_process_failed",
        "s3_snapshot_server_error",
        # type `system`
        "io_error",
        "no_space_left_on_device",
        "too_many_open_files",
        "too_many_search_requests",
        "remote_bad_response",
        "remote_could_not_send_request",
        "remote_remote_error",
        "remote_timeout",
    }
)
"""The Meilisearch error codes of types `internal` and `system`; every other code is a
refusal (`invalid_request` or `auth`), Meilisearch's common case."""


class _Classed(Protocol):
    @property
    def reason_class(self) -> str: ...


def reason_class_for_tag(tag: str) -> ReasonClass:
    """The class of a scrypath reason tag (`unknown` for a tag scrypath never records)."""
    return TAG_CLASSES.get(tag, "unknown")


def reason_class_for_code(code: str | None) -> ReasonClass:
    """The class of a Meilisearch error code alone (when its type was not kept)."""
    if not code:
        return "unknown"
    return "transport" if code in SERVER_CODES else "backend_rejected"


def reason_class_for_task(error: Mapping[str, Any] | None) -> ReasonClass:
    """The class of a failed Meilisearch task's `error` object: by its `type`, else its
    `code`; `unknown` when it has neither."""
    if not isinstance(error, Mapping):
        return "unknown"
    kind = error.get("type")
    if isinstance(kind, str) and kind in TYPE_CLASSES:
        return TYPE_CLASSES[kind]
    code = error.get("code")
    return reason_class_for_code(code if isinstance(code, str) else None)


def reason_class_for_entry(entry: JobError) -> ReasonClass:
    """The class of a job's error entry, by the same table as tasks."""
    return reason_class_of(entry.reason_class, entry.reason, entry.code)


def reason_class_of(recorded: object, reason: object, code: object) -> ReasonClass:
    """The class of a job's error entry from its recorded class, reason tag and code.

    A failed task's code decides, so a job and its task agree; a job given up on stays
    `queue_exhausted`; an entry the worker could only record as `unknown` (or not as one of
    the five) is classed by its tag.
    """
    if recorded == "queue_exhausted":
        return "queue_exhausted"
    if reason == "task_failed" and isinstance(code, str) and code:
        return reason_class_for_code(code)
    if recorded == "unknown" or recorded not in REASON_CLASSES:
        return reason_class_for_tag(reason if isinstance(reason, str) else "unknown")
    return recorded


def class_counts(rows: Iterable[_Classed]) -> dict[str, int]:
    """How many rows fall in each class: dense (zero included), in `REASON_CLASSES` order."""
    counts: dict[str, int] = dict.fromkeys(REASON_CLASSES, 0)
    for row in rows:
        key = row.reason_class if row.reason_class in counts else "unknown"
        counts[key] += 1
    return counts
