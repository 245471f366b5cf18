"""Every span, metric and attribute scrypath emits, in one table each.

The tables are the contract the operations docs print: a name here is a name a dashboard or
an alert may depend on. Attributes are bounded by construction: a model, an index, a mode,
an outcome, a reason tag or class, a step or command name, and counts. Never a record id, a
document, a query text, a key or a password.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

SCOPE = "scrypath"
"""The instrumentation scope name of every tracer and meter scrypath uses."""

ATTRIBUTES: Mapping[str, str] = MappingProxyType(
    {
        "model": "scrypath.model",
        "index": "scrypath.index",
        "mode": "scrypath.mode",
        "operation": "scrypath.operation",
        "document_count": "scrypath.document_count",
        "task_uid": "scrypath.task.uid",
        "outcome": "scrypath.outcome",
        "reason": "scrypath.reason",
        "reason_class": "scrypath.reason_class",
        "step": "scrypath.step",
        "command": "scrypath.command",
        "job_count": "scrypath.job_count",
        "hit_count": "scrypath.hit_count",
        "missing_count": "scrypath.missing_count",
        "entry_count": "scrypath.entry_count",
        "batch_count": "scrypath.batch_count",
        "hydrated": "scrypath.hydrated",
        "state": "scrypath.state",
        "outbox": "scrypath.outbox",
        "worker": "scrypath.worker",
        "error_type": "error.type",
    }
)
"""Keyword -> attribute key. `span()` and the metric helpers drop any other keyword."""


@dataclass(frozen=True, slots=True)
class SpanName:
    """A span scrypath starts, what starts it, and the attributes it carries."""

    name: str
    covers: str
    attributes: tuple[str, ...]


_FAILURE = ("outcome", "reason", "reason_class", "error_type")

SPANS: tuple[SpanName, ...] = (
    SpanName(
        "scrypath.sync",
        "one sync or delete call (`sync_record`, `sync_records`, `delete_record`, "
        "`delete_documents`, ORM auto-sync)",
        ("model", "index", "mode", "document_count", "task_uid", *_FAILURE),
    ),
    SpanName(
        "scrypath.backfill",
        "one backfill run (also the backfill step of a reindex)",
        ("model", "index", "mode", "document_count", "batch_count", *_FAILURE),
    ),
    SpanName(
        "scrypath.reindex",
        "one reindex run",
        ("model", "index", "mode", *_FAILURE),
    ),
    SpanName(
        "scrypath.reindex.step",
        "one step of a reindex (`lock`, `backfill`, `cutover`, ...)",
        ("model", "index", "step", *_FAILURE),
    ),
    SpanName(
        "scrypath.search",
        "one search (`search`, `search_within_facet`, `search_facet_values`)",
        ("model", "index", "operation", "hit_count", "hydrated", *_FAILURE),
    ),
    SpanName(
        "scrypath.search_many",
        "one federated search",
        ("operation", "entry_count", "hit_count", "hydrated", *_FAILURE),
    ),
    SpanName(
        "scrypath.hydrate",
        "loading the hits of a search back from the database (one SELECT per model)",
        ("model", "hit_count", "missing_count", *_FAILURE),
    ),
    SpanName(
        "scrypath.worker.batch",
        "one batch a worker claimed and settled",
        ("worker", "job_count", *_FAILURE),
    ),
    SpanName(
        "scrypath.worker.deliver",
        "delivering a batch's work to one index",
        ("model", "index", "mode", "job_count", *_FAILURE),
    ),
    SpanName(
        "scrypath.operator",
        "one operator command (`sync_status`, `failed_sync_work`, `retry_sync_work`, "
        "`reconcile_sync`, `index_contract_drift`, `audit_index`)",
        ("command", "model", "index", *_FAILURE),
    ),
)


@dataclass(frozen=True, slots=True)
class MetricName:
    """A metric instrument, its kind and unit, and the attributes of its points."""

    name: str
    kind: str
    unit: str
    description: str
    attributes: tuple[str, ...]


SYNC_CALLS = "scrypath.sync.calls"
SYNC_DOCUMENTS = "scrypath.sync.documents"
TASK_WAIT = "scrypath.task.wait.duration"
SEARCH_DURATION = "scrypath.search.duration"
JOBS_SETTLED = "scrypath.queue.jobs.settled"
ATTEMPTS_LOST = "scrypath.queue.attempts.lost"
QUEUE_DEPTH = "scrypath.queue.depth"
OLDEST_PENDING = "scrypath.queue.oldest_pending.age"
FAILED_WORK = "scrypath.failed_work.rows"

METRICS: tuple[MetricName, ...] = (
    MetricName(
        SYNC_CALLS,
        "counter",
        "{call}",
        "Sync and delete calls, by mode and outcome (failures by reason class).",
        ("model", "mode", "outcome", "reason_class"),
    ),
    MetricName(
        SYNC_DOCUMENTS,
        "counter",
        "{document}",
        "Documents those calls sent or enqueued.",
        ("model", "mode", "outcome", "reason_class"),
    ),
    MetricName(
        TASK_WAIT,
        "histogram",
        "s",
        "Time spent waiting for a Meilisearch task to reach a final state.",
        ("model", "mode", "operation", "outcome"),
    ),
    MetricName(
        SEARCH_DURATION,
        "histogram",
        "s",
        "Search latency, hydration included.",
        ("model", "operation", "hydrated", "outcome", "reason_class"),
    ),
    MetricName(
        JOBS_SETTLED,
        "counter",
        "{job}",
        "Queue jobs settled by a worker, by outcome (failures by reason class).",
        ("model", "operation", "outcome", "reason_class"),
    ),
    MetricName(
        ATTEMPTS_LOST,
        "counter",
        "{attempt}",
        "Job attempts lost because their worker stopped or lost the lease (`lease_expired`).",
        ("model",),
    ),
    MetricName(
        QUEUE_DEPTH,
        "observable gauge",
        "{job}",
        "Outbox jobs per state, read from the outbox at each collection.",
        ("outbox", "model", "state"),
    ),
    MetricName(
        OLDEST_PENDING,
        "observable gauge",
        "s",
        "Age of the oldest job not yet delivered (the sync lag), read from the outbox.",
        ("outbox", "model"),
    ),
    MetricName(
        FAILED_WORK,
        "observable gauge",
        "{row}",
        "Failed work rows the latest failed-work report found, by reason class.",
        ("model", "reason_class"),
    ),
)

HISTOGRAM_BOUNDARIES: tuple[float, ...] = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    120.0,
)
"""Bucket bounds in seconds for both histograms: a fast search to a slow bulk task."""
