"""Document audit: cost against a rebuild, memory that stays flat in N, and a fast sample.

- Speed: `scrypath.audit_index` of a 100k-row SQLite table against its (matching) index, vs
  `scrypath.backfill` of the same rows into an empty index, the baseline an audit must not
  exceed. Target: at most 1.0x.
- Memory: peak RSS growth (peak during the audit minus the RSS just before it) of a full
  audit at 1M rows vs at 100k rows, each in a fresh subprocess. Target: at most 1.5x.
- Sample: `audit_index(sample=1000)` at 1M rows. Target: under 2 s.

Against a real Meilisearch when `SCRYPATH_MEILISEARCH_URL` is set, otherwise scrypath's fake
in its own process, so that its work and its document store count toward neither side.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import meilisearch
from backfill import Item as Row
from backfill import current_rss_kib, fresh_index, growth_line, make_table, memory_child_report
from bench_server import server
from rounds import POLL_SECONDS, interleave
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

import scrypath
from scrypath.bulk import backfill

BATCH = 1000
LIVE = "bench_backfill"
"""The live index of the backfill benchmark's model, which this one audits."""
REBUILT = "bench_audit_rebuilt"


def options(url: str, key: str | None, database: Path) -> dict[str, object]:
    factory = sessionmaker(create_engine(f"sqlite:///{database}"))
    return {
        "meilisearch_url": url,
        "meilisearch_api_key": key,
        "session_factory": factory,
        "bulk_task_timeout": 3600.0,
        "poll_interval": POLL_SECONDS,
        "max_poll_interval": POLL_SECONDS,
    }


def table(workdir: Path, rows: int) -> Path:
    database = workdir / f"audit_{rows}.sqlite"
    make_table(database, rows)
    return database


def fill(url: str, key: str | None, database: Path, rows: int) -> None:
    """The live index, emptied and backfilled so it matches the table."""
    client = meilisearch.Client(url, key)
    fresh_index(client, LIVE)
    scrypath.ensure_index(Row, meilisearch_url=url, meilisearch_api_key=key)
    result = backfill(Row, batch_size=BATCH, **options(url, key, database))
    assert result.documents == rows, result


def speed(url: str, key: str | None, workdir: Path, rows: int, rounds: int) -> None:
    database = table(workdir, rows)
    fill(url, key, database, rows)
    client = meilisearch.Client(url, key)
    settings = options(url, key, database)

    def audit_side() -> float:
        started = time.perf_counter()
        report = scrypath.audit_index(Row, batch_size=BATCH, settle=0, **settings)
        seconds = time.perf_counter() - started
        assert report.match and report.rows_compared == rows, report.to_json()
        return seconds

    def backfill_side() -> float:
        fresh_index(client, REBUILT)
        started = time.perf_counter()
        backfill(Row, index=REBUILT, batch_size=BATCH, **settings)
        seconds = time.perf_counter() - started
        fresh_index(client, REBUILT)
        return seconds

    result = interleave(audit_side, backfill_side, rounds)
    verdict = "within" if result.ratio <= 1.0 else "OVER"
    print(
        f"full audit of {rows} rows: {result.ours_median:.2f} s vs backfill of the same rows "
        f"{result.baseline_median:.2f} s -> {result.ratio:.3f}x ({verdict} the 1.0x target; "
        f"medians of {rounds} interleaved rounds)"
    )


def memory_child(url: str, database: Path) -> None:
    """Run in a subprocess: how far one full audit raises the peak RSS."""
    import resource

    settings = options(url, None, database)
    before = current_rss_kib()
    report = scrypath.audit_index(Row, batch_size=BATCH, settle=0, **settings)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": report.rows_compared, "growth_kib": peak - before, "peak": peak}))


def measure_memory(url: str, key: str | None, workdir: Path, rows: int) -> tuple[int, Path]:
    database = table(workdir, rows)
    fill(url, key, database, rows)
    report = memory_child_report(__file__, database, url)
    assert report["rows"] == rows, report
    growth: int = report["growth_kib"]
    print(
        f"{rows} rows: peak RSS {report['peak'] / 1024:.1f} MiB, "
        f"{growth / 1024:.1f} MiB above the RSS before the audit"
    )
    return growth, database


def sample(url: str, key: str | None, database: Path, rows: int, size: int) -> None:
    settings = options(url, key, database)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        report = scrypath.audit_index(Row, sample=size, settle=0, **settings)
        timings.append(time.perf_counter() - started)
        assert report.match and report.sample is not None, report.to_json()
    best = sorted(timings)[1]
    verdict = "within" if best < 2.0 else "OVER"
    print(
        f"sample={size} audit at {rows} rows: {best:.2f} s (median of 3; {verdict} the 2 s target)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-large", action="store_true", help="no memory or sample runs")
    parser.add_argument("--memory-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.url, args.memory_child)
        return
    with server() as (url, key, description), tempfile.TemporaryDirectory() as tmp:
        print(f"server: {description}")
        workdir = Path(tmp)
        if not args.skip_speed:
            speed(url, key, workdir, args.rows, args.rounds)
        if args.skip_large:
            return
        low, _ = measure_memory(url, key, workdir, args.rows)
        high, large = measure_memory(url, key, workdir, args.large)
        print(growth_line(args.large, args.rows, high, low, 1.5))
        sample(url, key, large, args.large, args.sample)


if __name__ == "__main__":
    main()
