"""The outbox fixtures (see `tests.queue.support`)."""

from __future__ import annotations

from tests.queue.support import (  # noqa: F401  (fixtures)
    app_items,
    fresh_config,
    outbox,
    queue_config,
    shared_database,
)

