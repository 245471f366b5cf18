"""Whether an index is being rebuilt, as every writer in every process sees it.

A rebuild announces itself with a marker index, `<live>__reindex_marker`, which only the
rebuild creates and deletes; writers only ever read it, so no late write can bring it
back. While the marker exists, every write to `<live>` is first sent to the rebuild
target `<live>__reindex` (see `scrypath.delivery`). The marker is created only once the
target exists, and deleted before the target is, so a writer never copies a write to a
target that is not there (after a first-ever cutover renames the target into place, a
late copy lands in an index the rebuild then deletes).

Rebuilds exclude each other with a second index, the lock `<live>__reindex_lock`, which
writers never read: creating an index is a task that fails with `index_already_exists`
when the uid is taken, so of two runs exactly one creates it.

Writers learn about the marker through a per-process cache that keeps each answer for
`CACHE_TTL` seconds: the hot path pays one `GET` per index per TTL, never one per write.
An answer is kept only if nothing newer was stored while it was asked for, so a lookup
that started before this process announced a rebuild cannot overwrite that announcement.
A rebuild waits `GRACE_PERIOD` (longer than the TTL) after creating the marker before it
reads the table, and again after deleting it before it drops anything a stale writer
could still be writing to.
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
LOCK_SUFFIX = "__reindex_lock"
CACHE_TTL = 2.0
"""Seconds a writer trusts its last answer about a marker."""
GRACE_PERIOD = 2 * CACHE_TTL + 1.0
"""Seconds a rebuild waits so that every writer's cached answer has expired."""
MARKER_DOCUMENT = "run"
"""The id of the document, in the marker and in the lock, that says which run holds them."""


@dataclass(frozen=True, slots=True)
class _Answer:
    expires: float
    rebuilding: bool


_Key = tuple[str, str]
_answers: dict[_Key, _Answer] = {}
_lock = threading.Lock()


def target_name(live: str) -> str:
    """The uid a rebuild of `live` builds into (and where the old index lands after swap)."""
    return live + TARGET_SUFFIX


def marker_name(live: str) -> str:
    """The uid of the marker index announcing a rebuild of `live`."""
    return live + MARKER_SUFFIX


def lock_name(live: str) -> str:
    """The uid of the index whose existence means a rebuild of `live` is running."""
    return live + LOCK_SUFFIX


def can_rebuild(live: str) -> bool:
    """Whether `live` leaves room for the rebuild names within Meilisearch's uid rule."""
    if live.endswith((TARGET_SUFFIX, MARKER_SUFFIX, LOCK_SUFFIX)):
        return False
    names = (target_name(live), marker_name(live), lock_name(live))
    return all(INDEX_UID.fullmatch(name) is not None for name in names)


def dual_write_target(client: meilisearch.Client, index: str, **context: Any) -> str | None:
    """The rebuild target every write to `index` must also reach, or None (cached)."""
    if not can_rebuild(index):
        return None
    key = (client.config.url, index)
    now = time.monotonic()
    with _lock:
        seen = _answers.get(key)
    if seen is None or seen.expires <= now:
        rebuilding = marker_exists(client, index, **context)
        seen = _keep(key, seen, now + CACHE_TTL, rebuilding)
    return target_name(index) if seen.rebuilding else None


def _keep(key: _Key, seen: _Answer | None, expires: float, rebuilding: bool) -> _Answer:
    """Store a lookup's answer unless a newer one was stored while it was asked for (by
    `remember`, or by a lookup that finished first); returns the answer to act on.

    Every store makes a new `_Answer`, so the entry still being the very object the lookup
    saw (or still absent) means nothing was stored meanwhile.
    """
    with _lock:
        current = _answers.get(key)
        if current is not None and current is not seen:
            return current
        answer = _answers[key] = _Answer(expires, rebuilding)
        return answer


def marker_exists(client: meilisearch.Client, live: str, **context: Any) -> bool:
    """Ask Meilisearch, uncached, whether a rebuild of `live` is announced."""
    return can_rebuild(live) and _exists(client, marker_name(live), live, context)


def rebuild_running(client: meilisearch.Client, live: str, **context: Any) -> bool:
    """Whether a rebuild of `live` holds its lock or is announced (uncached)."""
    if not can_rebuild(live):
        return False
    return _exists(client, lock_name(live), live, context) or marker_exists(client, live, **context)


def _exists(client: meilisearch.Client, uid: str, live: str, context: dict[str, Any]) -> bool:
    try:
        with backend_call(**{"index": live, **context}):
            client.http.get(f"indexes/{uid}")
    except IndexNotFoundError:
        return False
    return True


def remember(client: meilisearch.Client, live: str, *, rebuilding: bool) -> None:
    """Tell this process at once what a rebuild it runs just did to the marker."""
    expires = time.monotonic() + CACHE_TTL
    with _lock:
        _answers[(client.config.url, live)] = _Answer(expires, rebuilding)


def forget_markers() -> None:
    """Drop every cached answer, so the next write asks Meilisearch again (for tests)."""
    with _lock:
        _answers.clear()


def marker_document(target: str) -> dict[str, Any]:
    """Who is rebuilding: stored in the lock and the marker, shown when another run finds them."""
    return {
        "id": MARKER_DOCUMENT,
        "run": uuid.uuid4().hex,
        "target": target,
        "started_at": time.time(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
