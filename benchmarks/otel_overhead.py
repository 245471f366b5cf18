"""What OpenTelemetry costs scrypath's hot paths, as ratios against the same calls without it.

- Inline `sync_record` with a real SDK `TracerProvider` and a real SDK `MeterProvider` (an
  in-memory reader), against the same call while no provider is set, which is scrypath's
  no-op path (target: at most 1.05x). Spans go through the `BatchSpanProcessor` the
  operations page recommends, to an exporter that drops what it gets; `--processor simple`
  exports each span on the calling thread instead, the strictest case.
- A hydrated `search` of 100 hits, the same way (target: at most 1.05x).

Both sides make the identical call against the same server: scrypath's fake in its own
process, unless `SCRYPATH_MEILISEARCH_URL` names a real Meilisearch. Rounds alternate which
side goes first; switching providers happens outside the timed part.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench_server import server
from core_sync_search import INDEX, PER_PAGE, TEXT, Item, line, seeded_items
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from rounds import POLL_SECONDS, Comparison, interleave, use_server
from sqlalchemy import select
from sqlalchemy.orm import Session

import scrypath
from scrypath.telemetry import use_providers


class DroppingExporter(SpanExporter):
    """Accepts every span and keeps none: the SDK's full span path, no storage growth."""

    def __init__(self) -> None:
        self.spans = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans += len(spans)
        return SpanExportResult.SUCCESS


class Providers:
    """The SDK providers, switched on for one side and off for the other."""

    def __init__(self, processor: str) -> None:
        self.exporter = DroppingExporter()
        self.tracer_provider = TracerProvider()
        kind = BatchSpanProcessor if processor == "batch" else SimpleSpanProcessor
        self.tracer_provider.add_span_processor(kind(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def on(self) -> None:
        use_providers(tracer_provider=self.tracer_provider, meter_provider=self.meter_provider)

    def off(self) -> None:
        use_providers()

    def points(self) -> int:
        data = self.reader.get_metrics_data()
        if data is None:
            return 0
        return sum(
            len(metric.data.data_points)
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
        )


def sides(
    providers: Providers, call: Callable[[], object]
) -> tuple[Callable[[], float], Callable[[], float]]:
    """The call timed with the providers on (ours) and off (the baseline)."""

    def timed_with(switch: Callable[[], None]) -> Callable[[], float]:
        def side() -> float:
            switch()
            started = time.perf_counter()
            call()
            return time.perf_counter() - started

        return side

    return timed_with(providers.on), timed_with(providers.off)


def compare(providers: Providers, call: Callable[[], object], rounds: int) -> Comparison:
    ours, baseline = sides(providers, call)
    ours(), baseline()  # one untimed warm-up each
    return interleave(ours, baseline, rounds)


def sync_call(record: Item) -> Callable[[], object]:
    def call() -> None:
        result = scrypath.sync_record(record, mode="inline")
        assert result.status == "completed", result

    return call


def search_call(session: Session) -> Callable[[], object]:
    def call() -> None:
        result = scrypath.search(Item, TEXT, per_page=PER_PAGE, session=session)
        assert len(result.records or ()) == PER_PAGE

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--processor", choices=("batch", "simple"), default="batch")
    args = parser.parse_args()
    factory = seeded_items()
    providers = Providers(args.processor)
    with server() as (url, key, description), factory() as session:
        print(f"server: {description}")
        print(f"index: {INDEX}; task polls every {POLL_SECONDS * 1000:g} ms on both sides")
        print(f"span processor: {args.processor}")
        use_server(url, key, sync_mode="inline")
        scrypath.sync_records(session.scalars(select(Item)).all())
        record: Any = session.get(Item, 1)
        synced = compare(providers, sync_call(record), args.rounds)
        print(line("inline sync_record, SDK on", "SDK off", synced, 1.05))
        searched = compare(providers, search_call(session), max(40, args.rounds // 2))
        print(line("hydrated search of 100 hits, SDK on", "SDK off", searched, 1.05))
    providers.off()
    providers.tracer_provider.force_flush()
    print(f"recorded while on: {providers.exporter.spans} spans, {providers.points()} points")


if __name__ == "__main__":
    main()
