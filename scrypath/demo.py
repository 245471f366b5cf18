"""The demo behind `scrypath demo`: a generated catalogue, synced and searched end to end.

It uses only the public API, on embedded defaults: a SQLite database it creates, and
scrypath's fake Meilisearch unless `SCRYPATH_MEILISEARCH_URL` points at a real one.
The catalogue is generated from a fixed seed, so every run shows the same results.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String, Text, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from scrypath.config import configure
from scrypath.declaration import searchable
from scrypath.errors import TaskFailedError
from scrypath.indexes import IndexStatus, ensure_index
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.client import get_client
from scrypath.meilisearch.tasks import task_ref, wait_for_task
from scrypath.searching import SearchResult, search
from scrypath.sync import sync_records

SEED = 20240501
DEFAULT_COUNT = 3000
BATCH_SIZE = 500
INDEX = "scrypath_demo_products"

CATEGORIES: dict[str, tuple[str, ...]] = {
    "lighting": ("desk lamp", "floor lamp", "pendant light", "reading light", "lantern"),
    "kitchen": ("kettle", "chef knife", "cutting board", "espresso cup", "saucepan"),
    "garden": ("watering can", "pruning shears", "planter", "garden light", "hose reel"),
    "office": ("notebook", "fountain pen", "monitor stand", "desk organiser", "task light"),
    "outdoor": ("tent", "camping light", "sleeping bag", "trail bottle", "folding chair"),
}
BRANDS = ("Northwind", "Lumen & Co", "Fjord", "Acorn", "Bellhaven", "Copperline", "Dunmore")
ADJECTIVES = ("compact", "solid oak", "brushed steel", "linen", "recycled", "classic", "smart")


class DemoBase(DeclarativeBase):
    """The demo's own metadata, apart from any application's."""


@searchable(
    fields=("name", "description", "brand", "category"),
    filterable=("category", "brand", "price", "in_stock"),
    sortable=("price", "rating"),
    faceting={"attributes": ("category", "brand"), "sort_facet_values_by": "count"},
    index=INDEX,
)
class Product(DemoBase):
    """A product in the generated catalogue."""

    __tablename__ = "demo_products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    brand: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(40))
    price: Mapped[float] = mapped_column(Float)
    rating: Mapped[float] = mapped_column(Float)
    in_stock: Mapped[bool] = mapped_column(Boolean)


def catalogue(count: int = DEFAULT_COUNT, seed: int = SEED) -> Iterator[Product]:
    """`count` products, identical for the same seed."""
    rng = random.Random(seed)
    names = sorted(CATEGORIES)
    for number in range(1, count + 1):
        category = names[rng.randrange(len(names))]
        noun = rng.choice(CATEGORIES[category])
        adjective = rng.choice(ADJECTIVES)
        brand = rng.choice(BRANDS)
        yield Product(
            id=number,
            name=f"{brand} {adjective} {noun}",
            description=f"A {adjective} {noun} for everyday {category} use, by {brand}.",
            brand=brand,
            category=category,
            price=round(rng.uniform(4, 240), 2),
            rating=round(rng.uniform(2.5, 5.0), 1),
            in_stock=rng.random() > 0.2,
        )


@dataclass(frozen=True, slots=True)
class DemoQuery:
    """The search the demo runs: faceted, filtered and sorted."""

    text: str = "light"
    filter: Any = None
    sort: Sequence[str] = ("-rating", "price")
    facets: Sequence[str] = ("category", "brand")
    per_page: int = 10

    def run(self, session: Session) -> SearchResult:
        criteria = self.filter or {"in_stock": True, "price": {"lt": 100}}
        return search(
            Product,
            self.text,
            filter=criteria,
            sort=list(self.sort),
            facets=list(self.facets),
            per_page=self.per_page,
            session=session,
        )


@dataclass(frozen=True, slots=True)
class DemoServer:
    url: str
    api_key: str | None
    description: str


@contextmanager
def meilisearch_for_demo() -> Iterator[DemoServer]:
    """The Meilisearch the environment names, or an in-process fake that stops afterwards."""
    url = os.environ.get("SCRYPATH_MEILISEARCH_URL")
    if url:
        key = os.environ.get("SCRYPATH_MEILISEARCH_API_KEY")
        yield DemoServer(url, key, f"Meilisearch at {url}")
        return
    from scrypath.testing.meilisearch import FakeMeilisearch

    with FakeMeilisearch() as fake:
        yield DemoServer(fake.url, None, "scrypath's fake Meilisearch (in process, not a real one)")


def load_catalogue(factory: sessionmaker[Session], count: int) -> None:
    with factory.begin() as session:
        session.add_all(catalogue(count))


def sync_catalogue(factory: sessionmaker[Session], progress: Callable[[int], None]) -> int:
    """Sync every product inline, batch by batch, reporting progress after each batch."""
    synced = 0
    with factory() as session:
        query = select(Product).order_by(Product.id).execution_options(yield_per=BATCH_SIZE)
        for batch in session.scalars(query).partitions(BATCH_SIZE):
            result = sync_records(list(batch), mode="inline")
            synced += result.document_count
            progress(result.document_count)
    return synced


@contextmanager
def demo_environment(database: str | None) -> Iterator[tuple[sessionmaker[Session], str]]:
    """A fresh demo database (a temporary SQLite file unless a URL is given)."""
    with ExitStack() as stack:
        if database is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="scrypath-demo-"))
            database = f"sqlite:///{Path(folder) / 'catalogue.sqlite3'}"
        engine = create_engine(database)
        stack.callback(engine.dispose)
        DemoBase.metadata.drop_all(engine)
        DemoBase.metadata.create_all(engine)
        yield sessionmaker(engine, expire_on_commit=False), database


def prepare(server: DemoServer, factory: sessionmaker[Session]) -> IndexStatus:
    """Point scrypath at the demo's server and database, and rebuild the demo index."""
    configure(
        meilisearch_url=server.url,
        meilisearch_api_key=server.api_key,
        session_factory=factory,
        sync_mode="inline",
    )
    client = get_client()
    with backend_call(index=INDEX):
        summary = client.delete_index(INDEX)
    try:
        wait_for_task(client, task_ref(summary), timeout=60, index=INDEX)
    except TaskFailedError as error:
        if error.code != "index_not_found":
            raise
    return ensure_index(Product)
