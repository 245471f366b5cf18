"""The outbox fixtures for the operator tests (see `tests.queue.support`)."""

from __future__ import annotations

from tests.queue.support import (  # noqa: F401  (fixtures)
    outbox,
    queue_config,
)
