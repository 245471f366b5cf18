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

from scrypath.queue.jobs import Job, JobError, JobState
from scrypath.telemetry import record_job, record_lost_attempt
from scrypath.telemetry.logs import EVENT_FIELD, error_fields, log_event

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
    """Log `event`, count it, and hand it to `hook`; a failing hook is logged, never raised
    (with its traceback: the hook is the application's code)."""
    logger.log(_LEVELS[event.outcome], _describe(event), extra={EVENT_FIELD: event.to_json()})
    reason_class = event.error.reason_class if event.error else None
    record_job(event.model, event.operation, event.outcome, reason_class)
    if hook is None:
        return
    try:
        hook(event)
    except Exception:
        logger.exception("the job event hook raised on job %s", event.job_id)


def lost_attempt(job: Job, entry: JobError, worker: str) -> None:
    """A structured warning (and a count) for an attempt whose worker stopped or lost the
    lease before settling it, as found by the worker that claimed the job next."""
    record_lost_attempt(job.model)
    log_event(
        logger,
        logging.WARNING,
        "job %s lost attempt %s/%s on %s: its worker stopped or lost the lease",
        job.id,
        entry.attempt,
        job.max_attempts,
        job.index,
        event="job_attempt_lost",
        job_id=job.id,
        index=job.index,
        model=job.model,
        operation=job.operation,
        attempt=entry.attempt,
        max_attempts=job.max_attempts,
        worker=worker,
        reason=entry.reason,
        reason_class=entry.reason_class,
    )


def unrecorded(job: Job, error: BaseException, worker: str) -> None:
    """One line when a job's failure could not be written (its lease expires and another
    attempt takes the job over)."""
    fields = error_fields(error)
    log_event(
        logger,
        logging.ERROR,
        "could not record the failure of job %s [%s/%s]; its lease will expire and the job "
        "will be attempted again",
        job.id,
        fields["reason_class"],
        fields["reason"],
        event="job_failure_unrecorded",
        job_id=job.id,
        index=job.index,
        model=job.model,
        worker=worker,
        **fields,
    )


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
