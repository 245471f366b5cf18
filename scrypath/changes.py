"""What a flush changed in the search index: one `Plan` per searchable model.

**Flushes** are followed through their events, and `FlushChanges` gathers them:

- **before** the flush, the document id each updated or deleted record has *in the index*:
  its committed value, read from the database when that value was never loaded;
- **after** it, inserts and updates: an inserted record that `should_index` accepts is
  upserted; an updated record is compared with itself before the flush (the projections of
  its previous and new states are hashed), and an update whose document, `should_index`
  verdict and document id are unchanged costs nothing; a record that stops qualifying is
  deleted, one that starts is upserted, and one whose document id changed also retires the
  old id;
- **during** it, every row the flush actually deleted, delete-orphan cascades decided by the
  flush included: its committed document id is deleted.

Each plan deletes the retired ids first and applies the flush's final state last, so a
document id that moved from one record to another ends up upserted. When the previous state
cannot be known exactly (an old value was never loaded, a foreign key changed under a
relationship), the update is sent: an extra idempotent write is cheaper than a stale index.
A previous document id that cannot be known at all is reported with a `ScrypathWarning`.

ORM statements, which bypass the flush, are followed by `scrypath.statement_changes`.
"""

from __future__ import annotations

import hashlib
import inspect
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import InstanceState, Mapper, Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE

from scrypath.declaration import SearchSpec, registry
from scrypath.errors import InvalidDocumentIdError, ScrypathWarning
from scrypath.planning import Plan, PlanBuilder
from scrypath.projection import (
    document_id,
    is_indexable,
    project,
    to_json_bytes,
    validate_document_id,
)
from scrypath.results import DocumentId


class Unknown(Enum):
    """A previous document id that could not be read."""

    UNKNOWN = "unknown"


UNKNOWN = Unknown.UNKNOWN
Previous = DocumentId | None | Unknown
"""A record's document id in the index before a write: None when it had no valid id (so no
document), `UNKNOWN` when it cannot be read."""

Loader = Callable[[InstanceState[Any], Sequence[str]], dict[str, Any]]
"""Reads stored column values of a record's row by attribute key."""


@dataclass(frozen=True, slots=True)
class Change:
    """What one inserted or updated record sends: retired ids, then its current state."""

    spec: SearchSpec
    retired: tuple[DocumentId, ...]
    identifier: DocumentId
    document: dict[str, Any] | None


def searchable_spec(record: object) -> SearchSpec | None:
    """The spec of a searchable record, or None for any other object."""
    return registry.get(type(record))


class FlushChanges:
    """One flush's index changes, gathered from its events (see the module docstring)."""

    __slots__ = ("_deleted", "_previous", "_written")

    def __init__(self, session: Session) -> None:
        """Before the flush: the previous document ids of the records it updates or deletes."""
        self._previous: dict[InstanceState[Any], Previous] = {}
        self._written: dict[InstanceState[Any], Change] = {}
        self._deleted: dict[InstanceState[Any], tuple[SearchSpec, Previous]] = {}
        loader = stored_values(session)
        deleted = [(record, True) for record in session.deleted]
        dirty = [(record, False) for record in session.dirty]
        for record, is_deleted in (*deleted, *dirty):
            spec = searchable_spec(record)
            if spec is not None and (is_deleted or session.is_modified(record)):
                state: InstanceState[Any] = sa_inspect(record)
                self._previous[state] = previous_id(state, spec, loader)

    def collect_written(self, session: Session) -> None:
        """After the flush's statements: what each insert and update sends."""
        for record in list(session.new):
            spec = searchable_spec(record)
            if spec is not None and is_indexable(record, spec):
                identifier = document_id(record, spec)
                change = Change(spec, (), identifier, project(record, spec))
                self._written[sa_inspect(record)] = change
        for record in list(session.dirty):
            spec = searchable_spec(record)
            if spec is not None and session.is_modified(record):
                self._updated(record, spec)

    def collect_deleted(self, record: object) -> None:
        """A row the flush deleted (the `persistent_to_deleted` transition)."""
        spec = searchable_spec(record)
        if spec is None:
            return
        state: InstanceState[Any] = sa_inspect(record)
        self._deleted[state] = (spec, self._previous_of(state, spec))

    def plans(self) -> dict[SearchSpec, Plan]:
        """Per model: every retired id deleted, then the flush's final state."""
        builders: dict[SearchSpec, PlanBuilder] = {}
        for spec, previous in self._deleted.values():
            _retire(builders, spec, previous)
        written = [change for state, change in self._written.items() if state not in self._deleted]
        for change in written:
            for identifier in change.retired:
                _retire(builders, change.spec, identifier)
        for change in written:
            builder = _builder(builders, change.spec)
            if change.document is None:
                builder.delete(change.identifier)
            else:
                builder.upsert(change.identifier, change.document)
        return {spec: builder.build() for spec, builder in builders.items() if builder}

    def _updated(self, record: object, spec: SearchSpec) -> None:
        state: InstanceState[Any] = sa_inspect(record)
        previous = self._previous_of(state, spec)
        identifier = document_id(record, spec)
        indexable = is_indexable(record, spec)
        document = project(record, spec) if indexable else None
        retired: tuple[DocumentId, ...] = ()
        if isinstance(previous, Unknown):
            warn_unknown(spec, "an updated")
        elif previous is not None and previous != identifier:
            retired = (previous,)
        if not retired and _before(record, spec) == _fingerprint(indexable, document):
            return
        self._written[state] = Change(spec, retired, identifier, document)

    def _previous_of(self, state: InstanceState[Any], spec: SearchSpec) -> Previous:
        """As read before the flush, else from the values the record still holds."""
        if state in self._previous:
            return self._previous[state]
        return previous_id(state, spec, None)


