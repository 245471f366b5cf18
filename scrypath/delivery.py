"""Sending documents to an index and awaiting the task: the one write primitive.

Every path that writes to Meilisearch (sync, bulk work, the queue worker) goes through
these functions, so documents always leave as the bytes of the one JSON encoder and every
foreign error is translated at the boundary.

While a reindex of an index runs (see `scrypath.meilisearch.rebuild_marker`), every write
to it is first sent to the rebuild target, then to the index itself. That order is what
keeps a write from being lost at cutover: whichever side of the swap the pair straddles,
one of the two requests reaches the rebuilt index. The copy is not awaited; the reindex
checks the target's task history before it cuts over.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import meilisearch

from scrypath.errors import ConfigurationError
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.rebuild_marker import dual_write_target
from scrypath.meilisearch.tasks import TaskRef, task_ref
from scrypath.projection import DocumentEncoder, DocumentId, to_json_bytes

DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024
"""Largest request body scrypath sends; Meilisearch refuses bodies over 100 MB by default."""


def documents_body(documents: Sequence[Mapping[str, Any]], *, model: str | None = None) -> bytes:
    """The JSON array Meilisearch receives, encoded by the one encoder."""
    return documents_array(to_json_bytes(doc, model=model) for doc in documents)


def documents_array(encoded: Iterable[bytes]) -> bytes:
    """A JSON array of documents each already encoded by `to_json_bytes`."""
    return b"[" + b",".join(encoded) + b"]"


def projected_body(documents: Sequence[Mapping[str, Any]]) -> bytes:
    """`documents_body` for documents `project` returned, whose values are already encoded:
    the same bytes, without encoding every value a second time (the bulk hot path)."""
    text = json.dumps(list(documents), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def sized_bodies(
    documents: Mapping[DocumentId, Mapping[str, Any]], limit: int, *, model: str
) -> Iterator[tuple[tuple[DocumentId, ...], bytes]]:
    """The documents as JSON array bodies of at most `limit` bytes, each with its ids: one
    body when everything fits, else as few as the sizes allow, in order."""
    if not documents:
        return
    body = projected_body(list(documents.values()))
    if len(body) <= limit:
        yield tuple(documents), body
        return
    ids: list[DocumentId] = []
    parts: list[bytes] = []
    size = 2
    for identifier, document in documents.items():
        encoded = projected_body([document])[1:-1]
        if len(encoded) + 2 > limit:
            raise ConfigurationError(
                f"{model} document {identifier!r} encodes to {len(encoded)} bytes, more than "
                f"the {limit}-byte limit of one request; make the document smaller (or, for "
                "backfill and reindex, raise max_payload_bytes)",
                key="max_payload_bytes",
                model=model,
                document_id=identifier,
            )
        if parts and size + 1 + len(encoded) > limit:
            yield tuple(ids), documents_array(parts)
            ids, parts, size = [], [], 2
        size += len(encoded) + (1 if parts else 0)
        ids.append(identifier)
        parts.append(encoded)
    yield tuple(ids), documents_array(parts)


def send_upserts(
    client: meilisearch.Client,
    index: str,
    primary_key: str,
    body: bytes,
    **context: Any,
) -> TaskRef:
    """Add or replace documents (an already encoded JSON array); returns the task."""
    target = dual_write_target(client, index, operation="upsert", **context)
    if target is not None:
        _post_upserts(client, target, primary_key, body, {**context, "dual_write_of": index})
    return _post_upserts(client, index, primary_key, body, context)


def send_deletes(
    client: meilisearch.Client, index: str, ids: Sequence[DocumentId], **context: Any
) -> TaskRef:
    """Delete documents by id; returns the task."""
    body = json.dumps(list(ids), cls=DocumentEncoder, separators=(",", ":")).encode()
    target = dual_write_target(client, index, operation="delete", **context)
    if target is not None:
        _post_deletes(client, target, body, {**context, "dual_write_of": index})
    return _post_deletes(client, index, body, context)


def _post_upserts(
    client: meilisearch.Client, index: str, primary_key: str, body: bytes, context: dict[str, Any]
) -> TaskRef:
    path = f"indexes/{index}/documents?primaryKey={primary_key}"
    with backend_call(index=index, operation="upsert", **context):
        summary = client.http.post(path, body, "application/json")
    return task_ref(summary)


def _post_deletes(
    client: meilisearch.Client, index: str, body: bytes, context: dict[str, Any]
) -> TaskRef:
    with backend_call(index=index, operation="delete", **context):
        summary = client.http.post(
            f"indexes/{index}/documents/delete-batch", body, "application/json"
        )
    return task_ref(summary)
