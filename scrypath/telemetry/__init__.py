"""OpenTelemetry spans and metrics for the people who run scrypath (the `otel` extra).

scrypath records through the OpenTelemetry API only: the application chooses the SDK, the
exporters and the providers. Without the extra installed, or before any provider is set,
every helper here is a no-op that costs a global read. The instrumentation scope is
`scrypath`; every span, metric and attribute name is listed in `scrypath.telemetry.names`
(and in the operations docs).

- `span(name, **attributes)`: a span around a block; `sync_call` and `search_call` are
  spans that also record their metric point; `task_wait` times a wait for a task;
- `record_job`, `record_lost_attempt`, `record_failed_work`: metric points;
- `observe_outbox(...)`: report an outbox's queue depth and sync lag as observable gauges
  (`scrypath worker` observes its own outbox);
- `use_providers(...)`: record with explicit providers instead of the global ones.
"""

from scrypath.telemetry.calls import search_call, sync_call, task_wait
from scrypath.telemetry.logs import log_event
from scrypath.telemetry.metrics import record_failed_work, record_job, record_lost_attempt
from scrypath.telemetry.names import ATTRIBUTES, METRICS, SCOPE, SPANS
from scrypath.telemetry.outbox import OutboxObservation, observe_outbox
from scrypath.telemetry.providers import use_providers
from scrypath.telemetry.spans import operator_command, span

__all__ = [
    "ATTRIBUTES",
    "METRICS",
    "SCOPE",
    "SPANS",
    "OutboxObservation",
    "log_event",
    "observe_outbox",
    "operator_command",
    "record_failed_work",
    "record_job",
    "record_lost_attempt",
    "search_call",
    "span",
    "sync_call",
    "task_wait",
    "use_providers",
]
