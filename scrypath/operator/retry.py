"""Retrying exactly one chosen piece of failed work, named by its id.

- `job:N` re-queues that outbox job: due now on the database's clock, its attempts counted
  anew, its lease cleared, its error history kept with one more entry saying an operator
  re-queued it. The worker sends what the database holds now for each document the job
  names (it reads the rows again at delivery), so a retry can never put an older version
  of a document into the index than the database holds.
- `task:N` is a failed Meilisearch task with no job behind it: there is no payload to
  replay, so it is refused with `not_retryable`, naming the repair that brings the index
  back in line (`backfill`, or `reindex` while a rebuild is pending).

A job is re-queued only into the index it was written for, and only while that index is
still the model's index under the current configuration (or its rebuild target): a job
left over from another prefix is refused with `index_mismatch`, never redirected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import meilisearch
from sqlalchemy import Connection, Engine, select, update

from scrypath.config import Config, resolve
from scrypath.declaration import SearchSpec, registry
from scrypath.errors import (
    ConfigurationError,
    HTTPError,
    IndexMismatchError,
    IndexNotFoundError,
    NotRetryableError,
    WorkNotFoundError,
)
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.rebuild_marker import (
    TARGET_SUFFIX,
    can_rebuild,
    lock_name,
    marker_exists,
    target_name,
)
from scrypath.operator.failed import replayable
from scrypath.queue.database import (
    database_now,
    database_time,
    outbox_call,
    outbox_engine,
    require_installed,
    transaction,
)
from scrypath.queue.jobs import REQUEUED, Job, JobError, JobRef, JobState
from scrypath.queue.payload import Invalid, decode, resolve_model
from scrypath.queue.table import jobs
from scrypath.telemetry import operator_command

WORK_ID = re.compile(r"(job|task):([1-9][0-9]{0,18})")
"""A work id as the failed-work report prints it: `job:812` or `task:4031`."""

RETRYABLE_STATES = (JobState.RETRYABLE, JobState.DISCARDED, JobState.CANCELLED)
"""Job states a retry re-queues; every other state has nothing to retry."""


_MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class RetryResult:
    """A job re-queued by `retry_sync_work`: which one, for which model, and its new state."""

    id: str
    source: str
    index: str
    model: str
    job: JobRef
    status: str = "requeued"

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "id": self.id,
            "source": self.source,
            "index": self.index,
            "model": self.model,
            "job": self.job.to_json(),
            "status": self.status,
        }


@operator_command("retry_sync_work")
def retry_sync_work(work_id: str, **overrides: Any) -> RetryResult:
    """Retry the one row of failed work named `work_id` (see the module docs)."""
    source, number = parse_work_id(work_id)
    config = resolve(**overrides)
    if source == "task":
        raise refuse_task(number, config)
    return requeue_job(outbox_engine(config), number, config)


def parse_work_id(work_id: object) -> tuple[str, int]:
    """`("job", 812)` for `"job:812"`; a malformed id is a `ConfigurationError`."""
    found = WORK_ID.fullmatch(work_id) if isinstance(work_id, str) else None
    if found is None or int(found.group(2)) > _MAX_ID:
        shown = repr(work_id)[:80]
        raise ConfigurationError(
            f"work id {shown} is not valid; use an id from the failed-work report, "
            "such as job:812 or task:4031",
            key="work_id",
        )
    return found.group(1), int(found.group(2))


def requeue_job(engine: Engine, job_id: int, config: Config) -> RetryResult:
    """Re-queue outbox job `job_id` after checking its state, its model and its index.

    The update is conditional on the job's state and attempt being those just checked, so
    a worker that claims the job meanwhile, or a second retry, makes this one refuse rather
    than overwrite what the other side wrote. The check and the update are two short
    transactions: nothing is held while the payload is checked.
    """
    with outbox_call(engine, "read a job"), engine.connect() as connection:
        require_installed(connection)
        job = _read_job(connection, job_id)
    spec = _check_job(job, config)
    with transaction(engine, "re-queue a job") as connection:
        entry = _operator_entry(job, database_now(connection))
        if not _requeue(connection, job, entry):
            raise _not_retryable_state(_read_job(connection, job_id))
    ref = JobRef(job.id, job.ref().operation, job.index, job.document_count, JobState.AVAILABLE)
    return RetryResult(f"job:{job.id}", "outbox", job.index, spec.model_name, ref)


def _read_job(connection: Connection, job_id: int) -> Job:
    row = connection.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
    if row is None:
        raise WorkNotFoundError(
            f"job:{job_id} is not in the outbox (never written, or swept after it completed)",
            work_id=f"job:{job_id}",
        )
    return Job.from_row(row)


def _check_job(job: Job, config: Config) -> SearchSpec:
    """The job's model, once its state, payload and index allow a retry."""
    if job.state not in RETRYABLE_STATES:
        raise _not_retryable_state(job)
    if not replayable(job.state, job.last_error.reason if job.last_error else None):
        raise NotRetryableError(
            f"job:{job.id} was cancelled because its payload is invalid; a retry would fail "
            "the same way: run a backfill instead",
            work_id=f"job:{job.id}",
            state=str(job.state),
            recommended_action="backfill",
        )
    spec = resolve_model(job.model)
    if spec is None:
        raise NotRetryableError(
            f"job:{job.id} names model {job.model!r}, which is not importable or not "
            "searchable here; a worker could not deliver it",
            work_id=f"job:{job.id}",
            state=str(job.state),
        )
    _check_index(job, spec, config)
    decoded = decode(job)
    if isinstance(decoded, Invalid):
        raise NotRetryableError(
            f"job:{job.id} cannot be replayed: {decoded.message}; run a backfill of "
            f"{spec.model_name} instead",
            work_id=f"job:{job.id}",
            state=str(job.state),
            recommended_action="backfill",
            model=spec.model_name,
        )
    return spec


