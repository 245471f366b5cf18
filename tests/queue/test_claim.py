from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import insert

from scrypath.queue import JobState
from scrypath.queue.claim import claim, renew
from scrypath.queue.settle import complete
from scrypath.queue.table import jobs
from tests.conftest import Database, Models
from tests.queue.support import job_row

NOW = dt.datetime(2030, 1, 1, 12, 0, 0)


def seed(models: Models, count: int, **changes: Any) -> None:
    changes.setdefault("scheduled_at", NOW)
    rows = [job_row(models, **changes) for _ in range(count)]
    with models.database.engine.begin() as connection:
        connection.execute(insert(jobs), rows)


def claim_now(database: Database, owner: str, limit: int, now: dt.datetime = NOW) -> list[Any]:
    with database.engine.begin() as connection:
        return claim(connection, owner=owner, limit=limit, lease_seconds=30, now=now)


def test_a_claim_takes_due_jobs_oldest_first_under_a_lease(outbox: Models) -> None:
    seed(outbox, 5)
    seed(outbox, 1, scheduled_at=NOW + dt.timedelta(hours=1))
    taken = claim_now(outbox.database, "w1", 3)
    assert [job.id for job in taken] == [1, 2, 3]
    assert {(job.state, job.attempt, job.lease_owner) for job in taken} == {
        (JobState.EXECUTING, 1, "w1")
    }
    assert {job.lease_expires_at for job in taken} == {NOW + dt.timedelta(seconds=30)}
    assert [job.id for job in claim_now(outbox.database, "w2", 10)] == [4, 5]
    assert claim_now(outbox.database, "w3", 10) == []


def test_an_expired_lease_makes_a_job_claimable_again(outbox: Models) -> None:
    seed(outbox, 2)
    claim_now(outbox.database, "killed", 2)
    assert claim_now(outbox.database, "rescuer", 2, NOW + dt.timedelta(seconds=29)) == []
    later = NOW + dt.timedelta(seconds=31)
    rescued = claim_now(outbox.database, "rescuer", 2, later)
    assert [(job.id, job.attempt, job.lease_owner) for job in rescued] == [
        (1, 2, "rescuer"),
        (2, 2, "rescuer"),
    ]
    with outbox.database.engine.begin() as connection:
        assert complete(connection, "killed", [1, 2], later) == set()
        assert complete(connection, "rescuer", [1, 2], later) == {1, 2}


def test_renewing_a_lease_keeps_the_job_from_being_reclaimed(outbox: Models) -> None:
    seed(outbox, 1)
    claim_now(outbox.database, "busy", 1)
    with outbox.database.engine.begin() as connection:
        held = renew(
            connection, owner="busy", ids=[1], lease_seconds=30, now=NOW + dt.timedelta(seconds=20)
        )
        stolen = renew(connection, owner="other", ids=[1], lease_seconds=30, now=NOW)
    assert (held, stolen) == ({1}, set())
    assert claim_now(outbox.database, "other", 1, NOW + dt.timedelta(seconds=40)) == []
    assert len(claim_now(outbox.database, "other", 1, NOW + dt.timedelta(seconds=51))) == 1


def test_concurrent_postgres_claims_skip_each_others_rows(outbox: Models) -> None:
    if outbox.database.backend != "postgresql":
        pytest.skip("SQLite has one writer; concurrent claims cannot interleave there")
    seed(outbox, 10)
    engine = outbox.database.engine
    with engine.connect() as first, engine.connect() as second:
        first_tx = first.begin()
        mine = claim(first, owner="a", limit=4, lease_seconds=30, now=NOW)
        second_tx = second.begin()
        theirs = claim(second, owner="b", limit=10, lease_seconds=30, now=NOW)
        second_tx.commit()
        first_tx.commit()
    assert [job.id for job in mine] == [1, 2, 3, 4]
    assert [job.id for job in theirs] == [5, 6, 7, 8, 9, 10]
