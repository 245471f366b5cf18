"""Which newer jobs outside a batch touch the documents of the jobs being retried.

A retried job is older than work that may already have reached Meilisearch; sending its
snapshot again would undo that newer write. Only batches holding retries pay for this read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection, select

from scrypath.queue.jobs import Job, JobState
from scrypath.queue.table import jobs
from scrypath.results import DocumentId

_IGNORED = (JobState.DISCARDED.value, JobState.CANCELLED.value)


def newer_documents(
    connection: Connection, batch: Sequence[Job]
) -> dict[str, dict[DocumentId, int]]:
    """Index -> document id -> the newest job outside `batch` touching it, for retried jobs."""
    retried = [job for job in batch if is_retry(job)]
    inside = {job.id for job in batch}
    found: dict[str, dict[DocumentId, int]] = {}
    for index in sorted({job.index for job in retried}):
        floor = min(job.id for job in retried if job.index == index)
        found[index] = _newest(connection, index, floor, inside)
    return found


def is_retry(job: Job) -> bool:
    """Whether the job was tried before: a later attempt, or one with failures on record (an
    inline failure recorded for later, a job an operator re-queued)."""
    return job.attempt > 1 or bool(job.errors)


def _newest(
    connection: Connection, index: str, floor: int, inside: set[int]
) -> dict[DocumentId, int]:
    statement = (
        select(jobs.c.id, jobs.c.document_ids)
        .where(jobs.c.index_uid == index, jobs.c.id > floor, jobs.c.state.not_in(_IGNORED))
        .order_by(jobs.c.id)
    )
    newest: dict[DocumentId, int] = {}
    for job_id, ids in connection.execute(statement):
        if job_id not in inside:
            for identifier in _ids(ids):
                newest[identifier] = int(job_id)
    return newest


def _ids(text: str) -> list[DocumentId]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    return [value for value in data if isinstance(value, int | str) and not isinstance(value, bool)]
