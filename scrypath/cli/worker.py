"""`scrypath worker`: deliver the outbox's jobs to Meilisearch until stopped, or drain once.

Exit codes: 0 when the run ended and no job failed for good; 3 when `--once` cancelled or
discarded a job (it will not be retried, so a script must notice); 1 when the worker could
not run at all (a usage error, bad configuration, an unreachable or uninstalled outbox).
Never 2, which means drift in this project.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from scrypath.cli.common import import_modules
from scrypath.config import check_value, masked_database_url, resolve
from scrypath.errors import ConfigurationError
from scrypath.queue.events import Outcome
from scrypath.queue.worker import MAX_BATCH_SIZE, MAX_CONCURRENCY, Worker, WorkerReport
from scrypath.telemetry import observe_outbox

EXIT_JOBS_FAILED = 3
"""`--once` settled a job as cancelled or discarded: it failed for good."""

_FAILED_FOR_GOOD: tuple[Outcome, ...] = ("discarded", "cancelled")
_LOG_FORMATS = ("text", "json")


@click.command()
@click.option(
    "--outbox-url",
    metavar="URL",
    help="SQLAlchemy URL of the outbox database [default: SCRYPATH_OUTBOX_URL].",
)
@click.option(
    "--database",
    metavar="URL",
    help="Deprecated alias of --outbox-url.",
)
@click.option(
    "--import",
    "imports",
    metavar="MODULE",
    multiple=True,
    help="Import a module that declares searchable models (repeatable).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, MAX_CONCURRENCY),
    default=1,
    show_default=True,
    help="Batches delivered at once, each by its own thread.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, MAX_BATCH_SIZE),
    default=100,
    show_default=True,
    help="Jobs claimed per batch.",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0, min_open=True, max=3600),
    default=1.0,
    show_default=True,
    help="Seconds between claims when nothing is due.",
)
@click.option(
    "--once",
    is_flag=True,
    help="Drain what is due, then exit; exit 3 if a job was cancelled or discarded.",
)
@click.option(
    "--log-format",
    type=click.Choice(_LOG_FORMATS),
    default="text",
    show_default=True,
    help="Job events on stderr as text lines or JSON lines.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the final summary as JSON.")
def worker(
    outbox_url: str | None,
    database: str | None,
    imports: tuple[str, ...],
    concurrency: int,
    batch_size: int,
    poll_interval: float,
    once: bool,
    log_format: str,
    as_json: bool,
) -> int:
    """Deliver queued search work to Meilisearch.

    SIGTERM or SIGINT stops gracefully: batches in flight finish, nothing new is claimed.
    """
    import_modules(imports)
    url = _outbox_url(outbox_url, database)
    runner = Worker(
        url,
        concurrency=concurrency,
        batch_size=batch_size,
        poll_interval=poll_interval,
    )
    runner.check()
    with _job_logging(log_format), _outbox_metrics(runner):
        _announce(runner, once)
        report = runner.drain() if once else runner.run()
    failed = _failed_for_good(report) if once else 0
    _summarize(report, runner, as_json, failed)
    return EXIT_JOBS_FAILED if failed else 0


def _outbox_url(outbox_url: str | None, database: str | None) -> str | None:
    """The URL `--outbox-url` (or its deprecated alias) gives, checked; None when neither
    is given and the configuration (SCRYPATH_OUTBOX_URL) names the outbox."""
    if database is not None:
        if outbox_url is not None:
            raise click.UsageError("give --outbox-url only; --database is its deprecated alias")
        click.echo("scrypath: warning: --database is deprecated; use --outbox-url", err=True)
    given = outbox_url if outbox_url is not None else database
    option = "--outbox-url" if outbox_url is not None else "--database"
    if given is not None:
        return str(check_value("outbox_url", given, option))
    if resolve().outbox_url is None:
        raise ConfigurationError(
            "no outbox database is set; pass --outbox-url URL or set SCRYPATH_OUTBOX_URL",
            key="outbox_url",
        )
    return None


@contextmanager
def _job_logging(log_format: str) -> Iterator[None]:
    """scrypath's log records (job events first) on stderr while the worker runs; the
    logger is restored afterwards."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JSONLines() if log_format == "json" else _TextLines())
    logger = logging.getLogger("scrypath")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


@contextmanager
def _outbox_metrics(runner: Worker) -> Iterator[None]:
    """The outbox's queue depth and sync lag as gauges while the worker runs (recorded only
    when an OpenTelemetry meter provider is set, as `opentelemetry-instrument` does)."""
    observation = observe_outbox(runner.engine, name="default")
    try:
        yield
    finally:
        observation.close()


class _TextLines(logging.Formatter):
    """`level: message`, then the traceback's lines when the record carries one."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname.lower()}: {record.getMessage()}"
        trace = _trace(self, record)
        return f"{line}\n{trace}" if trace else line


class _JSONLines(logging.Formatter):
    """One JSON object per record; a record with an exception adds a `traceback` field."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = dict(getattr(record, "scrypath_event", None) or {})
        data.setdefault("event", "log")
        data["level"] = record.levelname.lower()
        data["message"] = record.getMessage()
        trace = _trace(self, record)
        if trace:
            data["traceback"] = trace
        return json.dumps(data, separators=(",", ":"))


def _trace(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    """The record's exception traceback and stack, as the standard formatter renders them."""
    parts = []
    if record.exc_info and record.exc_info[0] is not None:
        parts.append(formatter.formatException(record.exc_info))
    elif record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(formatter.formatStack(record.stack_info))
    return "\n".join(parts)


def _announce(runner: Worker, once: bool) -> None:
    mode = "draining what is due" if once else "running until stopped"
    click.echo(
        f"scrypath worker {runner.name}: {mode}; outbox {masked_database_url(runner.engine)}, "
        f"Meilisearch {runner.config.meilisearch_url}, concurrency {runner.concurrency}, "
        f"batch size {runner.batch_size}",
        err=True,
    )


def _failed_for_good(report: WorkerReport) -> int:
    return sum(report.outcomes.get(outcome, 0) for outcome in _FAILED_FOR_GOOD)


def _summarize(report: WorkerReport, runner: Worker, as_json: bool, failed: int) -> None:
    if as_json:
        click.echo(json.dumps({"worker": runner.name, "ok": not failed, **report.to_json()}))
        return
    outcomes = ", ".join(f"{count} {name}" for name, count in report.to_json()["outcomes"].items())
    summary = (
        f"worker {runner.name} stopped after {report.batches} batch(es), "
        f"{report.claimed} job(s) claimed: {outcomes}; {report.swept} swept"
    )
    if failed:
        click.echo(
            f"FAILED: {summary}; {failed} job(s) cancelled or discarded, not to be retried "
            "(see their errors in the outbox)"
        )
    else:
        click.echo(f"OK: {summary}")
