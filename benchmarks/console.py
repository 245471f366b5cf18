"""The operator console's pages at scale: 50 searchable models, 10k failed outbox jobs on one.

Each page (the overview, the busy model's first page of failed work, and a quiet model's
page) is rendered through Starlette's test client, in rounds, and its median wall time is
compared with the 200 ms target (the baseline: a ratio under 1.0 meets it). The fake
Meilisearch runs in its own process (`bench_server.py`) unless `SCRYPATH_MEILISEARCH_URL`
names a real one; the outbox is a SQLite file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench_server import server
from outbox_db import insert_jobs, sqlite_outbox, transport_error
from sqlalchemy import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from starlette.testclient import TestClient

import scrypath
from scrypath.cli.common import model_reference
from scrypath.web import create_app, trust_host

TARGET_MS = 200.0
MODELS = 50
FAILED_JOBS = 10_000


class Base(DeclarativeBase):
    pass


def declare(count: int) -> list[type[Any]]:
    """`count` small searchable models, one table and one index each."""
    models = []
    for n in range(count):
        model = type(
            f"Model{n:02d}",
            (Base,),
            {
                "__tablename__": f"console_bench_{n:02d}",
                "__annotations__": {"id": Mapped[int], "title": Mapped[str]},
                "id": mapped_column(primary_key=True),
                "title": mapped_column(),
            },
        )
        models.append(scrypath.searchable(fields=["title"])(model))
    return models


def outbox(directory: Path, busy: type[Any], index: str, failed: int) -> Engine:
    """A SQLite outbox with `failed` discarded jobs of `busy`'s index."""
    engine = sqlite_outbox(directory, Base.metadata)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    error = transport_error(now, attempt=8)
    rows = [
        {
            "operation": "upsert",
            "model": model_reference(busy),
            "index_uid": index,
            "payload": json.dumps([{"id": n, "title": "t"}]),
            "document_ids": f"[{n}]",
            "document_count": 1,
            "state": "discarded",
            "attempt": 8,
            "max_attempts": 8,
            "inserted_at": now,
            "scheduled_at": now,
            "completed_at": now,
            "errors": [error],
        }
        for n in range(1, failed + 1)
    ]
    insert_jobs(engine, rows)
    return engine


def median_ms(client: TestClient, path: str, rounds: int) -> float:
    """The median wall time of `rounds` GETs of `path` (after one warm-up)."""
    assert client.get(path).status_code == 200
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=MODELS)
    parser.add_argument("--failed-jobs", type=int, default=FAILED_JOBS)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--workers", type=int, default=8)
    options = parser.parse_args()
    models = declare(options.models)
    with server() as (url, key, description), tempfile.TemporaryDirectory() as where:
        print(f"Meilisearch: {description}")
        scrypath.configure(
            meilisearch_url=url, meilisearch_api_key=key, index_prefix="bench_", sync_mode="queue"
        )
        for model in models:
            scrypath.ensure_index(model)
        busy = models[0]
        index = scrypath.spec_for(busy).index_name("bench_")
        engine = outbox(Path(where), busy, index, options.failed_jobs)
        scrypath.configure(outbox_url=engine)
        app = create_app(
            models, guard=trust_host, sample_interval=None, actions=True, workers=options.workers
        )
        pages = {
            f"overview ({options.models} models)": "/",
            f"busy model ({options.failed_jobs} failed jobs, page 1)": (
                f"/models/{quote(model_reference(busy), safe=':')}"
            ),
            "quiet model": f"/models/{quote(model_reference(models[1]), safe=':')}",
        }
        print(f"target: {TARGET_MS:.0f} ms per page; median of {options.rounds} rounds")
        with TestClient(app) as client:
            for label, path in pages.items():
                measured = median_ms(client, path, options.rounds)
                ratio = measured / TARGET_MS
                verdict = "meets" if ratio <= 1.0 else "MISSES"
                print(f"{label}: {measured:.1f} ms = {ratio:.2f}x the target ({verdict})")


if __name__ == "__main__":
    main()
