"""An OpenTelemetry SDK wired to in-memory exporters, for asserting what scrypath records.

`telemetry` pins a real `TracerProvider` and `MeterProvider` (with `InMemorySpanExporter` and
`InMemoryMetricReader`) through `scrypath.telemetry.use_providers`, so no test touches the
process-wide providers, and forgets every observed outbox and failed-work count afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from scrypath.telemetry import gauges, use_providers
from scrypath.telemetry import outbox as observed_outboxes
from tests.queue.support import (  # noqa: F401  (fixtures)
    app_items,
    fresh_config,
    outbox,
    queue_config,
    shared_database,
)


@dataclass(frozen=True)
class Point:
    """One metric data point: its metric's name and unit, attributes and value."""

    metric: str
    unit: str
    attributes: dict[str, Any]
    value: Any


@dataclass(frozen=True)
class Telemetry:
    """What scrypath recorded through the test's SDK providers."""

    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader

    def spans(self, name: str | None = None) -> list[ReadableSpan]:
        found = list(self.exporter.get_finished_spans())
        return [span for span in found if name is None or span.name == name]

    def span(self, name: str) -> ReadableSpan:
        (found,) = self.spans(name)
        return found

    def points(self, metric: str | None = None) -> list[Point]:
        data = self.reader.get_metrics_data()
        found: list[Point] = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                assert scope.scope.name == "scrypath"
                for recorded in scope.metrics:
                    if metric is not None and recorded.name != metric:
                        continue
                    for item in recorded.data.data_points:
                        value = getattr(item, "value", None)
                        if value is None:
                            value = (item.count, item.sum)
                        unit = recorded.unit or ""
                        found.append(Point(recorded.name, unit, dict(item.attributes), value))
        return found

    def dump(self) -> str:
        """Every span (attributes, status, events, links) and metric point, as one text."""
        spans = [json.loads(span.to_json()) for span in self.spans()]
        points = [
            {"metric": p.metric, "attributes": p.attributes, "value": repr(p.value)}
            for p in self.points()
        ]
        return json.dumps({"spans": spans, "points": points}, default=str)


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    use_providers(tracer_provider=tracer_provider, meter_provider=meter_provider)
    try:
        yield Telemetry(exporter, reader)
    finally:
        use_providers()
        observed_outboxes.forget()
        gauges.forget()
        meter_provider.shutdown()
        tracer_provider.shutdown()
