"""Helpers the operator tests share: an index name, and records saved with their sync."""

from __future__ import annotations

from typing import Any

from scrypath.config import Config
from scrypath.declaration import spec_for
from scrypath.sync import sync_record
from tests.conftest import Models


def index_of(model: Any, config: Config) -> str:
    return spec_for(model).index_name(config.index_prefix)


def saved(models: Models, *records: Any, **sync: Any) -> None:
    """Add `records` and sync each in the same commit (`sync` passes mode and overrides)."""
    with models.session() as session:
        session.add_all(records)
        session.flush()
        for record in records:
            sync_record(record, session=session, **sync)
        session.commit()
