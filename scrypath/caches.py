"""The process-wide caches, and the one reset that empties them all.

scrypath remembers a few answers per process so the write path stays cheap: which indexes
it ensured, whether a rebuild is announced, the Meilisearch clients, the outbox engines built
from URLs, and which databases have the outbox table. `reset_caches()` forgets every one, for
tests and for applications that point scrypath somewhere else at run time (after
`configure()` changes the server, say). Configuration itself is reset separately, by
`reset_configuration()`.
"""

from __future__ import annotations

from collections.abc import Callable

from scrypath.indexes import forget_ensured
from scrypath.meilisearch.client import forget_clients
from scrypath.meilisearch.rebuild_marker import forget_markers
from scrypath.queue.database import forget_engines, forget_installed

_RESETS: tuple[Callable[[], None], ...] = (
    forget_ensured,
    forget_markers,
    forget_clients,
    forget_engines,
    forget_installed,
)


def reset_caches() -> None:
    """Forget every process-wide cache; the next call asks Meilisearch and the database
    afresh."""
    for reset in _RESETS:
        reset()
