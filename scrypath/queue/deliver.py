"""Delivering coalesced work through the one write primitive, and waiting for its tasks.

For one index, in named stages:

- **prepare**: ensure the index (once per process), before the lease is checked, so a slow
  bootstrap cannot outlive the lease unnoticed;
- **hold**: renew the leases and drop every job this worker no longer holds: another worker
  has taken it over, and whatever this one would send could overwrite newer work;
- **refresh**: read the rows again and send what the database holds now, not the job's
  snapshot (see `scrypath.queue.current`);
- **send**: the upserts as one request and the deletes as another, both sent before either is
  awaited. When Meilisearch rejects a request that carries several jobs, the jobs are split in
  halves and sent again, so one bad job cannot fail the others; a transport failure fails every
  job of the request without splitting (waiting it out is the cure);
- **recheck**: read the delivered rows once more and send what changed meanwhile, so a writer
  that committed after the refresh cannot be overtaken (see `scrypath.recheck`).

A job succeeds only when every Meilisearch task carrying its documents succeeded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import meilisearch
from sqlalchemy import Engine

from scrypath.config import Config
from scrypath.delivery import projected_body, send_deletes, send_upserts
from scrypath.errors import BackendError, ProjectionError, ScrypathError, TaskFailedError
from scrypath.indexes import ensure_once
from scrypath.meilisearch.tasks import TaskRef, await_task
from scrypath.planning import Plan, PlanBuilder
from scrypath.queue.coalesce import Contribution, IndexWork, Item
from scrypath.queue.current import can_read_back, current_plan
from scrypath.queue.jobs import classify, is_rejection
from scrypath.recheck import Unsettled, recheck
from scrypath.telemetry import span

Outcomes = dict[int, BaseException | None]
"""Job id -> None when its write succeeded, else the error that failed it. A job this
worker lost the lease on has no outcome: it is not this worker's to settle."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where and how a batch is delivered; `renew` extends the leases on the given jobs and
    returns the ones still held; `split` hears of a rejected request that carried several
    jobs (their ids and its task), so each job's history can name that task."""

    client: meilisearch.Client
    config: Config
    engine: Engine
    renew: Callable[[Sequence[int]], set[int]]
    split: Callable[[Sequence[int], BackendError], None]


def deliver(target: Target, work: IndexWork) -> Outcomes:
    """Send one index's work and wait for it; every job still held gets an outcome."""
    model, count = work.spec.model_name, len(_job_ids(work))
    with span("scrypath.worker.deliver", model=model, index=work.index, job_count=count) as traced:
        outcomes = _deliver(target, work)
        failed = any(error is not None for error in outcomes.values())
        traced.set(mode="queue", outcome="failed" if failed else "completed")
        return outcomes


def _deliver(target: Target, work: IndexWork) -> Outcomes:
    try:
        _prepare(target, work)
    except BackendError as error:
        return dict.fromkeys(_job_ids(work), error)
    work = _held(target, work)
    fresh = can_read_back(work.spec)
    failed: Outcomes = {}
    if fresh:
        try:
            work = _refreshed(target, work)
        except ProjectionError:
            work, failed = _refreshed_apart(target, work)
        except ScrypathError as error:
            return dict.fromkeys(_job_ids(work), error)
    outcomes = _send_all(target, work)
    if fresh:
        _recheck(target, work, outcomes)
    return {**outcomes, **failed}


def _prepare(target: Target, work: IndexWork) -> None:
    """Create and configure the index once per process, when it is the spec's own index."""
    config = target.config
    if (
        config.ensure_index_on_first_sync
        and work.spec.index_name(config.index_prefix) == work.index
    ):
        ensure_once(work.spec, config, work.index, mode="queue")


def _held(target: Target, work: IndexWork) -> IndexWork:
    """`work` without the jobs whose lease this worker lost."""
    held = target.renew(_job_ids(work))

    def mine(parts: Iterable[Contribution]) -> tuple[Contribution, ...]:
        return tuple(part for part in parts if part.job.id in held)

    return replace(work, upserts=mine(work.upserts), deletes=mine(work.deletes))


def _refreshed(target: Target, work: IndexWork) -> IndexWork:
    """`work` carrying what the database holds now for each of its documents."""
    ids = [identifier for part in _parts(work) for identifier, _ in part.items]
    now = current_plan(target.engine, work.spec, ids)
    upserts: list[Contribution] = []
    deletes: list[Contribution] = []
    for part in _parts(work):
        items = [(identifier, now.upserts.get(identifier)) for identifier, _ in part.items]
        kept = tuple(item for item in items if item[1] is not None)
        gone = tuple(item for item in items if item[1] is None)
        if kept:
            upserts.append(Contribution(part.job, kept))
        if gone:
            deletes.append(Contribution(part.job, gone))
    return replace(work, upserts=tuple(upserts), deletes=tuple(deletes))


def _refreshed_apart(target: Target, work: IndexWork) -> tuple[IndexWork, Outcomes]:
    """Refresh job by job, so a row that no longer projects fails only the jobs naming it."""
    kept: list[Contribution] = []
    failed: Outcomes = {}
    for part in _parts(work):
        try:
            kept.extend(_parts(_refreshed(target, replace(work, upserts=(part,), deletes=()))))
        except ProjectionError as error:
            failed[part.job.id] = error
    alive = [part for part in kept if part.job.id not in failed]
    upserts = tuple(part for part in alive if part.items[0][1] is not None)
    deletes = tuple(part for part in alive if part.items[0][1] is None)
    return replace(work, upserts=upserts, deletes=deletes), failed


