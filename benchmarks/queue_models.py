"""The model `queue_drain.py` queues jobs for, in an importable module: queued jobs name
their model by module, and a worker could never import one declared in the script."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import scrypath

INDEX = "bench_queue_items"


class Base(DeclarativeBase):
    pass


@scrypath.searchable(fields=("title", "body"), filterable=("kind",), index=INDEX)
class Item(Base):
    __tablename__ = "bench_queue_items"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str]
    body: Mapped[str]
    kind: Mapped[str]