def _check_index(job: Job, spec: SearchSpec, config: Config) -> None:
    live = spec.index_name(config.index_prefix)
    allowed = (live, target_name(live))
    if job.index in allowed:
        return
    raise IndexMismatchError(
        f"job:{job.id} was written for index {job.index!r}, but {spec.model_name}'s index "
        f"under the current configuration is {live!r}; it is not re-queued into another "
        "index: check the index prefix, or backfill the current index",
        work_id=f"job:{job.id}",
        model=spec.model_name,
        index=live,
        job_index=job.index,
    )


def _not_retryable_state(job: Job) -> NotRetryableError:
    hint = {
        JobState.COMPLETED: "it completed",
        JobState.EXECUTING: "a worker is delivering it now",
    }.get(job.state, "it is already waiting for a worker")
    return NotRetryableError(
        f"job:{job.id} is {job.state}: nothing to retry ({hint})",
        work_id=f"job:{job.id}",
        state=str(job.state),
    )


def _operator_entry(job: Job, now: Any) -> JobError:
    """The history entry saying who re-queued the job, from which state, after how much."""
    last = job.last_error
    return JobError(
        now,
        job.attempt,
        last.reason_class if last is not None else "unknown",
        REQUEUED,
        f"re-queued by an operator from state {job.state} after {job.attempt} attempt(s); "
        "the worker delivers the rows as the database holds them now",
        last.code if last is not None else None,
    )


def _requeue(connection: Connection, job: Job, entry: JobError) -> bool:
    statement = (
        update(jobs)
        .where(
            jobs.c.id == job.id,
            jobs.c.state == job.state.value,
            jobs.c.attempt == job.attempt,
        )
        .values(
            state=JobState.AVAILABLE.value,
            scheduled_at=database_time(connection),
            attempt=0,
            completed_at=None,
            lease_owner=None,
            lease_expires_at=None,
            superseded_by=None,
            errors=[error.to_json() for error in (*job.errors, entry)],
        )
    )
    return bool(connection.execute(statement).rowcount)


def refuse_task(uid: int, config: Config) -> NotRetryableError:
    """Why task `uid` cannot be retried, naming the repair for its index."""
    client = client_for(config)
    task = _read_task(client, uid)
    index = task.get("indexUid")
    live = _live_index(index) if isinstance(index, str) else None
    spec = _spec_of(live, config) if live is not None else None
    context: dict[str, Any] = {"work_id": f"task:{uid}", "task_status": task.get("status")}
    if live is not None:
        context["index"] = live
    if spec is not None:
        context["model"] = spec.model_name
    if task.get("status") != "failed":
        return NotRetryableError(
            f"task:{uid} is {task.get('status')}, not failed: nothing to retry",
            recommended_action=None,
            **context,
        )
    action = "reindex" if live is not None and rebuild_pending(client, live) else "backfill"
    subject = spec.model_name if spec is not None else f"the model of index {live!r}"
    return NotRetryableError(
        f"task:{uid} is a failed Meilisearch task with no outbox job behind it, so there is "
        f"nothing to replay; recommended action: {action} ({action} {subject})",
        recommended_action=action,
        **context,
    )


def _read_task(client: meilisearch.Client, uid: int) -> dict[str, Any]:
    try:
        with backend_call(operation="read_task", task=uid):
            task: dict[str, Any] = client.http.get(f"tasks/{uid}")
    except HTTPError as error:
        if error.status == 404:
            raise WorkNotFoundError(
                f"task:{uid} is not in Meilisearch's task history", work_id=f"task:{uid}"
            ) from None
        raise
    return task


def _live_index(index: str) -> str:
    """The live index a task's index belongs to (a rebuild target's is its live index)."""
    if index.endswith(TARGET_SUFFIX):
        return index[: -len(TARGET_SUFFIX)]
    return index


def _spec_of(live: str, config: Config) -> SearchSpec | None:
    for spec in registry.specs():
        if spec.index_name(config.index_prefix) == live:
            return spec
    return None


def rebuild_pending(client: meilisearch.Client, live: str, **context: Any) -> bool:
    """Whether a rebuild of `live` is pending or half done: its lock, marker or target
    index exists (uncached reads)."""
    if not can_rebuild(live):
        return False
    if marker_exists(client, live, **context):
        return True
    return any(index_exists(client, uid, **context) for uid in (lock_name(live), target_name(live)))


def index_exists(client: meilisearch.Client, uid: str, **context: Any) -> bool:
    """Whether index `uid` exists (one uncached read)."""
    try:
        with backend_call(**{"index": uid, **context}):
            client.http.get(f"indexes/{uid}")
    except IndexNotFoundError:
        return False
    return True
