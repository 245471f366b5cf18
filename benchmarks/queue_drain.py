"""Draining queued jobs: coalesced batches against naive one-request-per-job delivery.

Both sides drain the same N single-record upsert jobs (written by `sync_record` in queue
mode) from a SQLite outbox with the same worker code; only the batch size differs:

- coalesced: batches of `--batch-size` jobs, one Meilisearch request per index per batch;
- naive: a batch of one, so one claim, one request, one task wait and one settle per job.

Target: coalesced at least 10x faster. Both run against the same server, scrypath's fake
unless `SCRYPATH_MEILISEARCH_URL` names a real Meilisearch.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import meilisearch
from bench_server import server
from sqlalchemy import Engine, create_engine, delete, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import scrypath
from scrypath.queue import Worker, install, jobs, queue_counts

INDEX = "bench_queue_items"


class Base(DeclarativeBase):
    pass


@scrypath.searchable(fields=("title", "body"), filterable=("kind",), index=INDEX)
class Item(Base):
    __tablename__ = "bench_queue_items"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str]
    body: Mapped[str]
    kind: Mapped[str]


def database(directory: Path, count: int) -> Engine:
    """A SQLite outbox in WAL mode holding `count` items and the outbox table."""
    engine = create_engine(f"sqlite:///{directory / 'outbox.db'}")
    with engine.begin() as connection:
        connection.execute(text("PRAGMA journal_mode=WAL"))
    Base.metadata.create_all(engine)
    install(engine)
    with Session(engine) as session:
        session.add_all(
            Item(id=n, title=f"item {n}", body="lorem ipsum " * 8, kind=f"k{n % 7}")
            for n in range(1, count + 1)
        )
        session.commit()
    return engine


def enqueue(engine: Engine, count: int) -> None:
    """`count` single-record upsert jobs, each from its own `sync_record` call."""
    with engine.begin() as connection:
        connection.execute(delete(jobs))
    with Session(engine) as session:
        for item in session.query(Item).order_by(Item.id).limit(count):
            scrypath.sync_record(item, session=session)
        session.commit()


def drain(engine: Engine, batch_size: int) -> float:
    """Seconds to drain every job with batches of `batch_size`; all must complete."""
    worker = Worker(engine, batch_size=batch_size, poll_interval=0.01)
    started = time.perf_counter()
    worker.drain(handle_signals=False)
    elapsed = time.perf_counter() - started
    counts = queue_counts(engine)
    assert counts.states["completed"] == counts.total, counts
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    with server() as (url, key, description), tempfile.TemporaryDirectory() as directory:
        print(f"server: {description}")
        scrypath.configure(
            meilisearch_url=url,
            meilisearch_api_key=key,
            sync_mode="queue",
            poll_interval=0.001,
            max_poll_interval=0.01,
        )
        engine = database(Path(directory), args.jobs)
        scrypath.ensure_index(Item)
        enqueue(engine, args.jobs)
        coalesced = drain(engine, args.batch_size)
        enqueue(engine, args.jobs)
        naive = drain(engine, 1)
        stored = meilisearch.Client(url, key).index(INDEX).get_stats().number_of_documents
        assert stored == args.jobs, stored
        print(
            f"coalesced (batches of {args.batch_size}): {args.jobs} jobs in {coalesced:.2f} s "
            f"({args.jobs / coalesced:,.0f} jobs/s)"
        )
        print(
            f"naive (one request per job): {args.jobs} jobs in {naive:.2f} s "
            f"({args.jobs / naive:,.0f} jobs/s)"
        )
        print(f"-> coalesced is {naive / coalesced:.1f}x faster (target >= 10x)")


if __name__ == "__main__":
    main()