def _send_all(target: Target, work: IndexWork) -> Outcomes:
    outcomes: Outcomes = {}
    for operation, parts, submitted in _submit_all(target, work):
        target.renew(_job_ids(work))  # each wait may take a whole task timeout
        failure = _outcome(target, work, operation, submitted)
        _merge(outcomes, _settle(target, work, operation, parts, failure))
    return outcomes


def _recheck(target: Target, work: IndexWork, outcomes: Outcomes) -> None:
    """Re-read the rows of the jobs that succeeded; a failure here fails those jobs."""
    delivered = [part for part in _parts(work) if _succeeded(outcomes, part.job.id)]
    if not delivered:
        return
    sent = _plan_of(item for part in delivered for item in part.items)
    ids = list(sent.document_ids)

    def send(changed: Plan) -> None:
        target.renew(_job_ids(work))
        _send_plan(target, work, changed)

    try:
        recheck(lambda: current_plan(target.engine, work.spec, ids), sent, send)
    except (ScrypathError, Unsettled) as error:
        for part in delivered:
            outcomes[part.job.id] = error


def _send_plan(target: Target, work: IndexWork, plan: Plan) -> None:
    """Send a plan and await it; the first failure raises."""
    deletes: list[Item] = [(identifier, None) for identifier in plan.deletes]
    for operation, items in (("upsert", list(plan.upserts.items())), ("delete", deletes)):
        if items:
            failure = _await(target, work, operation, _request(target, work, operation, items))
            if failure is not None:
                raise failure


def _submit_all(
    target: Target, work: IndexWork
) -> list[tuple[str, Sequence[Contribution], TaskRef | BackendError]]:
    """Send the upserts, then the deletes; after a transport failure, send nothing more."""
    sent: list[tuple[str, Sequence[Contribution], TaskRef | BackendError]] = []
    for operation, parts in (("upsert", work.upserts), ("delete", work.deletes)):
        if not parts:
            continue
        blocked = next((s for *_, s in sent if isinstance(s, BackendError)), None)
        if blocked is not None and classify(blocked) == "transport":
            sent.append((operation, parts, blocked))
            continue
        sent.append((operation, parts, _submit(target, work, operation, parts)))
    return sent


def _submit(
    target: Target, work: IndexWork, operation: str, parts: Sequence[Contribution]
) -> TaskRef | BackendError:
    try:
        return _request(target, work, operation, [item for part in parts for item in part.items])
    except BackendError as error:
        return error


def _request(target: Target, work: IndexWork, operation: str, items: Sequence[Item]) -> TaskRef:
    context = _context(work)
    if operation == "delete":
        ids = [identifier for identifier, _ in items]
        return send_deletes(target.client, work.index, ids, **context)
    body = projected_body([document for _, document in items if document is not None])
    return send_upserts(target.client, work.index, work.spec.document_id, body, **context)


def _outcome(
    target: Target, work: IndexWork, operation: str, submitted: TaskRef | BackendError
) -> BackendError | None:
    """The failure of a submitted request: its own error, or its task's."""
    if isinstance(submitted, BackendError):
        return submitted
    return _await(target, work, operation, submitted)


def _await(target: Target, work: IndexWork, operation: str, task: TaskRef) -> BackendError | None:
    try:
        await_task(
            target.client,
            task,
            target.config,
            index=work.index,
            operation=operation,
            **_context(work),
        )
    except TaskFailedError as error:
        if operation == "delete" and error.code == "index_not_found":
            return None
        return error
    except BackendError as error:
        return error
    return None


def _settle(
    target: Target,
    work: IndexWork,
    operation: str,
    parts: Sequence[Contribution],
    error: BackendError | None,
) -> Outcomes:
    if error is None or len(parts) == 1 or not is_rejection(error):
        return {part.job.id: error for part in parts}
    target.split([part.job.id for part in parts], error)
    middle = len(parts) // 2
    outcomes: Outcomes = {}
    for half in (parts[:middle], parts[middle:]):
        held = target.renew([part.job.id for part in half])
        mine = [part for part in half if part.job.id in held]
        if mine:
            _merge(outcomes, _send_and_settle(target, work, operation, mine))
    return outcomes


def _send_and_settle(
    target: Target, work: IndexWork, operation: str, parts: Sequence[Contribution]
) -> Outcomes:
    submitted = _submit(target, work, operation, parts)
    return _settle(target, work, operation, parts, _outcome(target, work, operation, submitted))


def _merge(outcomes: Outcomes, more: Outcomes) -> None:
    """Add `more`; a job that failed in any request stays failed."""
    for job_id, error in more.items():
        if outcomes.get(job_id) is None:
            outcomes[job_id] = error


def _succeeded(outcomes: Outcomes, job_id: int) -> bool:
    return job_id in outcomes and outcomes[job_id] is None


def _plan_of(items: Iterable[Item]) -> Plan:
    builder = PlanBuilder()
    for identifier, document in items:
        if document is None:
            builder.delete(identifier)
        else:
            builder.upsert(identifier, document)
    return builder.build()


def _parts(work: IndexWork) -> tuple[Contribution, ...]:
    return (*work.upserts, *work.deletes)


def _job_ids(work: IndexWork) -> list[int]:
    return list(dict.fromkeys(part.job.id for part in _parts(work)))


def _context(work: IndexWork) -> dict[str, Any]:
    return {"model": work.spec.model_name, "mode": "queue"}
