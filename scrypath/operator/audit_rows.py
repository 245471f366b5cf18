"""The database side of an audit: rows read in keyset batches, or looked up by key or id.

Batches use backfill's keyset pagination (`pk > last ORDER BY pk LIMIT n`, a fresh session
per batch), so an audit reads the table exactly as a backfill would and holds one batch of
ORM objects at a time. A row becomes a `Row` through the write path's own rules
(`should_index`, then the projection), so the audit compares what a sync would send.

Looking rows up by document id is a query when the document id is a mapped column; when it
is a computed attribute, the lookup falls back to a scan of the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import BigInteger, Select, SmallInteger, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ColumnProperty, InstrumentedAttribute, Session

from scrypath.bulk import Keyset, keyset_for
from scrypath.declaration import SearchSpec
from scrypath.operator.audit_compare import Row, id_text
from scrypath.projection import document_id, is_indexable, project

LOOKUP_CHUNK = 500
"""The most keys one `IN (...)` lookup names."""


@dataclass(frozen=True, slots=True)
class IdColumn:
    """The column a document id is stored in, and how an id's text becomes its value.

    `bits` is the width of an integer column where the database enforces one (SQLite stores
    every integer in 64 bits); a value out of range can match no row, and PostgreSQL refuses
    the whole query rather than matching none, so such ids are left out of the lookup.
    """

    attribute: InstrumentedAttribute[Any]
    kind: Literal["int", "str", "uuid"]
    bits: int = 64

    def values(self, texts: Iterable[str], dialect: str) -> list[Any]:
        """The column values of the ids any row could hold; the others are left out."""
        bits = 64 if dialect == "sqlite" else self.bits
        converted = (_convert(self.kind, text, bits) for text in texts)
        return [value for value in converted if value is not None]


@dataclass(frozen=True, slots=True)
class Rows:
    """Where an audit reads rows: the model's keyset, a session factory, a batch size."""

    spec: SearchSpec
    keyset: Keyset
    sessions: Callable[[], Session]
    batch_size: int
    id_column: IdColumn | None

    def batches(self) -> Iterator[list[Row]]:
        """Every row, a keyset batch at a time."""
        after: Any = None
        while True:
            with self.sessions() as session:
                records = session.scalars(self.keyset.page(after, self.batch_size)).all()
                if not records:
                    return
                after = getattr(records[-1], self.keyset.key.key)
                rows = [self.row(record) for record in records]
            yield rows

    def row(self, record: object) -> Row:
        """A record as the write path sees it: its projection, or None when not indexed."""
        key = getattr(record, self.keyset.key.key)
        if is_indexable(record, self.spec):
            document = project(record, self.spec)
            identifier = document[self.spec.document_id]
            return Row(key, id_text(identifier), identifier, document)
        identifier = document_id(record, self.spec)
        return Row(key, id_text(identifier), identifier, None)

    def count(self) -> int:
        """How many rows the model's table holds (for progress and sampling)."""
        counted = self.keyset.statement.order_by(None).subquery()
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(counted)) or 0)

    def by_keys(self, keys: Iterable[Any]) -> dict[str, Row]:
        """The rows with these primary keys, read afresh, by document id text."""
        return self._lookup(self.keyset.key, list(keys))

    def by_document_ids(self, texts: Sequence[str]) -> dict[str, Row]:
        """The rows holding these document ids, read afresh, by document id text."""
        if self.id_column is None:
            wanted = set(texts)
            found: dict[str, Row] = {}
            for rows in self.batches():
                found.update((row.text, row) for row in rows if row.text in wanted)
            return found
        with self.sessions() as session:
            dialect = session.get_bind().dialect.name
        values = self.id_column.values(texts, dialect)
        return self._lookup(self.id_column.attribute, values)

    def records(self, session: Session, texts: Sequence[str]) -> list[object]:
        """The ORM records holding these document ids, loaded in `session` (a repair writes
        through them, so queue mode enqueues in that session's transaction)."""
        if self.id_column is None:
            wanted = set(texts)
            return [record for record in self._scan(session) if self._text(record) in wanted]
        dialect = session.get_bind().dialect.name
        values = self.id_column.values(texts, dialect)
        found: list[object] = []
        for start in range(0, len(values), LOOKUP_CHUNK):
            chunk = values[start : start + LOOKUP_CHUNK]
            column = self.id_column.attribute
            statement = self.keyset.statement.order_by(None).where(column.in_(chunk))
            found.extend(session.scalars(statement).all())
        return found

    def _scan(self, session: Session) -> Iterator[object]:
        after: Any = None
        while True:
            records = session.scalars(self.keyset.page(after, self.batch_size)).all()
            if not records:
                return
            after = getattr(records[-1], self.keyset.key.key)
            yield from records

    def _text(self, record: object) -> str:
        return id_text(document_id(record, self.spec))

    def existing(self, texts: Sequence[str]) -> set[str]:
        """Which of these document ids a row holds now: only the id column is read, so no
        ORM object is built (a computed document id needs the rows themselves)."""
        if self.id_column is None:
            return set(self.by_document_ids(texts))
        with self.sessions() as session:
            values = self.id_column.values(texts, session.get_bind().dialect.name)
            column = self.id_column.attribute
            found: set[str] = set()
            for start in range(0, len(values), LOOKUP_CHUNK):
                chunk = values[start : start + LOOKUP_CHUNK]
                statement = select(column).where(column.in_(chunk))
                found.update(id_text(value) for value in session.scalars(statement).all())
        return found

    def random_keys(self, count: int) -> list[Any]:
        """Up to `count` primary keys chosen uniformly at random."""
        statement: Select[Any] = (
            self.keyset.statement.order_by(None)
            .with_only_columns(self.keyset.key)
            .order_by(func.random())
            .limit(count)
        )
        with self.sessions() as session:
            return list(session.scalars(statement).all())

    def _lookup(self, column: InstrumentedAttribute[Any], values: list[Any]) -> dict[str, Row]:
        found: dict[str, Row] = {}
        for start in range(0, len(values), LOOKUP_CHUNK):
            chunk = values[start : start + LOOKUP_CHUNK]
            statement = self.keyset.statement.order_by(None).where(column.in_(chunk))
            with self.sessions() as session:
                for record in session.scalars(statement).all():
                    row = self.row(record)
                    found[row.text] = row
        return found


