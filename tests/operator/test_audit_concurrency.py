"""Writers that update, insert and delete rows (each followed, a moment after its commit, by
its inline sync) while an audit runs: the first pass sees their rows drift, the recheck
clears them, and the one document planted out of the writers' reach is still reported."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import scrypath
from scrypath.bulk import backfill
from scrypath.config import Config, configure
from scrypath.declaration import registry
from scrypath.operator import audit as audit_module
from scrypath.operator.audit import audit_index
from scrypath.sync import delete_record, sync_record
from tests.conftest import Database, Models, declare_models
from tests.operator.support import index_of
from tests.operator.test_audit import hand_delete
from tests.test_auto_sync_races import two_connections  # noqa: F401  (fixture)

ROWS = 400
WRITERS = 3
LAG = 0.1
"""The longest pause between a writer's commit and its sync."""


@pytest.fixture
def racing(two_connections: Database, scrypath_config: Config) -> Iterator[Models]:  # noqa: F811
    """The models on a database where every thread gets its own connection."""
    with registry.isolated() as isolated:
        isolated.clear()
        author, post, note, base = declare_models()
        base.metadata.create_all(two_connections.engine)
        configure(session_factory=two_connections.sessions, poll_interval=0.002)
        yield Models(author, post, note, two_connections)


def write_while(models: Models, stop: threading.Event, seed: int) -> list[BaseException]:
    """Update, insert and delete rows of ids above 100 until `stop`; each sync follows its
    commit after a pause (shorter than the audit's settle), so the audit sees the gap."""
    errors: list[BaseException] = []
    rng = random.Random(seed)
    fresh = iter(range(10_000 * (seed + 1), 10_000 * (seed + 2)))
    while not stop.is_set():
        try:
            with models.session() as session:
                choice = rng.random()
                if choice < 0.6:
                    post = session.get(models.Post, rng.randint(101, ROWS))
                    if post is not None:
                        post.title = f"rewritten {rng.random()}"
                        session.commit()
                        time.sleep(rng.uniform(0, LAG))
                        sync_record(post)
                elif choice < 0.85:
                    post = models.Post(id=next(fresh), title="new")
                    session.add(post)
                    session.commit()
                    time.sleep(rng.uniform(0, LAG))
                    sync_record(post)
                else:
                    post = session.get(models.Post, rng.randint(101, ROWS))
                    if post is not None:
                        session.delete(post)
                        session.commit()
                        time.sleep(rng.uniform(0, LAG))
                        delete_record(post)
        except Exception as error:  # a lost write race (a row deleted twice) is not the point
            if "locked" not in str(error) and "StaleData" not in type(error).__name__:
                errors.append(error)
    return errors


def test_concurrent_writers_cause_no_false_drift(
    racing: Models, meilisearch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with racing.session() as session:
        session.add_all(racing.Post(id=n, title=f"p{n}") for n in range(1, ROWS + 1))
        session.commit()
    backfill(racing.Post, batch_size=100)
    hand_delete(meilisearch, index_of(racing.Post, scrypath.config.resolve()), [7])
    stop = threading.Event()
    found: list[list[BaseException]] = []
    threads = [
        threading.Thread(target=lambda n=n: found.append(write_while(racing, stop, n)))
        for n in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    seen: list[int] = []
    real_recheck = audit_module.recheck

    def counting(sides: Any, candidates: dict[str, Any], rounds: int = 3) -> Any:
        seen.append(len(candidates))
        return real_recheck(sides, candidates, rounds)

    monkeypatch.setattr(audit_module, "recheck", counting)
    try:
        report = audit_index(racing.Post, batch_size=25, settle=0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert [error for errors in found for error in errors] == []
    assert report.missing.all_ids == (7,)
    assert report.extra.count == 0
    assert report.stale.count == 0
    assert report.rows_compared >= ROWS - 100
    assert seen and seen[0] > 1, "the writers never raced the first pass"
