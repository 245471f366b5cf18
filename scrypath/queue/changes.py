"""What a flush changed in the search index: per searchable model, documents to upsert and
ids to delete.

- an inserted record that `should_index` accepts is upserted;
- an updated record is compared with itself before the flush: the projection of its previous
  state (a detached copy holding the old values) and of its new state are hashed, and an
  update whose document and `should_index` verdict are unchanged costs nothing; a record
  that stops qualifying is deleted, one that starts is upserted;
- a deleted record is deleted by id (read before the flush, while its row still exists).

When the previous state cannot be known exactly (an attribute's old value was never
loaded, a foreign key changed under a relationship), the update is sent: an extra idempotent
write is cheaper than a stale index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import InstanceState, Mapper, Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.base import NEVER_SET, NO_VALUE

from scrypath.declaration import SearchSpec, registry
from scrypath.projection import document_id, is_indexable, project, to_json_bytes
from scrypath.results import DocumentId


@dataclass(slots=True)
class Changes:
    """One model's pending index writes; the last change of a document wins."""

    spec: SearchSpec
    upserts: dict[DocumentId, dict[str, Any]] = field(default_factory=dict)
    deletes: dict[DocumentId, None] = field(default_factory=dict)

    def upsert(self, identifier: DocumentId, document: dict[str, Any]) -> None:
        self.deletes.pop(identifier, None)
        self.upserts[identifier] = document

    def delete(self, identifier: DocumentId) -> None:
        self.upserts.pop(identifier, None)
        self.deletes[identifier] = None

    def merge(self, later: Changes) -> None:
        for identifier in later.deletes:
            self.delete(identifier)
        for identifier, document in later.upserts.items():
            self.upsert(identifier, document)

    def __bool__(self) -> bool:
        return bool(self.upserts or self.deletes)


ChangeSet = dict[SearchSpec, Changes]


def searchable_spec(record: object) -> SearchSpec | None:
    """The spec of a searchable record, or None for any other object."""
    return registry.get(type(record))


def deleted_ids(session: Session) -> ChangeSet:
    """Before a flush: the document ids of the searchable records it will delete."""
    changes: ChangeSet = {}
    for record in list(session.deleted):
        spec = searchable_spec(record)
        if spec is not None:
            _changes(changes, spec).delete(document_id(record, spec))
    return changes


def flushed(session: Session, deleted: ChangeSet) -> ChangeSet:
    """After a flush: every searchable change, deletes first, then inserts, then updates."""
    changes: ChangeSet = {spec: found for spec, found in deleted.items() if found}
    for record in list(session.new):
        spec = searchable_spec(record)
        if spec is not None and is_indexable(record, spec):
            _changes(changes, spec).upsert(document_id(record, spec), project(record, spec))
    for record in list(session.dirty):
        spec = searchable_spec(record)
        if spec is not None and session.is_modified(record):
            _updated(changes, spec, record)
    return {spec: found for spec, found in changes.items() if found}


def _changes(changes: ChangeSet, spec: SearchSpec) -> Changes:
    found = changes.get(spec)
    if found is None:
        found = changes[spec] = Changes(spec)
    return found


def _updated(changes: ChangeSet, spec: SearchSpec, record: object) -> None:
    identifier = document_id(record, spec)
    indexable = is_indexable(record, spec)
    document = project(record, spec) if indexable else None
    if _previous(record, spec) == _fingerprint(indexable, document):
        return
    if document is not None:
        _changes(changes, spec).upsert(identifier, document)
    else:
        _changes(changes, spec).delete(identifier)


def _fingerprint(indexable: bool, document: Mapping[str, Any] | None) -> tuple[bool, str | None]:
    """`(should_index, content hash of the projection)`."""
    if document is None:
        return (indexable, None)
    return (indexable, hashlib.sha256(to_json_bytes(document)).hexdigest())


def _previous(record: object, spec: SearchSpec) -> tuple[bool, str | None] | None:
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
