"""scrypath's own overhead on the hot paths, as ratios against hand-written baselines.

- Inline `sync_record` vs the official client's `add_documents` + `wait_for_task` for the
  same record, its document built by hand on each call (target: at most 1.10x).
- A hydrated `search` of 100 hits vs a bare search plus a hand-written `IN` query
  (target: at most 1.2x).

Both sides send identical requests: the same document body and `primaryKey`, the same
search parameters (checked against what scrypath compiles before anything is timed), and
task polls at the same interval (`rounds.POLL_SECONDS`). They run against the same server:
scrypath's fake in its own process, unless `SCRYPATH_MEILISEARCH_URL` names a real
Meilisearch. Rounds alternate which side goes first.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import meilisearch
from bench_server import server
from rounds import POLL_MS, POLL_SECONDS, Comparison, interleave, timed, use_server
from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

import scrypath
from scrypath.declaration import spec_for
from scrypath.projection import project
from scrypath.searching import build_query, pagination

INDEX = "bench_items"
TEXT = "alpha"
PER_PAGE = 100
SEARCH_OPTIONS = {"page": 1, "hitsPerPage": PER_PAGE}
"""What the baseline adds to `q`: the exact-total pagination scrypath's search uses."""


class Base(DeclarativeBase):
    pass


@scrypath.searchable(fields=("title", "body"), filterable=("kind",), index=INDEX)
class Item(Base):
    __tablename__ = "bench_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    body: Mapped[str]
    kind: Mapped[str]


def seeded_items() -> sessionmaker[Session]:
    """Sessions on an in-memory SQLite holding 500 items that all match `TEXT`."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    factory = sessionmaker(engine)
    with factory.begin() as session:
        session.add_all(
            Item(id=i, title=f"alpha item {i}", body="lorem ipsum " * 5, kind="k")
            for i in range(1, 501)
        )
    return factory


def check_same_search() -> None:
    """Refuse to measure if the baseline's search body differs from scrypath's."""
    query = build_query(spec_for(Item), TEXT, None, None, None, None, None)
    ours = {**query.params, **pagination(1, PER_PAGE)}
    theirs = {"q": TEXT, **SEARCH_OPTIONS}
    if ours != theirs:
        raise SystemExit(f"the sides would search differently: {ours} vs {theirs}")


def by_hand(record: Item) -> dict[str, Any]:
    """The baseline's document, built the way an application would write it."""
    return {"id": record.id, "title": record.title, "body": record.body, "kind": record.kind}


def check_same_document(record: Item) -> None:
    """Refuse to measure if the baseline would send another document than scrypath."""
    ours, theirs = project(record, spec_for(Item)), by_hand(record)
    if ours != theirs:
        raise SystemExit(f"the sides would send different documents: {ours} vs {theirs}")


def compare(ours: Callable[[], object], baseline: Callable[[], object], rounds: int) -> Comparison:
    """Per-call seconds of each side after one untimed warm-up call each."""
    ours(), baseline()
    return interleave(timed(ours), timed(baseline), rounds)


def sync_benchmark(client: meilisearch.Client, session: Session, rounds: int) -> Comparison:
    record = session.get(Item, 1)
    assert record is not None
    check_same_document(record)
    raw_index = client.index(INDEX)

    def ours() -> None:
        scrypath.sync_record(record, mode="inline")

    def baseline() -> None:
        document = by_hand(record)
        task = raw_index.add_documents([document], primary_key="id")
        done = raw_index.wait_for_task(task.task_uid, interval_in_ms=POLL_MS)
        assert done.status == "succeeded", done

    return compare(ours, baseline, rounds)


def hydration_benchmark(client: meilisearch.Client, session: Session, rounds: int) -> Comparison:
    raw_index = client.index(INDEX)

    def ours() -> None:
        result = scrypath.search(Item, TEXT, per_page=PER_PAGE, session=session)
        assert len(result.records or ()) == PER_PAGE

    def baseline() -> None:
        hits = raw_index.search(TEXT, dict(SEARCH_OPTIONS))["hits"]
        ids = [hit["id"] for hit in hits]
        rows = {row.id: row for row in session.scalars(select(Item).where(Item.id.in_(ids)))}
        records = [rows[i] for i in ids if i in rows]
        assert len(records) == PER_PAGE

    return compare(ours, baseline, rounds)


def line(label: str, baseline: str, result: Comparison, target: float) -> str:
    verdict = "within" if result.ratio <= target else "OVER"
    return (
        f"{label}: {result.ours_median * 1000:.2f} ms vs {baseline} "
        f"{result.baseline_median * 1000:.2f} ms -> {result.ratio:.3f}x "
        f"({verdict} the {target:.2f}x target; medians of {len(result.ours)} interleaved rounds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()
    check_same_search()
    factory = seeded_items()
    with server() as (url, key, description), factory() as session:
        print(f"server: {description}")
        print(f"task polls: every {POLL_SECONDS * 1000:g} ms on both sides")
        use_server(url, key, sync_mode="inline")
        client = meilisearch.Client(url, key)
        scrypath.sync_records(session.scalars(select(Item)).all())
        synced = sync_benchmark(client, session, args.rounds)
        print(line("inline sync_record", "raw add+wait", synced, 1.10))
        hydrated = hydration_benchmark(client, session, max(20, args.rounds // 4))
        print(line("hydrated search of 100 hits", "search + IN query", hydrated, 1.2))


if __name__ == "__main__":
    main()
