"""scrypath's own overhead on the hot paths, as ratios against hand-written baselines.

- Inline `sync_record` vs the official client's `add_documents` + `wait_for_task` for the
  same document (target: at most 1.10x).
- A hydrated `search` of 100 hits vs a bare search plus a hand-written `IN` query
  (target: at most 1.2x).

Both sides run in the same process against the same server: scrypath's fake unless
`SCRYPATH_MEILISEARCH_URL` names a real Meilisearch. Rounds alternate between the two
sides so that drift on a busy machine hits both equally.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import meilisearch
from bench_server import server
from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

import scrypath


class Base(DeclarativeBase):
    pass


@scrypath.searchable(fields=("title", "body"), filterable=("kind",), index="bench_items")
class Item(Base):
    __tablename__ = "bench_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    body: Mapped[str]
    kind: Mapped[str]


def alternate(
    ours: Callable[[], Any], baseline: Callable[[], Any], rounds: int
) -> tuple[float, float]:
    """Median seconds per call of each side, interleaved round by round."""
    ours(), baseline()
    a: list[float] = []
    b: list[float] = []
    for _ in range(rounds):
        for side, samples in ((ours, a), (baseline, b)):
            started = time.perf_counter()
            side()
            samples.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def sync_benchmark(
    client: meilisearch.Client, session: Session, rounds: int
) -> tuple[float, float]:
    record = session.get(Item, 1)
    assert record is not None
    raw_index = client.index("bench_items")
    document = {"id": 1, "title": record.title, "body": record.body, "kind": record.kind}

    def ours() -> None:
        scrypath.sync_record(record, mode="inline")

    def baseline() -> None:
        task = raw_index.add_documents([document])
        raw_index.wait_for_task(task.task_uid)

    return alternate(ours, baseline, rounds)


def hydration_benchmark(
    client: meilisearch.Client, session: Session, rounds: int
) -> tuple[float, float]:
    raw_index = client.index("bench_items")

    def ours() -> None:
        result = scrypath.search(Item, "alpha", per_page=100, session=session)
        assert len(result.records or ()) == 100

    def baseline() -> None:
        hits = raw_index.search("alpha", {"limit": 100})["hits"]
        ids = [hit["id"] for hit in hits]
        rows = {row.id: row for row in session.scalars(select(Item).where(Item.id.in_(ids)))}
        records = [rows[i] for i in ids if i in rows]
        assert len(records) == 100

    return alternate(ours, baseline, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    factory = sessionmaker(engine)
    with factory.begin() as session:
        session.add_all(
            Item(id=i, title=f"alpha item {i}", body="lorem ipsum " * 5, kind="k")
            for i in range(1, 501)
        )
    with server() as (url, key, description), factory() as session:
        print(f"server: {description}")
        scrypath.configure(meilisearch_url=url, meilisearch_api_key=key, sync_mode="inline")
        client = meilisearch.Client(url, key)
        scrypath.sync_records(session.scalars(select(Item)).all())
        ours, base = sync_benchmark(client, session, args.rounds)
        print(
            f"inline sync_record: {ours * 1000:.2f} ms vs raw add+wait {base * 1000:.2f} ms "
            f"-> {ours / base:.3f}x (target <= 1.10x)"
        )
        ours, base = hydration_benchmark(client, session, max(20, args.rounds // 4))
        print(
            f"hydrated search of 100 hits: {ours * 1000:.2f} ms vs search + IN query "
            f"{base * 1000:.2f} ms -> {ours / base:.3f}x (target <= 1.2x)"
        )


if __name__ == "__main__":
    main()
