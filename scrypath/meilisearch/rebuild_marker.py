"""Whether an index is being rebuilt, as every writer in every process sees it.

A rebuild announces itself with a marker index, `<live>__reindex_marker`, which only the
rebuild creates and deletes; writers only ever read it, so no late write can bring it
back. While the marker exists, every write to `<live>` is first sent to the rebuild
target `<live>__reindex` (see `scrypath.delivery`).

Writers learn about the marker through a per-process cache that keeps each answer for
`CACHE_TTL` seconds: the hot path pays one `GET` per index per TTL, never one per write.
A rebuild therefore waits `GRACE_PERIOD` (longer than the TTL) after creating the marker
before it reads the table, and again after deleting it before it drops anything a stale
writer could still be writing to.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import meilisearch

from scrypath.declaration import INDEX_UID
from scrypath.errors import IndexNotFoundError
from scrypath.meilisearch.boundary import backend_call

TARGET_SUFFIX = "__reindex"
MARKER_SUFFIX = "__reindex_marker"
CACHE_TTL = 2.0
"""Seconds a writer trusts its last answer about a marker."""
GRACE_PERIOD = 2 * CACHE_TTL + 1.0
"""Seconds a rebuild waits so that every writer's cached answer has expired."""
MARKER_DOCUMENT = "run"


@dataclass(frozen=True, slots=True)
class _Answer:
    expires: float
    rebuilding: bool


_answers: dict[tuple[str, str], _Answer] = {}
_lock = threading.Lock()


def target_name(live: str) -> str:
    """The uid a rebuild of `live` builds into (and where the old index lands after swap)."""
    return live + TARGET_SUFFIX


def marker_name(live: str) -> str:
    """The uid of the marker index announcing a rebuild of `live`."""
    return live + MARKER_SUFFIX


def can_rebuild(live: str) -> bool:
    """Whether `live` leaves room for the rebuild names within Meilisearch's uid rule."""
    if live.endswith((TARGET_SUFFIX, MARKER_SUFFIX)):
        return False
    return INDEX_UID.fullmatch(marker_name(live)) is not None


def dual_write_target(client: meilisearch.Client, index: str, **context: Any) -> str | None:
    """The rebuild target every write to `index` must also reach, or None (cached)."""
    if not can_rebuild(index):
        return None
    key = (client.config.url, index)
    now = time.monotonic()
    answer = _answers.get(key)
    if answer is None or answer.expires <= now:
        answer = _Answer(now + CACHE_TTL, marker_exists(client, index, **context))
        with _lock:
            _answers[key] = answer
    return target_name(index) if answer.rebuilding else None


def marker_exists(client: meilisearch.Client, live: str, **context: Any) -> bool:
    """Ask Meilisearch, uncached, whether a rebuild of `live` is announced."""
    if not can_rebuild(live):
        return False
    try:
        with backend_call(**{"index": live, **context}):
            client.http.get(f"indexes/{marker_name(live)}")
    except IndexNotFoundError:
        return False
    return True


def remember(client: meilisearch.Client, live: str, *, rebuilding: bool) -> None:
    """Tell this process at once what a rebuild it runs just did to the marker."""
    with _lock:
        _answers[(client.config.url, live)] = _Answer(time.monotonic() + CACHE_TTL, rebuilding)


def forget_markers() -> None:
    """Drop every cached answer, so the next write asks Meilisearch again (for tests)."""
    with _lock:
        _answers.clear()


def marker_document(target: str) -> dict[str, Any]:
    """Who is rebuilding: shown when another run finds the marker."""
    return {
        "id": MARKER_DOCUMENT,
        "run": uuid.uuid4().hex,
        "target": target,
        "started_at": time.time(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