def rows_for(spec: SearchSpec, sessions: Callable[[], Session], batch_size: int) -> Rows:
    """The database side for `spec`'s model."""
    return Rows(spec, keyset_for(spec, None), sessions, batch_size, id_column(spec))


def id_column(spec: SearchSpec) -> IdColumn | None:
    """The mapped column holding the document id, when it is a plain column of a type
    whose values an id's text converts back to (integer, string, UUID); else None."""
    prop = sa_inspect(spec.model).attrs.get(spec.document_id)
    if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1:
        return None
    column_type = prop.columns[0].type
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return None
    attribute = getattr(spec.model, spec.document_id)
    if python_type is int:
        return IdColumn(attribute, "int", _integer_bits(column_type))
    if python_type is str:
        return IdColumn(attribute, "str")
    if python_type is UUID:
        return IdColumn(attribute, "uuid")
    return None


def _integer_bits(column_type: object) -> int:
    if isinstance(column_type, BigInteger):
        return 64
    if isinstance(column_type, SmallInteger):
        return 16
    return 32


def _convert(kind: str, text: str, bits: int) -> Any:
    if kind == "str":
        return text
    if kind == "uuid":
        try:
            return UUID(text)
        except ValueError:
            return None
    stripped = text[1:] if text.startswith("-") else text
    if not stripped.isascii() or not stripped.isdigit() or len(stripped) > 20:
        return None
    value = int(text)
    limit = 2 ** (bits - 1)
    # "007" is another document than 7 in Meilisearch, so only the canonical text matches
    return value if -limit <= value < limit and str(value) == text else None
