"""The fake Meilisearch: ingestion throughput and search latency at two corpus sizes.

Selective search (a rare word, planted in the same small number of documents at
every size, plus an equality filter) must use the fake's indexes, not a scan: its
p50 at the large size should stay within 3x of its p50 at the small size, although
the corpus is 10x larger. Broad search (a common word matching nearly every document,
no filter) must stay at or under 100 ms p50 at 100k documents: ranking is a lazy bucket
sort that refines only the buckets the page needs. Its baseline, measured in the same
run at the engine, is the eager path that ranks every candidate by every rule (the
oracle of the ranking tests); two more broad queries (two words; a sort) show the cost
where fewer shortcuts apply.

Both are measured at the engine (no HTTP, in this process) and end to end through the
official client against a fake running in its own process, so HTTP overhead cannot hide a
scan and the client never competes with the server for one interpreter.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import meilisearch
from bench_server import fake_process
from rounds import POLL_MS

from scrypath.testing.meilisearch.search import DocumentStore, search
from scrypath.testing.meilisearch.settings import default_settings

WORDS = [f"w{i:04d}" for i in range(3000)]
CATEGORIES = ["books", "music", "film", "games", "garden", "tools", "toys", "food"]
RARE_WORD = "zephyrine"
RARE_COUNT = 24  # the rare word appears in this many documents, whatever the corpus size
SELECTIVE = {"q": RARE_WORD, "filter": 'category = "books"'}
BROAD = {"q": "w0001"}
BROAD_TWO_WORDS = {"q": "w0001 w0002"}
BROAD_SORTED = {"q": "w0001", "sort": ["price:asc"]}
BROAD_TARGET_MS = 100


def documents(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """A deterministic catalogue; common words follow a skewed distribution."""
    rng = random.Random(seed)
    step = len(CATEGORIES)  # a multiple of it keeps every rare document in one category
    rare_every = max(step, count // RARE_COUNT // step * step)
    for i in range(count):
        words = [WORDS[min(int(rng.paretovariate(1.2)) - 1, len(WORDS) - 1)] for _ in range(8)]
        if i % rare_every == 0:
            words.append(RARE_WORD)
        yield {
            "id": i,
            "title": " ".join(words[:4]),
            "body": " ".join(words[4:]),
            "category": CATEGORIES[i % len(CATEGORIES)],
            "price": rng.randint(1, 500),
        }


def settings() -> dict[str, Any]:
    base = default_settings()
    base["filterableAttributes"] = ["category", "price"]
    base["sortableAttributes"] = ["price"]
    return base


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return statistics.median(samples), cuts[94]


def broad_repeats(repeats: int) -> int:
    """Broad queries are slow by nature at the large size; fewer samples suffice."""
    return max(5, repeats // 5)


def timed(call: Callable[[], Any], repeats: int) -> tuple[float, float]:
    call()  # warm caches once
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def engine_run(size: int, repeats: int) -> dict[str, Any]:
    store = DocumentStore("id")
    store.reconfigure(settings())
    docs = list(documents(size))
    started = time.perf_counter()
    store.upsert(docs, merge=False)
    ingest = size / (time.perf_counter() - started)
    conf = settings()

    def query(params: dict[str, Any], *, eager: bool = False) -> Callable[[], Any]:
        return lambda: search(store, conf, dict(params), index_uid="b", eager=eager)

    lazy, eager = query(BROAD)(), query(BROAD, eager=True)()
    if lazy["hits"] != eager["hits"]:
        raise RuntimeError("lazy and eager ranking disagree on the broad query")
    few = broad_repeats(repeats)
    return {
        "ingest_docs_per_s": ingest,
        "selective": timed(query(SELECTIVE), repeats),
        "broad": timed(query(BROAD), few),
        "broad_eager": timed(query(BROAD, eager=True), max(3, few // 3)),
        "broad_two_words": timed(query(BROAD_TWO_WORDS), few),
        "broad_sorted": timed(query(BROAD_SORTED), few),
        "selective_hits": query(SELECTIVE)()["estimatedTotalHits"],
        "broad_hits": lazy["estimatedTotalHits"],
    }


def http_run(url: str, size: int, repeats: int) -> dict[str, Any]:
    client = meilisearch.Client(url)
    uid = f"bench_{size}"
    client.wait_for_task(client.create_index(uid, {"primaryKey": "id"}).task_uid)
    index = client.index(uid)
    index.wait_for_task(index.update_filterable_attributes(["category", "price"]).task_uid)
    docs = list(documents(size))
    started = time.perf_counter()
    for start in range(0, size, 10_000):
        task = index.add_documents(docs[start : start + 10_000])
    # a fine poll: the fake answers `processing` while it works, as Meilisearch does, so the
    # client's default 50 ms sleep between polls would dominate a small ingest
    index.wait_for_task(task.task_uid, timeout_in_ms=600_000, interval_in_ms=POLL_MS)
    ingest = size / (time.perf_counter() - started)
    options = {"filter": SELECTIVE["filter"]}
    return {
        "ingest_docs_per_s": ingest,
        "selective": timed(lambda: index.search(SELECTIVE["q"], options), repeats),
        "broad": timed(lambda: index.search(BROAD["q"]), broad_repeats(repeats)),
        "selective_hits": index.search(SELECTIVE["q"], options)["estimatedTotalHits"],
    }


def report(
    label: str, small: dict[str, Any], large: dict[str, Any], sizes: tuple[int, int]
) -> None:
    print(f"\n[{label}]")
    for size, run in zip(sizes, (small, large), strict=True):
        sel50, sel95 = run["selective"]
        br50, br95 = run["broad"]
        print(
            f"  {size:>7} docs: ingest {run['ingest_docs_per_s']:>9.0f} docs/s | "
            f"selective ({run['selective_hits']} hits) p50 {sel50:7.2f} ms p95 {sel95:7.2f} ms | "
            f"broad p50 {br50:7.2f} ms p95 {br95:7.2f} ms"
        )
    ratio = large["selective"][0] / small["selective"][0]
    verdict = "within" if ratio <= 3 else "OVER"
    print(f"  selective p50 ratio {sizes[1]}/{sizes[0]}: {ratio:.2f}x ({verdict} the 3x target)")
    print(f"  broad p50 ratio {sizes[1]}/{sizes[0]}: {large['broad'][0] / small['broad'][0]:.2f}x")
    broad = large["broad"][0]
    verdict = "within" if broad <= BROAD_TARGET_MS else "OVER"
    print(f"  broad p50 at {sizes[1]}: {broad:.2f} ms ({verdict} the {BROAD_TARGET_MS} ms target)")
    if "broad_eager" not in large:
        return
    for size, run in zip(sizes, (small, large), strict=True):
        eager = run["broad_eager"][0]
        print(
            f"  {size:>7} docs, broad (estimatedTotalHits {run['broad_hits']}): "
            f"lazy p50 {run['broad'][0]:.2f} ms vs eager (every candidate ranked) "
            f"p50 {eager:.2f} ms: "
            f"{eager / run['broad'][0]:.1f}x faster | two words p50 "
            f"{run['broad_two_words'][0]:.2f} ms | sorted p50 {run['broad_sorted'][0]:.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k and 10k documents")
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    sizes = (1_000, 10_000) if args.quick else (10_000, 100_000)
    small, large = (engine_run(size, args.repeats) for size in sizes)
    report("engine: the fake's search code called in this process, no server", small, large, sizes)
    with fake_process() as (url, description):
        small, large = (http_run(url, size, args.repeats) for size in sizes)
    report(f"http, official client; server: {description}", small, large, sizes)


if __name__ == "__main__":
    main()
