"""What an ORM statement changed in the search index: one `Plan` for its searchable model.

ORM `insert`, `update` and `delete` statements bypass the flush. `follow_statement` runs
one on a searchable model in named stages:

- **read**: select the rows it will write, with their document ids as stored, taking the
  locks the statement would take (`FOR UPDATE`; on SQLite, the database's write lock), so no
  other connection can change them in between. The rows are found by the statement's WHERE
  criteria (UPDATE, DELETE) or by the primary keys its parameter sets name (bulk UPDATE by
  primary key, INSERT and dialect upserts);
- **run**: invoke the statement itself; a statement that wrote more rows than were read met
  rows another transaction committed meanwhile, and is reported;
- **read back**: load the written rows as the transaction now holds them (none for a DELETE)
  and plan them: ids that are no longer a row's id are deleted first, then each row is
  upserted or deleted by `should_index`.

A statement whose rows cannot be told, a Core statement on a searchable table and a legacy
bulk save are reported with a `ScrypathWarning` saying the index was not updated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Result, Table, false, select, tuple_, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, lazyload

from scrypath.changes import Previous, Unknown, checked_id, warn, warn_unknown
from scrypath.declaration import SearchSpec, registry
from scrypath.errors import InvalidDocumentIdError
from scrypath.planning import Plan, PlanBuilder
from scrypath.projection import document_id
from scrypath.results import DocumentId

Key = tuple[Any, ...]
"""A row's primary key values."""

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Followed:
    """An ORM statement auto-sync ran, its result, and the index changes its rows imply."""

    result: Result[Any]
    spec: SearchSpec
    plan: Plan


@dataclass(frozen=True, slots=True)
class _Rows:
    """Which rows a statement writes: those its WHERE criteria match (with its bound
    parameters), or the primary keys its parameter sets name."""

    criteria: ColumnElement[bool] | None = None
    parameters: Mapping[str, Any] | None = None
    keys: tuple[Key, ...] | None = None


def follow_statement(state: ORMExecuteState) -> Followed | None:
    """Run an INSERT, UPDATE or DELETE on a searchable model and plan what its rows need.

    None (the caller runs the statement as usual) when it writes no searchable rows, or,
    after a warning, when auto-sync cannot tell which rows it writes.
    """
    target = _statement_target(state)
    if target is None:
        return None
    spec, mapper = target
    rows = _statement_rows(state, mapper)
    if rows is None:
        _warn_statement(state, spec)
        return None
    before = _ids_before(state, spec, mapper, rows)
    result = state.invoke_statement()
    if rows.keys is None:
        _check_rowcount(state, spec, result, len(before))
    keys = tuple(dict.fromkeys((*before, *(rows.keys or ()))))
    plan = _statement_plan(state, spec, mapper, before, () if state.is_delete else keys)
    return Followed(result, spec, plan)


def is_write(state: ORMExecuteState) -> bool:
    """Whether the statement is an INSERT, UPDATE or DELETE."""
    return bool(state.is_insert or state.is_update or state.is_delete)


def warn_bulk_save() -> None:
    """The legacy bulk methods write without a flush and without a statement event."""
    warn(
        "auto-sync does not see Session.bulk_save_objects(), bulk_insert_mappings() or "
        "bulk_update_mappings(): if they wrote searchable records, the search index was not "
        "updated for them. Sync them with scrypath.sync_records() or scrypath.backfill(), "
        "or write with session.execute(insert(Model), rows) / session.execute(update(Model), "
        "rows), which auto-sync follows; run a bulk save of other models inside "
        "scrypath.auto_sync_disabled() to silence this"
    )


def _statement_target(state: ORMExecuteState) -> tuple[SearchSpec, Mapper[Any]] | None:
    """The searchable model an ORM statement writes; warns about writes it cannot follow."""
    if not state.is_orm_statement:
        _warn_core(state)
        return None
    mapper = state.bind_mapper
    if mapper is None:
        return None
    spec = registry.get(mapper.class_)
    if spec is None:
        below = (registry.get(m.class_) for m in mapper.self_and_descendants)
        searchable = next((found for found in below if found is not None), None)
        if searchable is not None:  # a statement on a base class writes searchable rows
            _warn_statement(state, searchable)
        return None
    return spec, mapper


