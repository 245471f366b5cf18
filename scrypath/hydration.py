"""Hits back to ORM records, with one SELECT whatever the number of hits.

Meilisearch returns ids as JSON, so an id may come back as a string while the column holds
an integer (or a UUID); ids are coerced to the column's Python type before the query and
records are matched back to hits by that value. Hits whose row is gone (deleted from the
database but not yet from the index) are reported, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute, Session, scoped_session
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.sql.base import ExecutableOption

from scrypath.database_errors import database_cause
from scrypath.declaration import spec_for
from scrypath.errors import ConfigurationError, DatabaseError, SearchOptionError
from scrypath.projection import short_repr

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
    checked = option_tuple(options)
    column = _id_column(spec.model, spec.document_id)
    kind = _python_type(column)
    keys = [_coerce(kind, value) for value in ids]
    present = [key for key in dict.fromkeys(keys) if key is not _UNUSABLE]
    found: dict[Any, Any] = {}
    if present:
        query = select(spec.model).where(column.in_(present)).options(*checked)
        try:
            records = session.scalars(query).unique().all()
        except SQLAlchemyError as exc:
            if checked and isinstance(exc, ArgumentError):  # an option that does not fit
                why = f"it does not apply: {database_cause(exc)}"
                _bad_option(spec.model_name, checked, why, exc)
            raise DatabaseError(
                f"loading {spec.model_name} hits back failed: {database_cause(exc)}",
                model=spec.model_name,
                operation="hydrate",
            ) from exc
        for record in records:
            found[getattr(record, spec.document_id)] = record
    return [found.get(key) for key in keys]


def check_load_options(model: type[Any], options: object) -> tuple[ORMOption, ...]:
    """`options` as a tuple, each a loader option that applies to `model`.

    Called before a search is sent, so a bad option fails before any request: the options
    are tried on the SELECT that hydration will run (compiled, not executed).
    """
    checked = option_tuple(options)
    if not checked:
        return checked
    name = spec_for(model).model_name
    try:
        select(model).options(*checked).compile()
    except Exception as exc:  # any failure means an option cannot serve this model
        culprit = next((option for option in checked if not _applies(model, option)), None)
        why = f"it does not apply to {name}: {database_cause(exc)}"
        _bad_option(name, (culprit,) if culprit is not None else checked, why, exc)
    return checked


def option_tuple(options: object) -> tuple[ORMOption, ...]:
    """The loader options as a tuple; anything but a collection of options is refused."""
    if options is None:
        return ()
    if isinstance(options, str | bytes | Mapping) or not isinstance(options, Iterable):
        _bad_option(None, (options,), "expected a list of loader options such as selectinload()")
    checked = tuple(options)
    for option in checked:
        if not isinstance(option, ExecutableOption):
            _bad_option(None, (option,), "expected a loader option such as selectinload()")
    return checked


def check_session(session: object) -> None:
    """Refuse a `session` that is neither None nor a SQLAlchemy session (or a scoped one)."""
    if session is None or isinstance(session, Session | scoped_session):
        return
    raise SearchOptionError(
        f"session: expected a SQLAlchemy Session, got {type(session).__name__}",
        option="session",
        key=type(session).__name__,
    )


def _applies(model: type[Any], option: ExecutableOption) -> bool:
    try:
        select(model).options(option).compile()
    except Exception:  # the same failure as in check_load_options, one option at a time
        return False
    return True


def _bad_option(
    model: str | None, options: tuple[object, ...], why: str, cause: BaseException | None = None
) -> NoReturn:
    shown = ", ".join(_shown(option) for option in options)
    raise SearchOptionError(
        f"load_options: {shown}: {why}", option="load_options", key=shown, model=model
    ) from cause


def _shown(value: object) -> str:
    return str(value) if isinstance(value, ExecutableOption) else short_repr(value)


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
