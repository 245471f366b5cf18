"""The human lines of the operator commands: plain, stable, grep-able.

A line's keys are the JSON report's keys (`pending=3`, `is_indexing=no`), so what a person
greps for and what a script reads carry the same names. The lines pinned by the operator
contract (`Failed work: 3`, the class rollup, the row line, `Drift signals: ...`,
`Recommended actions: ...`) are built here and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from scrypath.cli.audit import audit_lines
from scrypath.operator.contract_drift import ContractDriftReport
from scrypath.operator.failed import FailedWork, FailedWorkReport
from scrypath.operator.reconcile import (
    DRIFT_SIGNALS,
    Action,
    AppliedAction,
    ReconcileReport,
    ReindexVisibility,
)
from scrypath.operator.status import SyncStatusReport
from scrypath.queue.jobs import REASON_CLASSES

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def value(item: object) -> str:
    """One value as a line shows it: yes/no, `none`, seconds with one decimal."""
    if item is None:
        return "none"
    if isinstance(item, bool):
        return "yes" if item else "no"
    if isinstance(item, float):
        return f"{item:.1f}"
    return one_line(str(item))


def one_line(text: str) -> str:
    """`text` with control characters (newlines included) folded to one space."""
    return _CONTROL.sub(" ", text).strip()


def pairs(items: Iterable[tuple[str, object]], separator: str = ", ") -> str:
    """`key=value` pairs, joined."""
    return separator.join(f"{key}={value(item)}" for key, item in items)


def status_lines(report: SyncStatusReport, model: str) -> list[str]:
    """The backend's view, the queue's view and the index, one line each."""
    backend, queue, index = report.backend, report.queue, report.index_view
    backend_pairs = (
        ("pending", backend.pending),
        ("processing", backend.processing),
        ("failed", backend.failed),
        ("last_succeeded_uid", backend.last_succeeded_uid),
        ("last_succeeded_at", backend.last_succeeded_at),
    )
    lines = [f"Sync status for {model} (index={report.index})", f"Backend: {pairs(backend_pairs)}"]
    if queue.observed:
        queue_pairs = (
            ("pending", queue.pending),
            ("retrying", queue.retrying),
            ("failed", queue.failed),
            ("last_succeeded_at", queue.last_succeeded_at),
            ("oldest_pending_age_seconds", queue.oldest_pending_age_seconds),
        )
        lines.append(f"Queue: {pairs(queue_pairs)}")
    else:
        lines.append("Queue: not observed (no outbox is configured and installed)")
    index_pairs = (
        ("exists", index.exists),
        ("documents", index.documents),
        ("is_indexing", index.is_indexing),
    )
    lines.append(f"Index: {pairs(index_pairs)}")
    return lines


def status_summary_line(report: SyncStatusReport, model: str) -> str:
    """One model's status on one line, for `scrypath status` without a model."""
    backend, queue, index = report.backend, report.queue, report.index_view
    items: list[tuple[str, object]] = [
        ("model", model),
        ("index", report.index),
        ("backend_pending", backend.pending),
        ("backend_failed", backend.failed),
    ]
    if queue.observed:
        items += [
            ("queue_pending", queue.pending),
            ("queue_retrying", queue.retrying),
            ("queue_failed", queue.failed),
            ("oldest_pending_age_seconds", queue.oldest_pending_age_seconds),
        ]
    else:
        items.append(("queue", "not_observed"))
    items += [("exists", index.exists), ("documents", index.documents)]
    return f"- {pairs(items, ' ')}"


def failed_total_line(total: int) -> str:
    return f"Failed work: {total}"


def class_count_lines(counts: Mapping[str, int]) -> list[str]:
    """`Failed work by class:` and the dense rollup, in the contract's order."""
    rollup = ", ".join(f"{name}={counts.get(name, 0)}" for name in REASON_CLASSES)
    return ["Failed work by class:", f"  {rollup}"]


