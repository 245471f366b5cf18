"""SQLite outboxes for the benchmarks that read or drain one, and the jobs they hold.

The file is in WAL mode, as an application sharing it with workers would run it; rows go in
with plain batched inserts, so building a large history is quick and never measured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, insert, text

from scrypath.queue import install, jobs

INSERT_BATCH = 5000


def sqlite_outbox(directory: Path, metadata: MetaData) -> Engine:
    """`outbox.db` in `directory`, in WAL mode, with `metadata`'s tables and the outbox."""
    engine = create_engine(f"sqlite:///{directory / 'outbox.db'}")
    with engine.begin() as connection:
        connection.execute(text("PRAGMA journal_mode=WAL"))
    metadata.create_all(engine)
    install(engine)
    return engine


def transport_error(at: dt.datetime, attempt: int) -> dict[str, Any]:
    """A job's error entry for an attempt that could not reach Meilisearch."""
    return {
        "at": at.isoformat(),
        "attempt": attempt,
        "reason_class": "transport",
        "reason": "transport",
        "message": "could not reach Meilisearch",
        "code": None,
    }


def insert_jobs(engine: Engine, rows: Sequence[dict[str, Any]]) -> None:
    """Write job rows straight into the outbox table, in batches."""
    with engine.begin() as connection:
        for start in range(0, len(rows), INSERT_BATCH):
            connection.execute(insert(jobs), rows[start : start + INSERT_BATCH])