def _builder(builders: dict[SearchSpec, PlanBuilder], spec: SearchSpec) -> PlanBuilder:
    found = builders.get(spec)
    if found is None:
        found = builders[spec] = PlanBuilder()
    return found


def _retire(builders: dict[SearchSpec, PlanBuilder], spec: SearchSpec, old: Previous) -> None:
    if isinstance(old, Unknown):
        warn_unknown(spec, "a deleted")
    elif old is not None:
        _builder(builders, spec).delete(old)


def warn_unknown(spec: SearchSpec, what: str) -> None:
    warn(
        f"auto-sync could not read the previous document id of {what} {spec.model_name} "
        "(its old values were never loaded): if that document is in the index it stays "
        f"there; remove it with scrypath.delete_documents({spec.model_name}, [...])"
    )


def previous_id(state: InstanceState[Any], spec: SearchSpec, loader: Loader | None) -> Previous:
    """The record's document id as committed (what the index holds), read from its loaded
    and changed values; `loader` reads what is missing from the row (before a flush only)."""
    mapper = state.mapper
    values = _committed_values(state)
    column_id = spec.document_id in mapper.column_attrs
    needed = [spec.document_id] if column_id else list(mapper.column_attrs.keys())
    missing = [key for key in needed if key not in values]
    if missing and loader is not None:
        values.update(loader(state, missing))
        missing = [key for key in needed if key not in values]
    if missing:
        return UNKNOWN
    if column_id:
        return checked_id(values[spec.document_id], spec)
    try:
        return document_id(_detached(mapper, values), spec)
    except InvalidDocumentIdError:
        return None
    except Exception:  # the old state does not compute an id: it cannot be known
        return UNKNOWN


def checked_id(value: object, spec: SearchSpec) -> DocumentId | None:
    """A stored document id, or None when it is not a valid one (so it has no document)."""
    try:
        return validate_document_id(value, model=spec.model_name)
    except InvalidDocumentIdError:
        return None


def stored_values(session: Session) -> Loader:
    """A loader reading column values of a record's row as stored, by its identity."""

    def load(state: InstanceState[Any], keys: Sequence[str]) -> dict[str, Any]:
        if state.key is None:
            return {}
        mapper = state.mapper
        attributes = [mapper.column_attrs[key].class_attribute for key in keys]
        criteria = [
            column == value for column, value in zip(mapper.primary_key, state.key[1], strict=True)
        ]
        row = session.execute(select(*attributes).where(*criteria)).one_or_none()
        return {} if row is None else dict(zip(keys, row, strict=True))

    return load


def _committed_values(state: InstanceState[Any]) -> dict[str, Any]:
    """Attribute values as last flushed: loaded ones, with changed ones at their old value,
    and primary key attributes from the identity when unloaded."""
    mapper = state.mapper
    values = {**state.dict, **state.committed_state}
    known = {
        key: value
        for key, value in values.items()
        if key in mapper.attrs and value is not NO_VALUE and value is not NEVER_SET
    }
    if state.key is not None:
        for column, value in zip(mapper.primary_key, state.key[1], strict=True):
            known.setdefault(mapper.get_property_by_column(column).key, value)
    return known


def _fingerprint(indexable: bool, document: Mapping[str, Any] | None) -> tuple[bool, str | None]:
    """`(should_index, content hash of the projection)`."""
    if document is None:
        return (indexable, None)
    return (indexable, hashlib.sha256(to_json_bytes(document)).hexdigest())


def _before(record: object, spec: SearchSpec) -> tuple[bool, str | None] | None:
    """The fingerprint of the record before this flush, or None when it cannot be known."""
    shadow = _shadow(record)
    if shadow is None:
        return None
    try:
        indexable = is_indexable(shadow, spec)
        return _fingerprint(indexable, project(shadow, spec) if indexable else None)
    except Exception:  # the old state does not project: treat the update as a change
        return None


def _shadow(record: object) -> object | None:
    """A detached copy of `record` holding its pre-flush values, or None if unknowable."""
    state: InstanceState[Any] = sa_inspect(record)
    mapper: Mapper[Any] = state.mapper
    old = dict(state.committed_state)
    if any(value is NO_VALUE or value is NEVER_SET for value in old.values()):
        return None
    values = {**state.dict, **old}
    for key in _relationships_under_changed_keys(mapper, old):
        values.pop(key, None)
    return _detached(mapper, values)


def _detached(mapper: Mapper[Any], values: Mapping[str, Any]) -> object:
    """A new, sessionless instance holding `values` as its committed state."""
    shadow: object = mapper.class_manager.new_instance()
    for key in _attribute_keys(mapper, values):
        set_committed_value(shadow, key, values[key])
    return shadow


def _relationships_under_changed_keys(mapper: Mapper[Any], changed: Iterable[str]) -> set[str]:
    """Relationships whose foreign key columns changed: their loaded value may be stale."""
    columns = {
        column
        for key in changed
        if key in mapper.column_attrs
        for column in mapper.column_attrs[key].columns
    }
    return {rel.key for rel in mapper.relationships if set(rel.local_columns) & columns}


def _attribute_keys(mapper: Mapper[Any], values: Mapping[str, Any]) -> list[str]:
    return [key for key in values if key in mapper.attrs]


def warn(message: str) -> None:
    """A `ScrypathWarning` attributed to the first caller outside scrypath and SQLAlchemy."""
    warnings.warn(message, ScrypathWarning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The `stacklevel` of the application frame that led to `warn`."""
    frame = inspect.currentframe()
    frame = frame.f_back if frame is not None else None  # warn() itself: level 1
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] in _INTERNAL:
        frame = frame.f_back
        level += 1
    return level


_INTERNAL = frozenset({"scrypath", "sqlalchemy"})
