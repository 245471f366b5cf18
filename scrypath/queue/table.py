"""The outbox table, as SQLAlchemy metadata, and `install(engine)` to create it.

Applications that manage their schema with Alembic add `scrypath.queue.metadata` to their
`target_metadata` (it holds only this table); everyone else calls `install(engine)` once.
Times are stored as naive UTC, the same on every database.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from scrypath.queue.database import TABLE_NAME, outbox_call

_ID = BigInteger().with_variant(Integer(), "sqlite")
_STATES = "'available','scheduled','executing','retryable','completed','discarded','cancelled'"

metadata = MetaData()
"""The outbox's own metadata: add it to Alembic's `target_metadata`."""

jobs = Table(
    TABLE_NAME,
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("operation", String(16), nullable=False),
    Column("model", String(512), nullable=False),
    Column("index_uid", String(400), nullable=False),
    Column("payload", Text, nullable=False),
    Column("document_ids", Text, nullable=False),
    Column("document_count", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("inserted_at", DateTime, nullable=False),
    Column("scheduled_at", DateTime, nullable=False),
    Column("attempted_at", DateTime),
    Column("completed_at", DateTime),
    Column("errors", JSON, nullable=False),
    Column("lease_owner", String(200)),
    Column("lease_expires_at", DateTime),
    Column("superseded_by", _ID),
    CheckConstraint(f"state IN ({_STATES})", name="ck_scrypath_jobs_state"),
    CheckConstraint("operation IN ('upsert','delete')", name="ck_scrypath_jobs_operation"),
    Index("ix_scrypath_jobs_due", "state", "scheduled_at"),
    Index("ix_scrypath_jobs_index", "index_uid", "id"),
    Index("ix_scrypath_jobs_completed", "state", "completed_at"),
)
"""One row per job: see `scrypath.queue.jobs.Job` for what each column means."""


def install(engine: Engine) -> None:
    """Create the outbox table (and its indexes) if the database does not have it yet."""
    with outbox_call(engine, "install"):
        metadata.create_all(engine, tables=[jobs], checkfirst=True)
