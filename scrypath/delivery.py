"""Sending documents to an index and awaiting the task: the one write primitive.

Every path that writes to Meilisearch (sync, bulk work, the queue worker) goes through
these functions, so documents always leave as the bytes of the one JSON encoder and every
foreign error is translated at the boundary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import meilisearch

from scrypath.config import Config
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.tasks import TaskRef, task_ref, wait_for_task
from scrypath.projection import DocumentEncoder, to_json_bytes
from scrypath.results import DocumentId


def documents_body(documents: Sequence[Mapping[str, Any]], *, model: str | None = None) -> bytes:
    """The JSON array Meilisearch receives, encoded by the one encoder."""
    return b"[" + b",".join(to_json_bytes(doc, model=model) for doc in documents) + b"]"


def send_upserts(
    client: meilisearch.Client,
    index: str,
    primary_key: str,
    body: bytes,
    **context: Any,
) -> TaskRef:
    """Add or replace documents (an already encoded JSON array); returns the task."""
    path = f"indexes/{index}/documents?primaryKey={primary_key}"
    with backend_call(index=index, operation="upsert", **context):
        summary = client.http.post(path, body, "application/json")
    return task_ref(summary)


def send_deletes(
    client: meilisearch.Client, index: str, ids: Sequence[DocumentId], **context: Any
) -> TaskRef:
    """Delete documents by id; returns the task."""
    body = json.dumps(list(ids), cls=DocumentEncoder, separators=(",", ":")).encode()
    with backend_call(index=index, operation="delete", **context):
        summary = client.http.post(
            f"indexes/{index}/documents/delete-batch", body, "application/json"
        )
    return task_ref(summary)


def await_task(
    client: meilisearch.Client,
    task: TaskRef,
    config: Config,
    *,
    timeout: float | None = None,
    **context: Any,
) -> TaskRef:
    """Wait for `task` with the configured polling; returns it with its final status."""
    view = wait_for_task(
        client,
        task,
        timeout=config.task_timeout if timeout is None else timeout,
        poll_interval=config.poll_interval,
        max_poll_interval=config.max_poll_interval,
        **context,
    )
    return TaskRef(task.uid, task.index, view.get("type", task.type), view["status"])
