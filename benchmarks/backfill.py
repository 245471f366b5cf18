"""Backfill: speed against a hand-written keyset loop, and memory that stays flat in N.

- Speed: `scrypath.backfill` of 100k SQLite rows vs a hand-written keyset loop (ORM query
  `id > last ORDER BY id LIMIT n`, dicts, the official client's `add_documents` and
  `wait_for_task`) at the same batch size. Target: at most 1.05x.
- Memory: peak RSS growth (peak during the backfill minus the RSS just before it) of a
  1M-row backfill vs a 100k-row backfill, each in a fresh subprocess. Target: at most 1.2x
  (memory constant in the table size).

Both run against the same Meilisearch: a real one when `SCRYPATH_MEILISEARCH_URL` is set,
otherwise scrypath's fake started in its own process (so that neither its work nor its
document store counts toward the backfill's time or memory). Speed rounds alternate which
side goes first; both sides poll tasks at the same interval (`rounds.POLL_SECONDS`), and
after each round the index must hold every row.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import meilisearch
from bench_server import server
from rounds import POLL_MS, POLL_SECONDS, interleave
from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

import scrypath
from scrypath.bulk import backfill

BATCH = 1000

Side = Callable[[str, str | None, Path, str], float]


class Base(DeclarativeBase):
    pass


@scrypath.searchable(fields=("title", "body"), filterable=("kind",), index="bench_backfill")
class Item(Base):
    __tablename__ = "bench_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    body: Mapped[str]
    kind: Mapped[str]


def make_table(path: Path, rows: int) -> None:
    """A SQLite file with `rows` items, written with plain sqlite3 (fast, and not measured)."""
    path.unlink(missing_ok=True)
    Base.metadata.create_all(create_engine(f"sqlite:///{path}"))
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO bench_items (id, title, body, kind) VALUES (?, ?, ?, ?)",
            (
                (i, f"item {i} alpha", f"lorem ipsum dolor {i % 977} sit amet", f"k{i % 7}")
                for i in range(1, rows + 1)
            ),
        )


def fresh_index(client: meilisearch.Client, uid: str) -> None:
    client.wait_for_task(client.delete_index(uid).task_uid)


def ours(url: str, key: str | None, database: Path, uid: str) -> float:
    factory = sessionmaker(create_engine(f"sqlite:///{database}"))
    started = time.perf_counter()
    backfill(
        Item,
        index=uid,
        batch_size=BATCH,
        meilisearch_url=url,
        meilisearch_api_key=key,
        session_factory=factory,
        bulk_task_timeout=600.0,
        poll_interval=POLL_SECONDS,
        max_poll_interval=POLL_SECONDS,
    )
    return time.perf_counter() - started


def baseline(url: str, key: str | None, database: Path, uid: str) -> float:
    factory = sessionmaker(create_engine(f"sqlite:///{database}"))
    index = meilisearch.Client(url, key).index(uid)
    started = time.perf_counter()
    last = 0
    with factory() as session:
        while True:
            query = select(Item).where(Item.id > last).order_by(Item.id).limit(BATCH)
            rows = session.scalars(query).all()
            if not rows:
                break
            docs = [{"id": r.id, "title": r.title, "body": r.body, "kind": r.kind} for r in rows]
            task = index.add_documents(docs, primary_key="id")
            done = index.wait_for_task(task.task_uid, timeout_in_ms=600_000, interval_in_ms=POLL_MS)
            assert done.status == "succeeded", done
            last = rows[-1].id
            session.expunge_all()
    return time.perf_counter() - started


def measured(
    side: Side, url: str, key: str | None, database: Path, rows: int
) -> Callable[[], float]:
    """One backfill as a side of `interleave`, into an index emptied before and after."""
    client = meilisearch.Client(url, key)
    uid = f"bench_backfill_{side.__name__}"

    def run() -> float:
        fresh_index(client, uid)
        seconds = side(url, key, database, uid)
        stored = client.index(uid).get_stats().number_of_documents
        fresh_index(client, uid)
        assert stored == rows, f"{side.__name__} left {stored} documents of {rows}"
        return seconds

    return run


def speed(url: str, key: str | None, workdir: Path, rows: int, rounds: int) -> None:
    database = workdir / "speed.sqlite"
    make_table(database, rows)
    scrypath.ensure_index(Item, meilisearch_url=url, meilisearch_api_key=key)
    result = interleave(
        measured(ours, url, key, database, rows),
        measured(baseline, url, key, database, rows),
        rounds,
    )
    verdict = "within" if result.ratio <= 1.05 else "OVER"
    print(
        f"backfill of {rows} rows (batch {BATCH}): {result.ours_median:.2f} s vs hand-written "
        f"keyset loop {result.baseline_median:.2f} s -> {result.ratio:.3f}x ({verdict} the "
        f"1.05x target; medians of {rounds} interleaved rounds)"
    )


def current_rss_kib() -> int:
    """This process's resident set now (Linux), else its peak so far."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def memory_child_report(script: str, database: Path, url: str) -> dict[str, Any]:
    """Run `script --memory-child` on `database` in a fresh interpreter; its JSON report."""
    command = [sys.executable, script, "--memory-child", str(database), "--url", url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    report: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return report


def growth_line(large: int, small: int, high: int, low: int, target: float) -> str:
    """The peak RSS growth at `large` rows against `small` rows, as a ratio and a verdict."""
    ratio = max(high, 1) / max(low, 1)
    verdict = "within" if ratio <= target else "OVER"
    return (
        f"peak RSS growth {large} vs {small} rows: {high / 1024:.1f} MiB vs "
        f"{low / 1024:.1f} MiB -> {ratio:.3f}x ({verdict} the {target:g}x target)"
    )


def memory_child(url: str, database: Path) -> None:
    """Run in a subprocess: report how far a full backfill raises the peak RSS."""
    factory = sessionmaker(create_engine(f"sqlite:///{database}"))
    before = current_rss_kib()
    result = backfill(
        Item,
        index="bench_backfill_memory",
        meilisearch_url=url,
        session_factory=factory,
        bulk_task_timeout=3600.0,
        batch_size=BATCH,
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = {"documents": result.documents, "growth_kib": peak - before, "peak_kib": peak}
    print(json.dumps(report))


def measure_memory(url: str, key: str | None, workdir: Path, rows: int) -> int:
    database = workdir / f"memory_{rows}.sqlite"
    make_table(database, rows)
    client = meilisearch.Client(url, key)
    fresh_index(client, "bench_backfill_memory")
    report = memory_child_report(__file__, database, url)
    assert report["documents"] == rows, report
    fresh_index(client, "bench_backfill_memory")
    growth: int = report["growth_kib"]
    print(
        f"{rows} rows: peak RSS {report['peak_kib'] / 1024:.1f} MiB, "
        f"{growth / 1024:.1f} MiB above the RSS before the backfill"
    )
    return growth


def memory(url: str, key: str | None, workdir: Path, small: int, large: int) -> None:
    low = measure_memory(url, key, workdir, small)
    high = measure_memory(url, key, workdir, large)
    print(growth_line(large, small, high, low, 1.2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--memory-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.url, args.memory_child)
        return
    with server() as (url, key, description), tempfile.TemporaryDirectory() as tmp:
        print(f"server: {description}")
        if not args.skip_speed:
            speed(url, key, Path(tmp), args.rows, args.rounds)
        if not args.skip_memory:
            memory(url, key, Path(tmp), args.rows, args.large)


if __name__ == "__main__":
    main()
