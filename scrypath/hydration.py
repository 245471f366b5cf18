"""Hits back to ORM records, with one SELECT whatever the number of hits.

Meilisearch returns ids as JSON, so an id may come back as a string while the column holds
an integer (or a UUID); ids are coerced to the column's Python type before the query and
records are matched back to hits by that value. Hits whose row is gone (deleted from the
database but not yet from the index) are reported, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.interfaces import ORMOption

from scrypath.database_errors import database_cause
from scrypath.declaration import spec_for
from scrypath.errors import ConfigurationError, DatabaseError

_UNUSABLE = object()


def hydrate(
    session: Session,
    model: type[Any],
    ids: Iterable[Any],
    *,
    options: Sequence[ORMOption] = (),
) -> tuple[list[Any], list[Any]]:
    """Load the records of `ids` in their order; returns (records, ids with no row).

    `options` are SQLAlchemy loader options (such as `selectinload(...)`) applied to the
    query, so relationships the caller needs are loaded eagerly.
    """
    wanted = list(ids)
    loaded = load_aligned(session, model, wanted, options=options)
    records = [record for record in loaded if record is not None]
    missing = [value for value, record in zip(wanted, loaded, strict=True) if record is None]
    return records, missing


def load_aligned(
    session: Session,
    model: type[Any],
    ids: Sequence[Any],
    *,
    options: Sequence[ORMOption] = (),
) -> list[Any]:
    """The record of each id, position for position, None where no row exists (one SELECT)."""
    spec = spec_for(model)
    column = _id_column(spec.model, spec.document_id)
    kind = _python_type(column)
    keys = [_coerce(kind, value) for value in ids]
    present = [key for key in dict.fromkeys(keys) if key is not _UNUSABLE]
    found: dict[Any, Any] = {}
    if present:
        query = select(spec.model).where(column.in_(present)).options(*options)
        try:
            records = session.scalars(query).unique().all()
        except SQLAlchemyError as exc:
            raise DatabaseError(
                f"loading {spec.model_name} hits back failed: {database_cause(exc)}",
                model=spec.model_name,
                operation="hydrate",
            ) from exc
        for record in records:
            found[getattr(record, spec.document_id)] = record
    return [found.get(key) for key in keys]


def _id_column(model: type[Any], name: str) -> InstrumentedAttribute[Any]:
    attribute = getattr(model, name, None)
    if not isinstance(attribute, InstrumentedAttribute) or not hasattr(attribute, "type"):
        raise ConfigurationError(
            f"{model.__name__}: hits cannot be loaded back because the document id "
            f"{name!r} is not a mapped column; declare document_id= as a unique column",
            model=model,
            key="document_id",
        )
    return attribute


def _python_type(column: InstrumentedAttribute[Any]) -> type[Any] | None:
    try:
        kind: type[Any] = column.type.python_type
    except NotImplementedError:
        return None
    return kind


def _coerce(kind: type[Any] | None, value: Any) -> Any:
    """The id as the column's Python type, or a marker when it cannot be one."""
    if kind is None or isinstance(value, kind):
        return value
    try:
        return kind(value)
    except (TypeError, ValueError):
        return _UNUSABLE
