from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from scrypath.declaration import SearchSpec
from scrypath.queue import Job, JobState
from scrypath.queue.coalesce import coalesce
from scrypath.queue.payload import Decoded

NOW = dt.datetime(2030, 1, 1)


class _Model:
    pass


SPEC = SearchSpec(model=_Model, table="items", fields=("title",), document_id="id")


def job(job_id: int, operation: str, index: str = "items", attempt: int = 1) -> Job:
    return Job(
        id=job_id,
        operation=operation,
        model="m:M",
        index=index,
        payload="[]",
        document_ids="[]",
        document_count=1,
        state=JobState.EXECUTING,
        attempt=attempt,
        max_attempts=8,
        inserted_at=NOW,
        scheduled_at=NOW,
    )


def decoded(items: list[tuple[Any, dict[str, Any] | None]]) -> Decoded:
    return Decoded(SPEC, tuple(items))


def upsert(job_id: int, *ids: int, index: str = "items") -> tuple[Job, Decoded]:
    return job(job_id, "upsert", index), decoded([(i, {"id": i, "v": job_id}) for i in ids])


def delete(job_id: int, *ids: int) -> tuple[Job, Decoded]:
    return job(job_id, "delete"), decoded([(i, None) for i in ids])


def test_the_newest_snapshot_wins_and_older_jobs_are_superseded() -> None:
    result = coalesce([upsert(n, 1) for n in range(1, 6)])
    (work,) = result.work
    assert [part.job.id for part in work.upserts] == [5]
    assert work.upserts[0].items == ((1, {"id": 1, "v": 5}),)
    assert result.superseded == {1: 5, 2: 5, 3: 5, 4: 5}


def test_a_job_partly_overtaken_keeps_only_its_untouched_documents() -> None:
    result = coalesce([upsert(1, 1, 2, 3), delete(2, 2)])
    (work,) = result.work
    assert [(part.job.id, [i for i, _ in part.items]) for part in work.upserts] == [(1, [1, 3])]
    assert [(part.job.id, [i for i, _ in part.items]) for part in work.deletes] == [(2, [2])]
    assert result.superseded == {}


def test_each_index_gets_its_own_work() -> None:
    result = coalesce([upsert(1, 1, index="a"), upsert(2, 1, index="b")])
    assert [work.index for work in result.work] == ["a", "b"]
    assert result.superseded == {}


def test_a_retried_job_yields_to_newer_work_outside_the_batch() -> None:
    retried = (job(3, "upsert", attempt=2), decoded([(1, {"id": 1}), (2, {"id": 2})]))
    result = coalesce([retried], newer={"items": {1: 9}})
    (work,) = result.work
    assert [i for i, _ in work.upserts[0].items] == [2]
    assert coalesce([retried], newer={"items": {1: 9, 2: 10}}).superseded == {3: 10}


OPS = st.lists(
    st.tuples(st.booleans(), st.lists(st.integers(0, 5), min_size=1, max_size=4, unique=True)),
    min_size=1,
    max_size=12,
)


@given(ops=OPS)
def test_what_is_sent_equals_replaying_every_job_in_order(
    ops: list[tuple[bool, list[int]]],
) -> None:
    batch = [
        upsert(n, *ids) if is_upsert else delete(n, *ids)
        for n, (is_upsert, ids) in enumerate(ops, start=1)
    ]
    replayed: dict[int, Any] = {}
    for n, (is_upsert, ids) in enumerate(ops, start=1):
        for i in ids:
            replayed[i] = {"id": i, "v": n} if is_upsert else None
    result = coalesce(batch)
    sent: dict[int, Any] = {}
    for work in result.work:
        for part in (*work.upserts, *work.deletes):
            for identifier, document in part.items:
                assert identifier not in sent
                sent[identifier] = document
    assert sent == replayed
    contributing = {part.job.id for work in result.work for part in (*work.upserts, *work.deletes)}
    assert contributing | set(result.superseded) == set(range(1, len(ops) + 1))
    assert not contributing & set(result.superseded)
