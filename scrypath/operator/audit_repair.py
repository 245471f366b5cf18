"""Repairing exactly the ids an audit found drifted, through the normal write path.

For each drifted id the current row is read again: a row that qualifies is upserted, and a
row that no longer qualifies, or an id no row holds, is deleted. So the repair writes what
the database holds at repair time, in the configured sync mode: inline waits for each
batch and then reads the ids once more, re-sending what changed meanwhile; manual returns
once Meilisearch accepted it; queue mode enqueues outbox jobs in one transaction per batch
for the worker, which reads the rows back when it sends. Nothing else in the index is
touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scrypath.config import resolve
from scrypath.declaration import SearchSpec, spec_for
from scrypath.errors import BackfillError
from scrypath.operator.audit import drifted_ids
from scrypath.operator.audit_compare import id_text
from scrypath.operator.audit_report import AuditReport
from scrypath.operator.audit_rows import Rows, rows_for
from scrypath.planning import Plan, PlanBuilder
from scrypath.projection import DocumentId, document_id
from scrypath.recheck import Unsettled, recheck
from scrypath.results import SyncResult
from scrypath.sync import sync_plan

REPAIR_BATCH = 500
"""The most ids one repair write carries."""


@dataclass(frozen=True, slots=True)
class RepairResult:
    """What a repair wrote: documents upserted and deleted, and the tasks or jobs."""

    model: str
    index: str
    mode: str
    status: str
    upserted: int
    deleted: int
    tasks: tuple[int, ...]
    jobs: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "index": self.index,
            "mode": self.mode,
            "status": self.status,
            "upserted": self.upserted,
            "deleted": self.deleted,
            "tasks": list(self.tasks),
            "jobs": list(self.jobs),
        }


def repair_drift(model: type[Any], report: AuditReport, **overrides: Any) -> RepairResult:
    """Write the current state of every id `report` found drifted, and nothing else."""
    spec = spec_for(model)
    config = resolve(**overrides)
    rows = rows_for(spec, config.require_session_factory(), REPAIR_BATCH)
    ids = drifted_ids(report)
    results: list[SyncResult] = []
    for start in range(0, len(ids), REPAIR_BATCH):
        results.extend(_repair_batch(spec, rows, ids[start : start + REPAIR_BATCH], overrides))
    mode = results[0].mode if results else config.sync_mode or "inline"
    statuses = {result.status for result in results}
    status = "noop" if not results else "accepted" if "accepted" in statuses else "completed"
    return RepairResult(
        spec.model_name,
        report.index,
        str(mode),
        status,
        sum(len(result.upserted_ids) for result in results),
        sum(len(result.deleted_ids) for result in results),
        tuple(task.uid for result in results for task in result.tasks),
        tuple(job.id for result in results for job in result.jobs),
    )


def _repair_batch(
    spec: SearchSpec, rows: Rows, ids: Sequence[DocumentId], overrides: dict[str, Any]
) -> list[SyncResult]:
    """Deliver `ids` as the database holds them now. Inline, once applied, read them again and
    send what changed meanwhile (`scrypath.recheck`), so a writer that races the repair is
    never undone: not by an older version, nor by the delete of a row born meanwhile. Queue
    mode needs no recheck: the worker reads the rows back when it sends."""
    plan = _current(rows, ids)
    with rows.sessions() as session:
        results = [sync_plan(spec, plan, session=session, **overrides)]
        session.commit()
    if results[0].mode != "inline":
        return results

    def send(changed: Plan) -> None:
        results.append(sync_plan(spec, changed, **overrides))

    try:
        recheck(lambda: _current(rows, ids), plan, send)
    except Unsettled as error:
        raise BackfillError(
            f"repair of {spec.model_name}: {error}; run it again when writes are quieter",
            model=spec.model_name,
            cause="unsettled",
        ) from None
    return results


def _current(rows: Rows, ids: Sequence[DocumentId]) -> Plan:
    """The plan for `ids` as the database holds them now: rows that qualify are upserted,
    the others and the ids no row holds are deleted."""
    builder = PlanBuilder()
    with rows.sessions() as session:
        records = rows.records(session, [id_text(identifier) for identifier in ids])
        held = {id_text(document_id(record, rows.spec)) for record in records}
        for record in records:
            builder.add(record, rows.spec)
    for identifier in ids:
        if id_text(identifier) not in held:
            builder.delete(identifier)
    return builder.build()
