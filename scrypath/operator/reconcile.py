"""Reconcile, report first: where a model's sync stands, what drifted, and what would repair it.

The report gathers the status, the failed work with its class counts, six drift signals in a
fixed order, what an in-flight rebuild looks like from outside, and the recommended actions:
one `retry` per retryable row, then at most one repair (`reindex` while a rebuild is pending
or half done; else, with the document audit included, `repair` when it found drifted ids;
else `backfill` when some failed work cannot be retried). It changes nothing
unless `action=` names one of its own recommendations; the action is checked against the
report built in the same call, so nothing is applied from a stale view.

With `include_index_contract_drift=True` the report embeds the contract-drift report. When
that comparison cannot run (the index is missing, Meilisearch is unreachable), the whole
reconcile fails: a report without it would read as a match it never checked.

With `include_document_drift=True` the report embeds a full document audit
(`scrypath.audit_index`). Its verdict replaces the guess a backfill is: drifted ids bring a
`repair` of exactly those ids (through the normal write path, so queue mode queues them),
and an index the audit found equal to the database needs no backfill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Literal

import meilisearch

from scrypath.bulk import backfill
from scrypath.config import resolve
from scrypath.declaration import spec_for
from scrypath.errors import ActionNotRecommendedError, ConfigurationError
from scrypath.indexes import index_for
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.rebuild_marker import lock_name, marker_exists, target_name
from scrypath.operator.audit import audit_index
from scrypath.operator.audit_repair import repair_drift
from scrypath.operator.audit_report import AuditReport
from scrypath.operator.contract_drift import ContractDriftReport, index_contract_drift
from scrypath.operator.failed import FailedWorkReport, failed_sync_work
from scrypath.operator.retry import index_exists, parse_work_id, retry_sync_work
from scrypath.operator.status import SyncStatusReport, sync_status
from scrypath.operator.task_log import count_tasks
from scrypath.rebuild import reindex
from scrypath.telemetry import operator_command

DRIFT_SIGNALS = (
    "pending_backend_work",
    "pending_queue_work",
    "failed_sync_work",
    "reindex_visibility_available",
    "reindex_in_progress",
    "reindex_cutover_pending",
)
"""The drift signals, in the order every report lists them."""

ACTION_KINDS = ("retry", "backfill", "reindex", "repair")

ActionKind = Literal["retry", "backfill", "reindex", "repair"]
Cutover = Literal["not_started", "pending", "done"]


@dataclass(frozen=True, slots=True)
class ReindexVisibility:
    """A rebuild of the index as seen from outside: its marker, lock and target index, the
    target's document tasks, and where the cutover stands.

    `cutover` is `pending` while the marker announces the rebuild (writers copy to the
    target and the swap is awaited), `done` when only the target is left (the previous
    index kept after a swap, or a leftover), else `not_started`.
    """

    live_index: str
    target_index: str
    marker: bool
    lock: bool
    target_exists: bool
    target_tasks: Mapping[str, int]
    cutover: Cutover

    @property
    def available(self) -> bool:
        """Whether there is a rebuild to see: its marker, lock or target exists."""
        return self.marker or self.lock or self.target_exists

    @property
    def in_progress(self) -> bool:
        """Whether a rebuild runs or died mid-way: its lock or marker exists."""
        return self.marker or self.lock

    def to_json(self) -> dict[str, Any]:
        return {
            "live_index": self.live_index,
            "target_index": self.target_index,
            "marker": self.marker,
            "lock": self.lock,
            "target_exists": self.target_exists,
            "target_tasks": dict(self.target_tasks),
            "cutover": self.cutover,
        }


@dataclass(frozen=True, slots=True)
class Action:
    """One recommended action; `work_id` names the row for a retry."""

    kind: ActionKind
    work_id: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "work_id": self.work_id, "reason": self.reason}

    def label(self) -> str:
        """How a human line names it: `retry job:812`, `backfill`."""
        return self.kind if self.work_id is None else f"{self.kind} {self.work_id}"


@dataclass(frozen=True, slots=True)
class AppliedAction:
    """The action a reconcile applied, and what it returned (as plain JSON)."""

    kind: ActionKind
    work_id: str | None
    result: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "work_id": self.work_id, "result": dict(self.result)}


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """`reconcile_sync`: the report, as read before any action, and what was applied."""

    model: str
    index: str
    status: SyncStatusReport
    failed: FailedWorkReport
    signals: Mapping[str, bool]
    reindex: ReindexVisibility
    actions: tuple[Action, ...]
    contract_drift: ContractDriftReport | None = None
    applied: AppliedAction | None = None
    document_drift: AuditReport | None = None

    def to_json(self) -> dict[str, Any]:
        drift = self.contract_drift
        audit = self.document_drift
        return {
            "version": 1,
            "model": self.model,
            "index": self.index,
            "status": self.status.to_json(),
            "failed": self.failed.to_json(),
            "signals": {name: self.signals[name] for name in DRIFT_SIGNALS},
            "reindex": self.reindex.to_json(),
            "actions": [action.to_json() for action in self.actions],
            "contract_drift": None if drift is None else drift.to_json(),
            "document_drift": None if audit is None else audit.to_json(),
            "applied": None if self.applied is None else self.applied.to_json(),
        }


@operator_command("reconcile_sync")
def reconcile_sync(
    model: type[Any],
    *,
    action: str | None = None,
    work_id: str | None = None,
    include_index_contract_drift: bool = False,
    include_document_drift: bool = False,
    failed_offset: int = 0,
    failed_max_rows: int | None = None,
    failed_reason_class: str | None = None,
    **overrides: Any,
) -> ReconcileReport:
    """The reconcile report for `model`; with `action=`, apply that recommendation too.

    `include_document_drift=True` runs a full document audit and may recommend `repair`.
    `failed_offset`, `failed_max_rows` and `failed_reason_class` build one page of the failed
    work (as `failed_sync_work`'s `offset`, `max_rows` and `reason_class`): the signals, the
    counts and the repair still cover every row, the retries only the rows of that page. A
    paged report is for reading: an action needs the whole report."""
    wanted = _requested(action, work_id)
    paged = (failed_offset, failed_max_rows, failed_reason_class) != (0, None, None)
    if wanted is not None and paged:
        raise ConfigurationError(
            "an action is checked against the whole report; drop the failed-work page "
            "(failed_offset, failed_max_rows, failed_reason_class) to apply one",
            key="action",
        )
    spec = spec_for(model)
    config = resolve(**overrides)
    index = index_for(spec, config)
    status = sync_status(model, **overrides)
    failed = failed_sync_work(
        model,
        reason_class_counts=True,
        offset=failed_offset,
        max_rows=failed_max_rows,
        reason_class=failed_reason_class,
        **overrides,
    )
    visibility = reindex_visibility(client_for(config), index, model=spec.model_name)
    drift = index_contract_drift(model, **overrides) if include_index_contract_drift else None
    audit = audit_index(model, **overrides) if include_document_drift else None
    actions = recommended_actions(failed, visibility, audit)
    report = ReconcileReport(
        spec.model_name,
        index,
        status,
        failed,
        drift_signals(status, failed, visibility),
        visibility,
        actions,
        drift,
        document_drift=audit,
    )
    if wanted is None:
        return report
    chosen = _recommended(wanted, report)
    return replace(report, applied=_apply(chosen, model, overrides, audit))


def reindex_visibility(client: meilisearch.Client, live: str, **context: Any) -> ReindexVisibility:
    """Read the rebuild's marker, lock and target (and the target's tasks when any exists)."""
    target = target_name(live)
    marker = marker_exists(client, live, **context)
    lock = index_exists(client, lock_name(live), **context)
    target_exists = index_exists(client, target, **context)
    tasks = {"pending": 0, "failed": 0, "succeeded": 0}
    if marker or lock or target_exists:
        tasks = _target_tasks(client, target, context)
    cutover: Cutover = "not_started"
    if marker:
        cutover = "pending"
    elif target_exists and not lock:
        cutover = "done"
    return ReindexVisibility(
        live, target, marker, lock, target_exists, MappingProxyType(tasks), cutover
    )


def _target_tasks(
    client: meilisearch.Client, target: str, context: dict[str, Any]
) -> dict[str, int]:
    def count(*statuses: str) -> int:
        total, _ = count_tasks(client, index_uids=[target], statuses=statuses, **context)
        return total

    return {
        "pending": count("enqueued", "processing"),
        "failed": count("failed"),
        "succeeded": count("succeeded"),
    }


def drift_signals(
    status: SyncStatusReport, failed: FailedWorkReport, visibility: ReindexVisibility
) -> Mapping[str, bool]:
    """The six signals, in `DRIFT_SIGNALS` order. Queue work waiting for a retry is
    pending queue work too (it has not reached the index yet)."""
    values = (
        status.backend.pending > 0,
        status.queue.pending + status.queue.retrying > 0,
        failed.total > 0,
        visibility.available,
        visibility.in_progress,
        visibility.cutover == "pending",
    )
    return MappingProxyType(dict(zip(DRIFT_SIGNALS, values, strict=True)))


def recommended_actions(
    failed: FailedWorkReport, visibility: ReindexVisibility, audit: AuditReport | None = None
) -> tuple[Action, ...]:
    """One retry per retryable row shown, then at most one repair: a reindex to finish a
    rebuild, else the audit's drifted ids, else (without an audit) a backfill for stuck rows
    (of the whole report, even when it shows one page)."""
    actions = [
        Action("retry", row.id, f"{row.id} can be replayed: {row.recovery}")
        for row in failed.rows
        if row.retryable
    ]
    if visibility.available:
        actions.append(Action("reindex", None, _rebuild_reason(visibility)))
    elif audit is not None:
        if not audit.match:
            actions.append(Action("repair", None, _repair_reason(audit)))
    elif (stuck := failed.stuck) > 0:
        actions.append(
            Action(
                "backfill",
                None,
                f"{stuck} failed row(s) have nothing to replay; a backfill sends every row "
                "of the table again",
            )
        )
    return tuple(actions)


def _repair_reason(audit: AuditReport) -> str:
    return (
        f"the document audit found {audit.missing.count} missing, {audit.extra.count} extra "
        f"and {audit.stale.count} stale document(s); a repair writes exactly those ids from "
        "the database as it is now"
    )


def _rebuild_reason(visibility: ReindexVisibility) -> str:
    left = [
        name
        for name, present in (
            ("marker", visibility.marker),
            ("lock", visibility.lock),
            ("target index", visibility.target_exists),
        )
        if present
    ]
    return (
        f"a rebuild of {visibility.live_index} is pending or half done ({', '.join(left)} "
        "present); if no reindex is running any more, applying this one takes the dead "
        "run's place (takeover) and brings the rebuild to an end"
    )


def _requested(action: str | None, work_id: str | None) -> Action | None:
    """The action asked for, checked for shape (not yet against the report)."""
    if action is None:
        if work_id is not None:
            raise ConfigurationError(
                "work_id is given without an action; pass action='retry' with it",
                key="work_id",
            )
        return None
    if action not in ACTION_KINDS:
        raise ConfigurationError(
            f"unknown action {str(action)[:40]!r}; choose one of {', '.join(ACTION_KINDS)}",
            key="action",
        )
    if action == "retry":
        if work_id is None:
            raise ConfigurationError(
                "a retry needs the id of the row to retry (work_id), such as job:812",
                key="work_id",
            )
        parse_work_id(work_id)
        return Action("retry", work_id, "")
    if work_id is not None:
        raise ConfigurationError(f"work_id applies only to a retry, not to {action}", key="work_id")
    kinds: dict[str, ActionKind] = {
        "backfill": "backfill",
        "reindex": "reindex",
        "repair": "repair",
    }
    return Action(kinds[action], None, "")


def _recommended(wanted: Action, report: ReconcileReport) -> Action:
    for candidate in report.actions:
        if (candidate.kind, candidate.work_id) == (wanted.kind, wanted.work_id):
            return candidate
    shown = ", ".join(action.label() for action in report.actions) or "none"
    raise ActionNotRecommendedError(
        f"{wanted.label()} is not one of this report's recommended actions "
        f"(recommended: {shown}); nothing was changed",
        action=wanted.kind,
        work_id=wanted.work_id,
        recommended=[action.label() for action in report.actions],
        model=report.model,
        index=report.index,
    )


def _apply(
    chosen: Action, model: type[Any], overrides: dict[str, Any], audit: AuditReport | None
) -> AppliedAction:
    """Run the chosen action. A recommended reindex exists to finish a rebuild whose lock or
    marker was left behind, so it takes over: refusing at the lock would make the
    recommendation impossible to follow. A repair writes in the configured sync mode."""
    result: Any
    if chosen.kind == "repair":
        assert audit is not None  # recommended only from an audit
        result = repair_drift(model, audit, **overrides)
    elif chosen.kind == "retry":
        assert chosen.work_id is not None
        result = retry_sync_work(chosen.work_id, **overrides)
    elif chosen.kind == "backfill":
        result = backfill(model, **_backfill_overrides(overrides))
    else:
        result = reindex(model, takeover=True, **_backfill_overrides(overrides))
    return AppliedAction(chosen.kind, chosen.work_id, MappingProxyType(result.to_json()))


def _backfill_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """A repair waits for every batch whatever the configured sync mode, so the mode is
    chosen here, not inherited from queue or manual configuration."""
    return {**overrides, "sync_mode": "inline"}