def _statement_rows(state: ORMExecuteState, mapper: Mapper[Any]) -> _Rows | None:
    """How to find the rows the statement writes, or None when that cannot be told."""
    if state.is_delete and state.is_executemany:
        return None
    if state.is_insert or state.is_executemany:
        keys = _parameter_keys(state.parameters, mapper)
        return None if keys is None else _Rows(keys=keys)
    where = getattr(state.statement, "whereclause", None)
    parameters = state.parameters if isinstance(state.parameters, Mapping) else None
    return _Rows(criteria=where, parameters=parameters)


def _parameter_keys(parameters: object, mapper: Mapper[Any]) -> tuple[Key, ...] | None:
    """The primary keys named by every parameter set, or None when one lacks them."""
    sets: list[object] = []
    if isinstance(parameters, Mapping):
        sets = [parameters]
    elif isinstance(parameters, Sequence):
        sets = list(parameters)
    names = [attribute.key for attribute in _key_attributes(mapper)]
    keys: list[Key] = []
    for values in sets:
        if not isinstance(values, Mapping) or any(values.get(name) is None for name in names):
            return None
        keys.append(tuple(values[name] for name in names))
    return tuple(dict.fromkeys(keys)) or None


def _ids_before(
    state: ORMExecuteState, spec: SearchSpec, mapper: Mapper[Any], rows: _Rows
) -> dict[Key, Previous]:
    """The primary keys and document ids of the rows about to be written, locked."""
    _take_write_lock(state, mapper)
    found: dict[Key, Previous] = {}
    column = spec.document_id in mapper.column_attrs
    keys = _key_attributes(mapper)
    autoflush = bool(state.execution_options.get("autoflush", True))
    for criteria in _selections(mapper, rows):
        if column:
            query = select(*keys, mapper.column_attrs[spec.document_id].class_attribute)
        else:
            query = select(mapper).options(lazyload("*"))
        if criteria is not None:
            query = query.where(criteria)
        query = query.with_for_update(of=mapper.local_table).execution_options(autoflush=autoflush)
        result = state.session.execute(query, rows.parameters)
        if column:
            found.update((tuple(row[:-1]), checked_id(row[-1], spec)) for row in result)
        else:
            found.update(_record_ids(result.scalars(), spec, mapper))
    return found


def _take_write_lock(state: ORMExecuteState, mapper: Mapper[Any]) -> None:
    """SQLite has no row locks, and its driver begins a transaction only at the first
    write: an UPDATE that changes nothing takes the database's write lock before the rows
    are read, so no other connection can change them before the statement runs."""
    connection = state.session.connection(bind_arguments={"mapper": mapper})
    table = mapper.local_table
    if connection.dialect.name == "sqlite" and isinstance(table, Table):
        column = next(iter(table.primary_key))
        connection.execute(update(table).where(false()).values({column.name: column}))


def _record_ids(
    records: Iterable[object], spec: SearchSpec, mapper: Mapper[Any]
) -> Iterable[tuple[Key, Previous]]:
    for record in records:
        key = tuple(mapper.primary_key_from_instance(record))
        try:
            yield key, document_id(record, spec)
        except InvalidDocumentIdError:
            yield key, None