def row_lines(row: FailedWork) -> list[str]:
    """The pinned row line, then its details (the reason ends the first line, so the
    details follow on their own, indented)."""
    head = pairs(
        (
            ("id", row.id),
            ("source", row.source),
            ("state", row.state),
            ("operation", row.operation),
            ("retryable", row.retryable),
            ("reason_class", row.reason_class),
        ),
        " ",
    )
    details = pairs(
        (
            ("index", row.index),
            ("failed_at", row.failed_at),
            ("attempt", row.attempt),
            ("max_attempts", row.max_attempts),
        ),
        " ",
    )
    return [
        f"- {head} reason={one_line(row.reason)}",
        f"  {details} recovery={one_line(row.recovery)}",
    ]


def failed_lines(report: FailedWorkReport, model: str) -> list[str]:
    """The failed-work report: header, total, rollup (when asked), one row each."""
    lines = [f"Failed work for {model} (index={report.index})", failed_total_line(len(report.rows))]
    if report.class_counts is not None:
        lines += class_count_lines(report.class_counts)
    for row in report.rows:
        lines += row_lines(row)
    return lines


def failed_summary_line(report: FailedWorkReport, model: str) -> str:
    """One model's failed work on one line, for `scrypath failed` without a model."""
    items: list[tuple[str, object]] = [
        ("model", model),
        ("index", report.index),
        ("failed", len(report.rows)),
        ("retryable", sum(1 for row in report.rows if row.retryable)),
    ]
    if report.class_counts is not None:
        items += [(name, report.class_counts.get(name, 0)) for name in REASON_CLASSES]
    return f"- {pairs(items, ' ')}"


def reindex_line(reindex: ReindexVisibility) -> str:
    tasks = reindex.target_tasks
    items = (
        ("live_index", reindex.live_index),
        ("target_index", reindex.target_index),
        ("marker", reindex.marker),
        ("lock", reindex.lock),
        ("target_exists", reindex.target_exists),
        ("target_pending", tasks.get("pending", 0)),
        ("target_failed", tasks.get("failed", 0)),
        ("target_succeeded", tasks.get("succeeded", 0)),
        ("cutover", reindex.cutover),
    )
    return f"Reindex: {pairs(items)}"


def signals_line(signals: Mapping[str, bool]) -> str:
    """All six signals, always in the contract's order."""
    return f"Drift signals: {pairs((name, signals[name]) for name in DRIFT_SIGNALS)}"


def actions_line(actions: Sequence[Action]) -> str:
    shown = ", ".join(action.label() for action in actions) or "none"
    return f"Recommended actions: {shown}"


def contract_lines(report: ContractDriftReport, model: str) -> list[str]:
    """The contract verdict, then one `  ! <dimension>: <summary>` line per mismatch."""
    where = f"{model} (index={report.index})"
    if report.match:
        return [f"Index contract OK for {where}"]
    lines = [f"INDEX CONTRACT DRIFT for {where}"]
    lines += [
        f"  ! {item.name}: {one_line(item.summary)}" for item in report.dimensions if not item.match
    ]
    return lines


def applied_line(applied: AppliedAction) -> str:
    """What `reconcile --action` did: the action, then the plain values its result holds."""
    label = applied.kind if applied.work_id is None else f"{applied.kind} {applied.work_id}"
    shown = [
        (key, item)
        for key, item in applied.result.items()
        if key != "version" and (item is None or isinstance(item, str | int | float | bool))
    ]
    return f"Applied: {label}: {pairs(shown, ' ')}" if shown else f"Applied: {label}"


def reconcile_lines(report: ReconcileReport, model: str) -> list[str]:
    """The whole report, in the order an operator reads it."""
    lines = [f"Reconcile report for {model} (index={report.index})"]
    lines += status_lines(report.status, model)[1:]
    lines += failed_lines(report.failed, model)[1:]
    lines.append(reindex_line(report.reindex))
    lines.append(signals_line(report.signals))
    if report.contract_drift is not None:
        lines += contract_lines(report.contract_drift, model)
    if report.document_drift is not None:
        lines += audit_lines(report.document_drift, model)
    lines.append(actions_line(report.actions))
    if report.applied is not None:
        lines.append(applied_line(report.applied))
    return lines
