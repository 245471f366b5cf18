"""Recording inline failures in the outbox, so a Meilisearch outage loses nothing.

When an outbox is configured and an inline call fails in a way waiting can cure (no answer,
a timeout, a 5xx, or a failed task), the undelivered work is written to the outbox as
retryable jobs, in its own transaction. The caller still gets the typed error, with a message
and context (`jobs`) that say where the work went, or why recording it failed too.
"""

from __future__ import annotations

from collections.abc import Sequence

from scrypath.config import Config
from scrypath.errors import BackendError, ConfigurationError, OutboxError, TaskFailedError
from scrypath.queue.enqueue import Row, record_failure
from scrypath.queue.jobs import classify


def recordable(error: BackendError) -> bool:
    """Whether a retry could succeed: a transport failure, a timeout, a 5xx or a failed task."""
    return isinstance(error, TaskFailedError) or classify(error) == "transport"


def recorded(error: BackendError, config: Config, rows: Sequence[Row]) -> BackendError:
    """`error` again, saying which jobs now hold its work (or why none could be written)."""
    try:
        refs = record_failure(config, rows, error)
    except (OutboxError, ConfigurationError) as failure:
        return _rewrap(
            error,
            f"{error.message}; recording the work in the outbox failed too "
            f"[{failure.reason}]: {failure.message}",
            jobs=[],
            outbox_error=failure.reason,
        )
    ids = [ref.id for ref in refs]
    listed = ", ".join(str(job_id) for job_id in ids)
    noun = "job" if len(ids) == 1 else "jobs"
    return _rewrap(
        error,
        f"{error.message}; the work was recorded as {noun} {listed} in the outbox, "
        "and the worker will retry it",
        jobs=ids,
    )


def _rewrap(error: BackendError, message: str, **context: object) -> BackendError:
    return type(error)(message, **{**error.context, **context})
