"""What the database holds now for the documents a job names.

The worker delivers the current state of each row, not the snapshot taken when the job was
written: a job that waited (a retry, an inline failure recorded for later, a job queued
before an inline write of the same row) would otherwise put an older version back over a
newer one. The outbox lives in the application's database, so the rows are read through the
outbox engine. A model whose document id is not a mapped column cannot be looked up by id;
its jobs are delivered from their snapshots.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scrypath.database_errors import database_cause
from scrypath.declaration import SearchSpec
from scrypath.errors import DatabaseError
from scrypath.planning import Plan, PlanBuilder
from scrypath.projection import document_id
from scrypath.results import DocumentId

_CHUNK = 500


def can_read_back(spec: SearchSpec) -> bool:
    """Whether rows can be found by document id (it is a mapped column)."""
    return spec.document_id in sa_inspect(spec.model).column_attrs


def current_plan(engine: Engine, spec: SearchSpec, ids: Sequence[DocumentId]) -> Plan:
    """The plan for `ids` as the database holds them now; a missing row is a delete."""
    builder = PlanBuilder()
    try:
        with Session(engine, autoflush=False) as session:
            found = _read(session, spec, ids, builder)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"reading {spec.model_name} rows back for delivery failed: "
            f"{database_cause(exc, engine)}",
            model=spec.model_name,
            operation="read_rows",
        ) from exc
    for identifier in ids:
        if identifier not in found:
            builder.delete(identifier)
    return builder.build()


def _read(
    session: Session, spec: SearchSpec, ids: Sequence[DocumentId], builder: PlanBuilder
) -> set[Any]:
    column = getattr(spec.model, spec.document_id)
    found: set[Any] = set()
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        for record in session.scalars(select(spec.model).where(column.in_(chunk))):
            builder.add(record, spec)
            found.add(document_id(record, spec))
    return found