def _statement_plan(
    state: ORMExecuteState,
    spec: SearchSpec,
    mapper: Mapper[Any],
    before: Mapping[Key, Previous],
    keys: Sequence[Key],
) -> Plan:
    """Retired ids first, then each written row as the transaction now holds it."""
    builder = PlanBuilder()
    connection = state.session.connection(bind_arguments={"mapper": mapper})
    with Session(bind=connection, autoflush=False) as reader:
        now = {
            tuple(mapper.primary_key_from_instance(record)): record
            for chunk in _chunks(keys)
            for record in reader.scalars(select(mapper).where(_key_criteria(mapper, chunk)))
        }
        for key, old in before.items():
            record = now.get(key)
            if isinstance(old, Unknown):
                warn_unknown(spec, "an updated")
            elif old is not None and (record is None or _current_id(record, spec) != old):
                builder.delete(old)
        for record in now.values():
            builder.add(record, spec)
    lost = [key for key in before if key not in now]
    if state.is_update and lost:
        _warn_moved(spec, len(lost))
    return builder.build()


def _current_id(record: object, spec: SearchSpec) -> DocumentId | None:
    try:
        return document_id(record, spec)
    except InvalidDocumentIdError:
        return None


def _selections(mapper: Mapper[Any], rows: _Rows) -> list[ColumnElement[bool] | None]:
    if rows.keys is None:
        return [rows.criteria]
    return [_key_criteria(mapper, chunk) for chunk in _chunks(rows.keys)]


def _key_criteria(mapper: Mapper[Any], keys: Sequence[Key]) -> ColumnElement[bool]:
    attributes = _key_attributes(mapper)
    if len(attributes) == 1:
        single: ColumnElement[bool] = attributes[0].in_([key[0] for key in keys])
        return single
    return tuple_(*attributes).in_(list(keys))


def _key_attributes(mapper: Mapper[Any]) -> list[Any]:
    """The mapped attributes of the primary key columns, in key order."""
    return [mapper.get_property_by_column(column).class_attribute for column in mapper.primary_key]


def _chunks(keys: Sequence[Key]) -> Iterable[Sequence[Key]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]


def _check_rowcount(
    state: ORMExecuteState, spec: SearchSpec, result: Result[Any], seen: int
) -> None:
    """A statement that wrote more rows than were selected before it ran met rows another
    transaction committed meanwhile; their documents were not planned."""
    count = getattr(result, "rowcount", -1)
    if isinstance(count, int) and count > seen:
        warn(
            f"this {_verb(state)} wrote {count} {spec.model_name} rows but auto-sync found "
            f"{seen} before it ran (another transaction committed matching rows meanwhile): "
            f"the search index may be out of date for the others; rebuild it with "
            f"scrypath.reindex({spec.model_name})"
        )


def _warn_statement(state: ORMExecuteState, spec: SearchSpec) -> None:
    name = spec.model_name
    warn(
        f"auto-sync cannot tell which {name} rows this {_verb(state)} writes (it follows "
        "UPDATE and DELETE statements by their WHERE criteria, bulk UPDATE by primary key, "
        "and INSERT whose every parameter set names the primary key): the search index was "
        f"not updated for them; sync them with scrypath.sync_records() or "
        f"scrypath.backfill({name}), or delete their documents with "
        f"scrypath.delete_documents({name}, ids)"
    )


def _warn_core(state: ORMExecuteState) -> None:
    table = getattr(state.statement, "table", None)
    for spec in registry.specs():
        if any(found is table for found in sa_inspect(spec.model).tables):
            name = spec.model_name
            warn(
                f"auto-sync does not follow Core {_verb(state)} statements on the table of "
                f"searchable model {name}: the search index was not updated for its rows; "
                f"use an ORM statement ({_verb(state).lower()}({name})) or sync them with "
                f"scrypath.sync_records() / scrypath.delete_documents({name}, ids)"
            )
            return


def _warn_moved(spec: SearchSpec, count: int) -> None:
    name = spec.model_name
    warn(
        f"this UPDATE changed the primary key of {count} {name} rows: auto-sync deleted their "
        "old documents but cannot find the rows under their new keys, so they were not "
        f"indexed; sync them with scrypath.sync_records() or scrypath.backfill({name})"
    )


def _verb(state: ORMExecuteState) -> str:
    return "INSERT" if state.is_insert else "UPDATE" if state.is_update else "DELETE"
