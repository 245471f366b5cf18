"""`scrypath demo`: the main job on embedded defaults, rendered for a person."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from scrypath.results import Facet, SearchResult


@contextmanager
def _step(console: Console, label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    console.print(f"{label} [dim]({time.perf_counter() - started:.2f}s)[/dim]")


def _results_table(result: SearchResult) -> Table:
    table = Table(title=f"Top {len(result.records or ())} of {result.page.total_hits} hits")
    table.add_column("id", justify="right")
    table.add_column("name")
    table.add_column("category")
    table.add_column("price", justify="right")
    table.add_column("rating", justify="right")
    for product in result.records or ():
        table.add_row(
            str(product.id),
            product.name,
            product.category,
            f"{product.price:.2f}",
            f"{product.rating:.1f}",
        )
    return table


def _facet_table(facet: Facet) -> Table:
    table = Table(title=f"{facet.name} facet")
    table.add_column(facet.name)
    table.add_column("count", justify="right")
    for bucket in facet.buckets:
        table.add_row(bucket.value, str(bucket.count))
    return table


@click.command()
@click.option(
    "--count",
    default=3000,
    show_default=True,
    type=click.IntRange(1, 200_000),
    help="How many products to generate.",
)
@click.option(
    "--database",
    metavar="URL",
    help="SQLAlchemy URL of the demo database (default: a temporary SQLite file).",
)
def demo(count: int, database: str | None) -> None:
    """Generate a catalogue, sync it to Meilisearch and run a faceted search.

    Uses scrypath's fake Meilisearch unless SCRYPATH_MEILISEARCH_URL is set.
    """
    from scrypath import demo as job

    console = Console(highlight=False)
    started = time.perf_counter()
    with job.meilisearch_for_demo() as server, job.demo_environment(database) as (factory, url):
        console.print(f"Meilisearch: {server.description}")
        where = "a temporary SQLite file" if database is None else url.split("://", 1)[0]
        console.print(f"Database: {where}")
        with _step(console, f"[1/4] Generated {count} products"):
            job.load_catalogue(factory, count)
        with _step(console, f"[2/4] Index {job.INDEX} created and configured"):
            job.prepare(server, factory)
        _sync_with_progress(console, factory, count)
        query = job.DemoQuery()
        with factory() as session:
            result = query.run(session)
        console.print(
            f'[4/4] Search "{query.text}", in stock, under 100, best rated first: '
            f"{result.page.total_hits} hits"
        )
        console.print(_results_table(result))
        for facet in result.facets.values():
            console.print(_facet_table(facet))
    console.print(f"OK: demo finished in {time.perf_counter() - started:.1f}s")


def _sync_with_progress(console: Console, factory: sessionmaker[Session], count: int) -> None:
    from scrypath import demo as job

    columns = (TextColumn("[3/4] Syncing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    started = time.perf_counter()
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("sync", total=count)
        synced = job.sync_catalogue(factory, lambda n: progress.advance(task, n))
    elapsed = time.perf_counter() - started
    console.print(f"[3/4] Synced {synced} documents inline [dim]({elapsed:.2f}s)[/dim]")
