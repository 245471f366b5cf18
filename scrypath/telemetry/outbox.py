"""Queue depth and sync lag as observable gauges, read from an outbox at each collection.

`observe_outbox()` adds an outbox to what the `scrypath.queue.depth` and
`scrypath.queue.oldest_pending.age` gauges report; `scrypath worker` observes its own outbox.
Each collection runs two small grouped queries (jobs per model and state, and the oldest
pending job per model). An outbox that cannot be read is skipped for that collection and
logged as one structured warning.

Several processes observing one outbox report the same numbers: aggregate the gauges with
`max`, never `sum`, across processes.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, func, select

from scrypath.errors import ConfigurationError, ScrypathError
from scrypath.telemetry import gauges
from scrypath.telemetry.attributes import model_name
from scrypath.telemetry.gauges import Point
from scrypath.telemetry.logs import error_fields, log_event
from scrypath.telemetry.providers import instruments

logger = logging.getLogger("scrypath.telemetry")
_names_lock = threading.Lock()
_names: set[str] = set()


class OutboxObservation:
    """One observed outbox; `close()` stops reporting it."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._models: set[str] = set()
        self._lock = threading.Lock()

    def depth(self) -> list[Point]:
        """Jobs per model and state: dense over every state of every model seen so far, so
        a state that empties reports zero instead of vanishing."""
        from scrypath.queue.jobs import JOB_STATES
        from scrypath.queue.table import jobs

        statement = select(jobs.c.model, jobs.c.state, func.count()).group_by(
            jobs.c.model, jobs.c.state
        )
        rows = self._read("count jobs", lambda connection: list(connection.execute(statement)))
        if rows is None:
            return []
        found = {(str(model), str(state)): int(count) for model, state, count in rows}
        models = self._seen(model for model, _ in found)
        return [
            (float(found.get((model, str(state)), 0)), self._attributes(model, state=str(state)))
            for model in models
            for state in JOB_STATES
        ]

    def oldest_pending(self) -> list[Point]:
        """Seconds since the oldest job not yet settled was enqueued, per model (zero for a
        model seen before whose jobs are all settled)."""
        from scrypath.queue.database import database_now
        from scrypath.queue.jobs import FINAL_STATES
        from scrypath.queue.table import jobs

        settled = [str(state) for state in FINAL_STATES]
        statement = (
            select(jobs.c.model, func.min(jobs.c.inserted_at))
            .where(jobs.c.state.not_in(settled))
            .group_by(jobs.c.model)
        )

        def read(connection: Any) -> tuple[Any, list[Any]]:
            return database_now(connection), list(connection.execute(statement))

        answer = self._read("read the oldest pending job", read)
        if answer is None:
            return []
        now, rows = answer
        ages = {str(model): max(0.0, (now - oldest).total_seconds()) for model, oldest in rows}
        return [(ages.get(model, 0.0), self._attributes(model)) for model in self._seen(iter(ages))]

    def close(self) -> None:
        """Stop reporting this outbox."""
        gauges.remove_outbox(self)
        with _names_lock:
            _names.discard(self.name)

    def _seen(self, models: Any) -> list[str]:
        with self._lock:
            self._models.update(models)
            return sorted(self._models)

    def _attributes(self, model: str, **more: str) -> dict[str, Any]:
        return {"outbox": self.name, "model": model_name(model), **more}

    def _read(self, what: str, query: Any) -> Any:
        from scrypath.queue.database import outbox_call

        try:
            with outbox_call(self.engine, what), self.engine.connect() as connection:
                return query(connection)
        except ScrypathError as error:
            log_event(
                logger,
                logging.WARNING,
                "outbox %s could not be read for metrics: %s",
                self.name,
                error.reason,
                event="metrics_outbox_unreadable",
                outbox=self.name,
                **error_fields(error),
            )
            return None


def observe_outbox(
    engine: Engine | str | None = None, *, name: str = "default", **overrides: Any
) -> OutboxObservation:
    """Report this outbox's queue depth and oldest pending job through the gauges.

    `engine` is the outbox (an Engine or URL; default: the configured one); `name` is the
    `scrypath.outbox` attribute telling outboxes apart, unique in the process. Set the
    meter provider first: the gauges are made on the provider active at this call (or at
    the next metric scrypath records). Without OpenTelemetry the observation is kept but
    never read.
    """
    from scrypath.config import resolve
    from scrypath.queue.database import outbox_engine

    if not isinstance(name, str) or not name or len(name) > 64:
        raise ConfigurationError(
            f"observe_outbox(name=...): expected a short non-empty name, got {name!r}",
            key="name",
        )
    bound = outbox_engine(resolve(outbox_url=engine, **overrides))
    with _names_lock:
        if name in _names:
            raise ConfigurationError(
                f"an outbox named {name!r} is already observed; close() it or pick another name",
                key="name",
            )
        _names.add(name)
    observation = OutboxObservation(bound, name)
    gauges.add_outbox(observation)
    instruments()  # the gauges exist from now on, even before anything else is recorded
    return observation


def forget() -> None:
    """Stop observing every outbox (for tests)."""
    for observed in gauges.outboxes():
        if isinstance(observed, OutboxObservation):
            observed.close()
    with _names_lock:
        _names.clear()
