"""Structured log records: one line each, with their fields as data.

Every scrypath logger is named under `scrypath.` (`scrypath.queue`, `scrypath.auto_sync`,
`scrypath.telemetry`). A record's fields ride on its `scrypath_event` attribute, a plain JSON
object with an `event` name, which is what `scrypath worker --log-format json` prints; a text
handler shows the message alone. Messages and fields hold reason tags and ids of jobs and
tasks, never documents, keys or passwords.
"""

from __future__ import annotations

import logging
from typing import Any

EVENT_FIELD = "scrypath_event"
"""The log record attribute that carries the structured fields."""


def log_event(
    logger: logging.Logger, level: int, message: str, *args: object, event: str, **fields: Any
) -> None:
    """Log one line at `level` with `fields` (and the `event` name) as structured data."""
    logger.log(level, message, *args, extra={EVENT_FIELD: {"event": event, **fields}})


def error_fields(error: BaseException) -> dict[str, str]:
    """The fields that say what failed without quoting it: reason tag, class and type."""
    from scrypath.telemetry.attributes import failure

    described = failure(error)
    return {
        "reason": described["reason"],
        "reason_class": described["reason_class"],
        "error_type": described["error_type"],
    }
