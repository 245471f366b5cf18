"""One batch, in named stages: claim -> check -> coalesce -> deliver -> settle.

- **claim**: due jobs, oldest first, under this worker's lease; an attempt that a stopped
  worker lost is recorded on the job, so its history has no gap;
- **check**: a job whose final attempt's lease expired is discarded; an invalid payload
  is cancelled;
- **coalesce**: per index, the newest job of each document; superseded jobs complete
  without a request;
- **deliver**: per index, only for jobs whose lease still holds, the rows as the database
  holds them now, one upsert and one delete request, each task awaited
  (see `scrypath.queue.deliver`);
- **settle**: completed, or retryable with backoff, or discarded once attempts run out, or
  cancelled when no retry can succeed (a request too large for Meilisearch).

Each settlement is its own short transaction, written only while the lease is held, and
reported as a `JobEvent`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from scrypath.config import Config
from scrypath.errors import BackendError
from scrypath.meilisearch.client import client_for
from scrypath.queue import settle
from scrypath.queue.backoff import Backoff
from scrypath.queue.claim import claim, renew
from scrypath.queue.coalesce import coalesce
from scrypath.queue.database import database_now, transaction
from scrypath.queue.deliver import Target, deliver
from scrypath.queue.events import EventHook, JobEvent, Outcome, emit, lost_attempt, unrecorded
from scrypath.queue.freshness import is_retry, newer_documents
from scrypath.queue.jobs import (
    REQUEUED,
    SPLIT,
    Job,
    JobError,
    JobState,
    is_permanent,
    job_error,
    permanent,
    split_entry,
)
from scrypath.queue.payload import Decoded, Invalid, decode
from scrypath.results import DocumentId
from scrypath.telemetry import span


def _since_requeue(errors: Sequence[JobError]) -> Sequence[JobError]:
    """The attempts' entries recorded since an operator last re-queued the job (all when
    never); notes of a split request record no attempt of their own."""
    start = 0
    for position in range(len(errors) - 1, -1, -1):
        if errors[position].reason == REQUEUED:
            start = position + 1
            break
    return [entry for entry in errors[start:] if entry.reason != SPLIT]


_OUTCOMES: Mapping[JobState, Outcome] = {
    JobState.RETRYABLE: "retryable",
    JobState.DISCARDED: "discarded",
    JobState.CANCELLED: "cancelled",
}


@dataclass(frozen=True, slots=True)
class BatchReport:
    """How many jobs one batch claimed, and how each ended."""

    claimed: int = 0
    outcomes: Mapping[Outcome, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Batcher:
    """Everything a batch needs: where the outbox is, how to deliver, who holds the lease."""

    engine: Engine
    config: Config
    owner: str
    batch_size: int
    hook: EventHook | None = None
    rng: random.Random | None = None

    def run(self) -> BatchReport:
        """Claim and process one batch; an empty report when nothing was due."""
        claimed = self._claim()
        if not claimed:
            return BatchReport()
        tally: Counter[Outcome] = Counter()
        with span("scrypath.worker.batch", worker=self.owner, job_count=len(claimed)) as traced:
            try:
                self._process(claimed, tally)
            except Exception as error:  # a lost database or a bug must not strand the batch
                self._fail_held(claimed, error, tally)
            failed = any(tally[outcome] for outcome in _OUTCOMES.values())
            traced.set(outcome="failed" if failed else "completed")
        return BatchReport(len(claimed), dict(tally))

    def _transaction(self, what: str) -> AbstractContextManager[Connection]:
        return transaction(self.engine, what)

    def _claim(self) -> list[Job]:
        with self._transaction("claim jobs") as connection:
            return claim(
                connection,
                owner=self.owner,
                limit=self.batch_size,
                lease_seconds=self.config.queue_lease_seconds,
            )

    def _process(self, claimed: list[Job], tally: Counter[Outcome]) -> None:
        live = self._record_lost_attempts(self._discard_orphans(claimed, tally))
        decoded = self._check(live, tally)
        coalesced = coalesce(decoded, self._newer([job for job, _ in decoded]))
        by_id = {job.id: job for job, _ in decoded}
        self._supersede(by_id, coalesced.superseded, tally)
        splits: dict[int, list[BackendError]] = {}

        def split(ids: Sequence[int], error: BackendError) -> None:
            for job_id in ids:
                splits.setdefault(job_id, []).append(error)

        target = Target(client_for(self.config), self.config, self.engine, self._renew, split)
        for work in coalesced.work:
            outcomes = deliver(target, work)
            self._settle(self._noted(by_id, splits), outcomes, tally)
            splits.clear()

    def _newer(self, batch: list[Job]) -> dict[str, dict[DocumentId, int]]:
        """Newer work outside the batch on the documents of retried jobs (only they pay)."""
        if not any(is_retry(job) for job in batch):
            return {}
        with self._transaction("read newer jobs") as connection:
            return newer_documents(connection, batch)

    def _discard_orphans(self, claimed: list[Job], tally: Counter[Outcome]) -> list[Job]:
        """Discard jobs reclaimed after their final attempt's lease expired."""
        live: list[Job] = []
        for job in claimed:
            if job.attempt <= job.max_attempts:
                live.append(job)
                continue
            with self._stamped("discard a job") as (connection, now):
                entry = JobError(
                    now,
                    job.max_attempts,
                    "queue_exhausted",
                    "lease_expired",
                    f"the worker holding attempt {job.max_attempts} of {job.max_attempts} "
                    "stopped before settling it; no attempt is left",
                )
                done = settle.discard(connection, self.owner, job, entry, attempt=job.max_attempts)
            if done:
                self._report(tally, "discarded", job, error=entry)
        return live

    def _record_lost_attempts(self, live: list[Job]) -> list[Job]:
        """Record each attempt that ended with no outcome (its worker stopped or lost the
        lease); every settled attempt left an error or finished the job."""
        kept: list[Job] = []
        for job in live:
            lost = job.attempt - 1 - len(_since_requeue(job.errors))
            if lost <= 0:
                kept.append(job)
                continue
            with self._stamped("record a lost attempt") as (connection, now):
                entry = JobError(
                    now,
                    job.attempt - 1,
                    "unknown",
                    "lease_expired",
                    f"attempt {job.attempt - 1} was lost: its worker stopped or lost the lease "
                    "before settling it",
                )
                updated = settle.record(connection, self.owner, job, entry)
            if updated is not None:
                lost_attempt(job, entry, self.owner)
                kept.append(updated)
        return kept

    def _check(self, live: list[Job], tally: Counter[Outcome]) -> list[tuple[Job, Decoded]]:
        """Decode each payload; cancel the invalid ones."""
        valid: list[tuple[Job, Decoded]] = []
        for job in live:
            decoded = decode(job)
            if isinstance(decoded, Decoded):
                valid.append((job, decoded))
                continue
            self._cancel(job, decoded, tally)
        return valid

    def _cancel(self, job: Job, invalid: Invalid, tally: Counter[Outcome]) -> None:
        with self._stamped("cancel a job") as (connection, now):
            entry = JobError(now, job.attempt, "validation", "invalid_payload", invalid.message)
            cancelled = settle.cancel(connection, self.owner, job, entry)
        if cancelled:
            self._report(tally, "cancelled", job, error=entry)

    def _supersede(
        self, by_id: Mapping[int, Job], replaced: Mapping[int, int], tally: Counter[Outcome]
    ) -> None:
        if not replaced:
            return
        with self._transaction("complete superseded jobs") as connection:
            done = settle.supersede(connection, self.owner, replaced)
        for job_id in sorted(done):
            self._report(tally, "superseded", by_id[job_id], superseded_by=replaced[job_id])

    def _renew(self, ids: Sequence[int]) -> set[int]:
        """Extend the leases on `ids`; the ones this worker still holds."""
        with self._transaction("renew leases") as connection:
            return renew(
                connection,
                owner=self.owner,
                ids=list(ids),
                lease_seconds=self.config.queue_lease_seconds,
            )

    def _noted(
        self, by_id: Mapping[int, Job], splits: Mapping[int, list[BackendError]]
    ) -> Mapping[int, Job]:
        """`by_id`, with each job whose request was rejected and split carrying a record of
        that request's task (so the operator tools show the task as this job's)."""
        if not splits:
            return by_id
        noted = dict(by_id)
        for job_id, entries in splits.items():
            job = by_id[job_id]
            with self._stamped("record a split request") as (connection, now):
                for error in entries:
                    updated = settle.record(connection, self.owner, job, split_entry(error, at=now))
                    job = updated if updated is not None else job
            noted[job_id] = job
        return noted

    def _settle(
        self,
        by_id: Mapping[int, Job],
        outcomes: Mapping[int, BaseException | None],
        tally: Counter[Outcome],
    ) -> None:
        succeeded = [job_id for job_id, error in outcomes.items() if error is None]
        with self._transaction("complete jobs") as connection:
            done = settle.complete(connection, self.owner, succeeded)
        for job_id in sorted(done):
            self._report(tally, "completed", by_id[job_id])
        for job_id, error in outcomes.items():
            if error is not None:
                self._fail(by_id[job_id], error, tally)

    def _fail(self, job: Job, error: BaseException, tally: Counter[Outcome]) -> None:
        backoff = Backoff.from_config(self.config)
        result: tuple[JobState, JobError, dt.datetime | None] | None
        with self._stamped("record a failure") as (connection, now):
            entry = job_error(error, attempt=job.attempt, at=now)
            if is_permanent(error):
                entry = permanent(entry)
                cancelled = settle.cancel(connection, self.owner, job, entry)
                result = (JobState.CANCELLED, entry, None) if cancelled else None
            else:
                result = settle.fail(connection, self.owner, job, entry, backoff, self.rng, now)
        if result is None:
            return
        state, recorded, retry_at = result
        outcome: Outcome = _OUTCOMES[state]
        self._report(tally, outcome, job, error=recorded, next_attempt_at=retry_at)

    @contextmanager
    def _stamped(self, what: str) -> Iterator[tuple[Connection, dt.datetime]]:
        """A short transaction and the database's time in it, for the entries it records."""
        with self._transaction(what) as connection:
            yield connection, database_now(connection)

    def _fail_held(self, claimed: list[Job], error: Exception, tally: Counter[Outcome]) -> None:
        """Record an unexpected failure on every job still held; if that fails too, the
        leases expire and another attempt picks the jobs up."""
        for job in claimed:
            try:
                self._fail(job, error, tally)
            except Exception as failure:
                unrecorded(job, failure, self.owner)
                return

    def _report(
        self,
        tally: Counter[Outcome],
        outcome: Outcome,
        job: Job,
        *,
        error: JobError | None = None,
        next_attempt_at: dt.datetime | None = None,
        superseded_by: int | None = None,
    ) -> None:
        tally[outcome] += 1
        event = JobEvent(
            outcome,
            job.id,
            job.index,
            job.model,
            job.operation,
            job.attempt,
            job.max_attempts,
            job.document_count,
            self.owner,
            error,
            next_attempt_at,
            superseded_by,
        )
        emit(event, self.hook)
