"""Delivering coalesced work through the one write primitive, and waiting for its tasks.

Per index, the upserts go out as one request and the deletes as another; both are sent
before either is awaited. A job succeeds only when the Meilisearch task carrying its
documents succeeded. When Meilisearch rejects a request that carries several jobs, the jobs
are split in halves and sent again, so one bad job cannot fail the others; a transport
failure fails every job of the request without splitting (waiting it out is the cure).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import meilisearch

from scrypath.config import Config
from scrypath.delivery import await_task, projected_body, send_deletes, send_upserts
from scrypath.errors import BackendError, TaskFailedError
from scrypath.indexes import ensure_once
from scrypath.meilisearch.tasks import TaskRef
from scrypath.queue.coalesce import Contribution, IndexWork
from scrypath.queue.jobs import classify, is_rejection

Outcomes = dict[int, BackendError | None]
"""Job id -> None when its write succeeded, else the error that failed it."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where and how a batch is delivered."""

    client: meilisearch.Client
    config: Config
    renew: Callable[[], None]


def deliver(target: Target, work: IndexWork) -> Outcomes:
    """Send one index's work and wait for it; every contributing job gets an outcome."""
    contributions = (*work.upserts, *work.deletes)
    try:
        _prepare(target, work)
    except BackendError as error:
        return {part.job.id: error for part in contributions}
    target.renew()
    sent = _submit_all(target, work)
    outcomes: Outcomes = {}
    for operation, parts, submitted in sent:
        target.renew()  # each wait may take a whole task timeout; keep the jobs ours
        failure = _outcome(target, work, operation, submitted)
        outcomes.update(_settle(target, work, operation, parts, failure))
    return outcomes


def _outcome(
    target: Target, work: IndexWork, operation: str, submitted: TaskRef | BackendError
) -> BackendError | None:
    """The failure of a submitted request: its own error, or its task's."""
    if isinstance(submitted, BackendError):
        return submitted
    return _await(target, work, operation, submitted)


def _prepare(target: Target, work: IndexWork) -> None:
    """Create and configure the index once per process, when it is the spec's own index."""
    config = target.config
    if (
        config.ensure_index_on_first_sync
        and work.spec.index_name(config.index_prefix) == work.index
    ):
        ensure_once(work.spec, config, work.index)


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
    context = _context(work)
    items = [item for part in parts for item in part.items]
    try:
        if operation == "delete":
            ids = [identifier for identifier, _ in items]
            return send_deletes(target.client, work.index, ids, **context)
        documents = [document for _, document in items if document is not None]
        body = projected_body(documents)
        return send_upserts(target.client, work.index, work.spec.document_id, body, **context)
    except BackendError as error:
        return error


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
    middle = len(parts) // 2
    outcomes: Outcomes = {}
    for half in (parts[:middle], parts[middle:]):
        target.renew()
        outcomes.update(_send_and_settle(target, work, operation, half))
    return outcomes


def _send_and_settle(
    target: Target, work: IndexWork, operation: str, parts: Sequence[Contribution]
) -> Outcomes:
    submitted = _submit(target, work, operation, parts)
    return _settle(target, work, operation, parts, _outcome(target, work, operation, submitted))


def _context(work: IndexWork) -> dict[str, Any]:
    return {"model": work.spec.model_name, "mode": "queue"}
