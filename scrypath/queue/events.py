"""What a worker reports about each job it settles: a structured log record and a hook.

Every outcome is logged on the `scrypath.queue` logger with the event as plain data under
the record's `scrypath_event` attribute (completed and superseded at INFO, retryable at
WARNING, discarded and cancelled at ERROR). A hook, when given, receives each `JobEvent`;
an exception in the hook is logged and never stops the worker.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from scrypath.queue.jobs import JobError, JobState

Outcome = Literal["completed", "superseded", "retryable", "discarded", "cancelled"]
OUTCOMES: tuple[Outcome, ...] = ("completed", "superseded", "retryable", "discarded", "cancelled")

logger = logging.getLogger("scrypath.queue")

_LEVELS: dict[Outcome, int] = {
    "completed": logging.INFO,
    "superseded": logging.INFO,
    "retryable": logging.WARNING,
    "discarded": logging.ERROR,
    "cancelled": logging.ERROR,
}
_STATES: dict[Outcome, JobState] = {
    "completed": JobState.COMPLETED,
    "superseded": JobState.COMPLETED,
    "retryable": JobState.RETRYABLE,
    "discarded": JobState.DISCARDED,
    "cancelled": JobState.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class JobEvent:
    """One job's outcome, as the worker settled it."""

    outcome: Outcome
    job_id: int
    index: str
    model: str
    operation: str
    attempt: int
    max_attempts: int
    document_count: int
    worker: str
    error: JobError | None = None
    next_attempt_at: dt.datetime | None = None
    superseded_by: int | None = None

    @property
    def state(self) -> JobState:
        """The state the job is in after this event."""
        return _STATES[self.outcome]

    def to_json(self) -> dict[str, Any]:
        return {
            "event": "job",
            "outcome": self.outcome,
            "state": str(self.state),
            "job_id": self.job_id,
            "index": self.index,
            "model": self.model,
            "operation": self.operation,
            "attempt": self.attempt,
            "max_attempts": self.max_attempts,
            "document_count": self.document_count,
            "worker": self.worker,
            "reason_class": self.error.reason_class if self.error else None,
            "reason": self.error.reason if self.error else None,
            "error": self.error.message if self.error else None,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "superseded_by": self.superseded_by,
        }


EventHook = Callable[[JobEvent], None]


def emit(event: JobEvent, hook: EventHook | None) -> None:
    """Log `event` and hand it to `hook`; a failing hook is logged, never raised."""
    logger.log(_LEVELS[event.outcome], _describe(event), extra={"scrypath_event": event.to_json()})
    if hook is None:
        return
    try:
        hook(event)
    except Exception:
        logger.exception("the job event hook raised on job %s", event.job_id)


def _describe(event: JobEvent) -> str:
    text = (
        f"job {event.job_id} {event.outcome}: {event.operation} of {event.document_count} "
        f"document(s) on {event.index} (attempt {event.attempt}/{event.max_attempts})"
    )
    if event.superseded_by is not None:
        text += f", superseded by job {event.superseded_by}"
    if event.error is not None:
        text += f" [{event.error.reason_class}/{event.error.reason}] {event.error.message}"
    if event.next_attempt_at is not None:
        text += f"; next attempt at {event.next_attempt_at.isoformat()}Z"
    return text
