"""One reset empties every process-wide cache."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine

import scrypath
from scrypath import indexes
from scrypath.config import Config, resolve
from scrypath.meilisearch import rebuild_marker
from scrypath.meilisearch.client import client_for
from scrypath.queue import database
from tests.conftest import Models


def test_reset_caches_forgets_indexes_markers_clients_engines_and_outbox_checks(
    models: Models, scrypath_config: Config, meilisearch: Any, tmp_path: Any
) -> None:
    with models.session() as session:
        post = models.Post(id=1, title="t")
        session.add(post)
        session.commit()
    scrypath.sync_record(post)
    client = client_for(resolve())
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    engine = database.outbox_engine(resolve(outbox=url))
    scrypath.install_outbox(engine)
    with engine.connect() as connection:
        database.require_installed(connection)
    assert indexes._ensured and rebuild_marker._answers and database._engines
    assert database._installed

    scrypath.reset_caches()

    assert not indexes._ensured and not rebuild_marker._answers and not database._engines
    assert not database._installed
    assert client_for(resolve()) is not client
    assert database.outbox_engine(resolve(outbox=url)) is not engine
    create_engine(url).dispose()
