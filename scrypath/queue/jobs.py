"""What a job is: its states, its recorded errors and their reason classes, and its row.

A job is one unit of queued search work on one index: documents to upsert (a snapshot of
their projection at enqueue time) or ids to delete. Its lifecycle:

```
available/scheduled --claim--> executing --> completed        (the search write succeeded)
                          ^          |-----> retryable --due--^ (a failure, attempts left)
                          |          |-----> discarded        (attempts exhausted)
                   lease expired     '-----> cancelled        (invalid payload, never retried)
```

Every failure is recorded on the job with its reason class, one of `REASON_CLASSES`, a
contract the operator tools report in that order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal

from scrypath.errors import (
    BackendError,
    HTTPError,
    ScrypathError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
)

Operation = Literal["upsert", "delete"]
ReasonClass = Literal["transport", "validation", "backend_rejected", "queue_exhausted", "unknown"]

REASON_CLASSES: tuple[ReasonClass, ...] = (
    "transport",
    "validation",
    "backend_rejected",
    "queue_exhausted",
    "unknown",
)
"""The five reason classes of failed work, in the order reports always list them."""


class JobState(StrEnum):
    """Where a job is in its lifecycle."""

    AVAILABLE = "available"
    SCHEDULED = "scheduled"
    EXECUTING = "executing"
    RETRYABLE = "retryable"
    COMPLETED = "completed"
    DISCARDED = "discarded"
    CANCELLED = "cancelled"


JOB_STATES: tuple[JobState, ...] = tuple(JobState)
"""Every state, in lifecycle order (the order counts are reported in)."""

WAITING_STATES = (JobState.AVAILABLE, JobState.SCHEDULED, JobState.RETRYABLE)
"""States a job is claimed from once its `scheduled_at` is due."""

FINAL_STATES = (JobState.COMPLETED, JobState.DISCARDED, JobState.CANCELLED)
"""States a job never leaves on its own."""


@dataclass(frozen=True, slots=True)
class JobError:
    """One failure recorded on a job; `task` is the uid of the Meilisearch task that failed
    it, when one did, so the operator tools show that task once, as this job."""

    at: dt.datetime
    attempt: int
    reason_class: ReasonClass
    reason: str
    message: str
    code: str | None = None
    task: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "attempt": self.attempt,
            "reason_class": self.reason_class,
            "reason": self.reason,
            "message": self.message,
            "code": self.code,
            "task": self.task,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobError:
        reason_class = data.get("reason_class")
        return cls(
            at=dt.datetime.fromisoformat(str(data.get("at"))),
            attempt=int(data.get("attempt", 0)),
            reason_class=reason_class if reason_class in REASON_CLASSES else "unknown",
            reason=str(data.get("reason", "unknown")),
            message=str(data.get("message", "")),
            code=data.get("code") if isinstance(data.get("code"), str) else None,
            task=_task_uid(data.get("task")),
        )


@dataclass(frozen=True, slots=True)
class JobRef:
    """A job a call enqueued or recorded: enough to find it again."""

    id: int
    operation: Operation
    index: str
    document_count: int
    state: JobState = JobState.AVAILABLE

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "operation": self.operation,
            "index": self.index,
            "document_count": self.document_count,
            "state": str(self.state),
        }


@dataclass(frozen=True, slots=True)
class Job:
    """A row of the outbox, as the worker and the operator tools read it.

    `payload` is the JSON the worker sends (documents, or ids to delete), `document_ids`
    the JSON list of ids it touches. `lease_owner`/`lease_expires_at` say which worker holds
    an executing job and until when; `superseded_by` names the newer job whose snapshot made
    this one unnecessary.
    """

    id: int
    operation: str
    model: str
    index: str
    payload: str
    document_ids: str
    document_count: int
    state: JobState
    attempt: int
    max_attempts: int
    inserted_at: dt.datetime
    scheduled_at: dt.datetime
    attempted_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    errors: tuple[JobError, ...] = ()
    lease_owner: str | None = None
    lease_expires_at: dt.datetime | None = None
    superseded_by: int | None = None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> Job:
        return cls(
            id=int(row["id"]),
            operation=str(row["operation"]),
            model=str(row["model"]),
            index=str(row["index_uid"]),
            payload=str(row["payload"]),
            document_ids=str(row["document_ids"]),
            document_count=int(row["document_count"]),
            state=JobState(row["state"]),
            attempt=int(row["attempt"]),
            max_attempts=int(row["max_attempts"]),
            inserted_at=row["inserted_at"],
            scheduled_at=row["scheduled_at"],
            attempted_at=row["attempted_at"],
            completed_at=row["completed_at"],
            errors=_errors(row["errors"]),
            lease_owner=row["lease_owner"],
            lease_expires_at=row["lease_expires_at"],
            superseded_by=row["superseded_by"],
        )

    @property
    def last_error(self) -> JobError | None:
        return self.errors[-1] if self.errors else None

    def ref(self) -> JobRef:
        operation: Operation = "delete" if self.operation == "delete" else "upsert"
        return JobRef(self.id, operation, self.index, self.document_count, self.state)


def _task_uid(value: object) -> int | None:
    """A task uid as recorded (rows written before tasks were recorded have none)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _errors(value: object) -> tuple[JobError, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return ()
    return tuple(JobError.from_json(item) for item in value if isinstance(item, Mapping))


def classify(error: BaseException) -> ReasonClass:
    """The reason class of a delivery failure.

    No answer, a timeout or a server-side 5xx/429 is `transport` (worth waiting out); a failed
    task or a 4xx is `backend_rejected`; anything else is `unknown`.
    """
    if isinstance(error, TransportError | TaskTimeoutError):
        return "transport"
    if isinstance(error, HTTPError):
        status = error.status or 0
        return "transport" if status >= 500 or status == 429 else "backend_rejected"
    if isinstance(error, BackendError):
        return "backend_rejected"
    return "unknown"


def job_error(error: BaseException, *, attempt: int, at: dt.datetime) -> JobError:
    """The record of `error` on a job, with its reason class, and the backend code and the
    failed task's uid when known."""
    if isinstance(error, ScrypathError):
        code = error.context.get("code")
        return JobError(
            at,
            attempt,
            classify(error),
            error.reason,
            error.message[:1000],
            code if isinstance(code, str) else None,
            _task_uid(error.context.get("task")),
        )
    return JobError(at, attempt, "unknown", "unexpected", f"{type(error).__name__}: {error}"[:1000])


REQUEUED = "operator_retry"
"""The reason of the entry an operator's retry adds: attempts count again from there."""

SPLIT = "split_rejected"
"""The reason of the note a job gets when Meilisearch rejected a request carrying it and
other jobs: the jobs were sent again in halves, and the note names the rejected task."""


def split_entry(error: BackendError, *, at: dt.datetime) -> JobError:
    """The note of a rejected request that carried several jobs (see `SPLIT`)."""
    entry = job_error(error, attempt=0, at=at)
    return replace(
        entry,
        reason=SPLIT,
        message=(
            f"a request carrying this job and others was rejected ({entry.message}); "
            "the jobs were sent again in smaller requests"
        )[:1000],
    )


def is_permanent(error: BaseException) -> bool:
    """Whether no retry can cure the failure: Meilisearch refused the request as too large
    (HTTP 413), and the job's size does not change between attempts."""
    return isinstance(error, HTTPError) and error.status == 413


def permanent(entry: JobError) -> JobError:
    """The record of a permanent failure, saying why the job is not retried."""
    return replace(
        entry,
        reason="payload_too_large",
        message=(
            f"{entry.message}; the job is larger than Meilisearch accepts in one request, so "
            "no retry can succeed: sync fewer records per call, or raise Meilisearch's "
            "payload limit and sync the records again"
        )[:1000],
    )


def is_rejection(error: BaseException) -> bool:
    """Whether Meilisearch refused the content itself (worth isolating the culprit)."""
    return isinstance(error, TaskFailedError) or classify(error) == "backend_rejected"


def exhausted(last: JobError, max_attempts: int) -> JobError:
    """The final record of a job that used up its attempts."""
    return JobError(
        last.at,
        last.attempt,
        "queue_exhausted",
        "max_attempts",
        f"gave up after {max_attempts} attempt(s); last error ({last.reason_class}): "
        f"{last.message}"[:1000],
        last.code,
        last.task,
    )
