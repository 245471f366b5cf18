"""Draining queued jobs: coalesced batches against naive one-request-per-job delivery.

Both sides drain the same N single-record upsert jobs (written by `sync_record` in queue
mode) from a SQLite outbox with the same worker code and the same settings (task polls
every `rounds.POLL_SECONDS`); only the batch size differs:

- coalesced: batches of `--batch-size` jobs, one Meilisearch request per index per batch;
- naive: a batch of one, so one claim, one request, one task wait and one settle per job.

Rounds alternate which side goes first. Before each drain (untimed) the jobs are written
afresh and the index is emptied, so each drain must deliver every document itself; after
it, every job must be completed and the index must hold all N documents.

Target: coalesced at least 10x faster. Both run against the same server: scrypath's fake in
its own process, unless `SCRYPATH_MEILISEARCH_URL` names a real Meilisearch.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import meilisearch
from bench_server import server
from meilisearch.index import Index
from outbox_db import sqlite_outbox
from queue_models import INDEX, Base, Item
from rounds import POLL_MS, POLL_SECONDS, interleave, use_server
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

import scrypath
from scrypath.queue import Worker, jobs, queue_counts


def database(directory: Path, count: int) -> Engine:
    """A SQLite outbox in WAL mode holding `count` items and the outbox table."""
    engine = sqlite_outbox(directory, Base.metadata)
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


def empty_index(index: Index) -> None:
    task = index.delete_all_documents()
    index.wait_for_task(task.task_uid, timeout_in_ms=600_000, interval_in_ms=POLL_MS)


def drain(engine: Engine, batch_size: int) -> float:
    """Seconds to drain every job with batches of `batch_size`; all must complete."""
    worker = Worker(engine, batch_size=batch_size, poll_interval=0.01)
    started = time.perf_counter()
    report = worker.drain(handle_signals=False)
    elapsed = time.perf_counter() - started
    counts = queue_counts(engine)
    assert counts.states["completed"] == counts.total, counts
    assert report.claimed == counts.total, report
    return elapsed


def side(engine: Engine, index: Index, count: int, batch_size: int) -> Callable[[], float]:
    """One drain as a side of `interleave`: set up untimed, drain timed, result checked."""

    def run() -> float:
        enqueue(engine, count)
        empty_index(index)
        elapsed = drain(engine, batch_size)
        stored = index.get_stats().number_of_documents
        assert stored == count, f"{stored} documents after draining {count} jobs"
        return elapsed

    return run


def report(label: str, count: int, samples: tuple[float, ...]) -> None:
    listed = ", ".join(f"{seconds:.2f}" for seconds in samples)
    median = statistics.median(samples)
    print(
        f"{label}: {count} jobs in {median:.2f} s median ({count / median:,.0f} jobs/s; {listed})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with server() as (url, key, description), tempfile.TemporaryDirectory() as directory:
        print(f"server: {description}")
        print(f"task polls: every {POLL_SECONDS * 1000:g} ms on both sides")
        use_server(url, key, sync_mode="queue")
        engine = database(Path(directory), args.jobs)
        scrypath.ensure_index(Item)
        index = meilisearch.Client(url, key).index(INDEX)
        coalesced = side(engine, index, args.jobs, args.batch_size)
        naive = side(engine, index, args.jobs, 1)
        result = interleave(coalesced, naive, args.rounds)
        report(f"coalesced (batches of {args.batch_size})", args.jobs, result.ours)
        report("naive (one request per job)", args.jobs, result.baseline)
        speedup = 1 / result.ratio
        verdict = "meets" if speedup >= 10 else "MISSES"
        print(
            f"-> coalesced is {speedup:.1f}x faster ({verdict} the >= 10x target; medians of "
            f"{args.rounds} interleaved rounds)"
        )


if __name__ == "__main__":
    main()
