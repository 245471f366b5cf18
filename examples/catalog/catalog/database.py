"""The catalogue's engine and sessions, wired to scrypath once at start-up.

Writes sync in queue mode through ORM auto-sync: every flush of a searchable product adds an
outbox job to the same transaction, so a product and its search work commit or roll back
together. `scrypath worker` delivers the jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

import scrypath
from catalog.models import Base
from catalog.settings import Settings


@dataclass(frozen=True, slots=True)
class Database:
    """The engine, its session factory, and the auto-sync registration to undo at shutdown."""

    engine: Engine
    sessions: sessionmaker[Session]
    auto_sync: scrypath.AutoSync

    def close(self) -> None:
        self.auto_sync.remove()
        self.engine.dispose()


def open_database(settings: Settings) -> Database:
    """Create the tables and the outbox if needed, point scrypath at Meilisearch and the
    outbox, and enqueue search work on every flush."""
    engine = create_engine(settings.database_url)
    Base.metadata.create_all(engine)
    scrypath.install_outbox(engine)
    scrypath.configure(
        meilisearch_url=settings.meilisearch_url,
        meilisearch_api_key=settings.meilisearch_api_key,
        index_prefix=settings.index_prefix,
        sync_mode="queue",
        outbox_url=settings.database_url,
    )
    sessions = sessionmaker(engine, expire_on_commit=False)
    registration = scrypath.auto_sync(sessions, mode="queue")
    return Database(engine, sessions, registration)
