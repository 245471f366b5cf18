"""What a write sends for one model: documents to upsert and ids to delete.

The one rule every write path follows is here, and only here: a record that `should_index`
accepts is upserted with its projection, any other record is deleted from the index, and
when one delivery touches a document twice the last change wins. Sync, backfill, ORM
auto-sync and the queue worker all build their plans with `PlanBuilder`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from scrypath.declaration import SearchSpec
from scrypath.projection import DocumentId, document_id, is_indexable, project

Operation = Literal["upsert", "delete"]


@dataclass(frozen=True, slots=True)
class Plan:
    """Documents to upsert (by id) and ids to delete; no id is in both."""

    upserts: Mapping[DocumentId, dict[str, Any]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    deletes: tuple[DocumentId, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.upserts or self.deletes)

    @property
    def document_ids(self) -> tuple[DocumentId, ...]:
        return (*self.upserts, *self.deletes)

    def without(self, operations: Iterable[Operation]) -> Plan:
        """The plan minus the operations already done."""
        done = set(operations)
        upserts = MappingProxyType({}) if "upsert" in done else self.upserts
        return Plan(upserts, () if "delete" in done else self.deletes)

    def then(self, later: Plan) -> Plan:
        """This plan followed by `later`: a document `later` touches takes `later`'s change."""
        builder = PlanBuilder()
        builder.extend(self)
        builder.extend(later)
        return builder.build()


class PlanBuilder:
    """Accumulates changes in order; the last change of a document wins."""

    __slots__ = ("_deletes", "_upserts")

    def __init__(self) -> None:
        self._upserts: dict[DocumentId, dict[str, Any]] = {}
        self._deletes: dict[DocumentId, None] = {}

    def __bool__(self) -> bool:
        return bool(self._upserts or self._deletes)

    def upsert(self, identifier: DocumentId, document: dict[str, Any]) -> None:
        self._deletes.pop(identifier, None)
        self._upserts.pop(identifier, None)
        self._upserts[identifier] = document

    def delete(self, identifier: DocumentId) -> None:
        self._upserts.pop(identifier, None)
        self._deletes.pop(identifier, None)
        self._deletes[identifier] = None

    def add(self, record: object, spec: SearchSpec) -> None:
        """Upsert the record's projection when it belongs in the index, else delete it."""
        if is_indexable(record, spec):
            document = project(record, spec)
            self.upsert(document[spec.document_id], document)
        else:
            self.delete(document_id(record, spec))

    def extend(self, plan: Plan) -> None:
        """Apply a whole plan's changes after the ones collected so far."""
        for identifier in plan.deletes:
            self.delete(identifier)
        for identifier, document in plan.upserts.items():
            self.upsert(identifier, document)

    def build(self) -> Plan:
        return Plan(MappingProxyType(dict(self._upserts)), tuple(self._deletes))


def plan_records(spec: SearchSpec, records: Iterable[object]) -> Plan:
    """The plan for `records` of one model, in order."""
    builder = PlanBuilder()
    for record in records:
        builder.add(record, spec)
    return builder.build()


def changes_since(sent: Plan, fresh: Plan) -> Plan:
    """What `fresh` (the database, read again) needs on top of what `sent` delivered.

    A document whose content changed is upserted again; one that `fresh` deletes, or that
    vanished from it altogether (its row is gone), is deleted unless `sent` deleted it.
    """
    upserts = {
        identifier: document
        for identifier, document in fresh.upserts.items()
        if sent.upserts.get(identifier) != document
    }
    seen = {*fresh.upserts, *fresh.deletes}
    vanished = [identifier for identifier in sent.upserts if identifier not in seen]
    already = set(sent.deletes)
    deletes = [identifier for identifier in fresh.deletes if identifier not in already]
    return Plan(MappingProxyType(upserts), tuple(dict.fromkeys([*vanished, *deletes])))
