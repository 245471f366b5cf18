"""`scrypath worker`: deliver the outbox's jobs to Meilisearch until stopped, or drain once."""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from scrypath.config import masked_database_url
from scrypath.errors import ConfigurationError
from scrypath.queue.worker import MAX_BATCH_SIZE, MAX_CONCURRENCY, Worker, WorkerReport

_LOG_FORMATS = ("text", "json")


@click.command()
@click.option(
    "--database",
    metavar="URL",
    envvar="SCRYPATH_OUTBOX_URL",
    help="SQLAlchemy URL of the outbox database [env: SCRYPATH_OUTBOX_URL].",
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
@click.option("--once", is_flag=True, help="Drain what is due, then exit.")
@click.option(
    "--log-format",
    type=click.Choice(_LOG_FORMATS),
    default="text",
    show_default=True,
    help="Job events on stderr as text lines or JSON lines.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the final summary as JSON.")
def worker(
    database: str | None,
    imports: tuple[str, ...],
    concurrency: int,
    batch_size: int,
    poll_interval: float,
    once: bool,
    log_format: str,
    as_json: bool,
) -> None:
    """Deliver queued search work to Meilisearch.

    SIGTERM or SIGINT stops gracefully: batches in flight finish, nothing new is claimed.
    """
    _import_all(imports)
    runner = Worker(
        database,
        concurrency=concurrency,
        batch_size=batch_size,
        poll_interval=poll_interval,
    )
    runner.check()
    with _job_logging(log_format):
        _announce(runner, once)
        report = runner.drain() if once else runner.run()
    _summarize(report, runner, as_json)


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as error:
            raise ConfigurationError(
                f"--import {name}: the module could not be imported ({type(error).__name__}: "
                f"{error})",
                key="import",
            ) from error


@contextmanager
def _job_logging(log_format: str) -> Iterator[None]:
    """Job events on stderr while the worker runs; the logger is restored afterwards."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JSONLines() if log_format == "json" else _TextLines())
    logger = logging.getLogger("scrypath.queue")
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


class _TextLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


class _JSONLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = dict(getattr(record, "scrypath_event", None) or {})
        data.setdefault("event", "log")
        data["level"] = record.levelname.lower()
        data["message"] = record.getMessage()
        return json.dumps(data, separators=(",", ":"))


def _announce(runner: Worker, once: bool) -> None:
    mode = "draining what is due" if once else "running until stopped"
    click.echo(
        f"scrypath worker {runner.name}: {mode}; outbox {masked_database_url(runner.engine)}, "
        f"Meilisearch {runner.config.meilisearch_url}, concurrency {runner.concurrency}, "
        f"batch size {runner.batch_size}",
        err=True,
    )


def _summarize(report: WorkerReport, runner: Worker, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"worker": runner.name, **report.to_json()}))
        return
    outcomes = ", ".join(f"{count} {name}" for name, count in report.to_json()["outcomes"].items())
    click.echo(
        f"OK: worker {runner.name} stopped after {report.batches} batch(es), "
        f"{report.claimed} job(s) claimed: {outcomes}; {report.swept} swept"
    )
