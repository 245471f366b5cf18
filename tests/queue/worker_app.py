"""Searchable models for tests that run workers in other processes.

A worker subprocess imports this module (`scrypath worker --import tests.queue.worker_app`)
so the model references in the jobs resolve there as they do in the test.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scrypath.declaration import searchable


class AppBase(DeclarativeBase):
    pass


@searchable(fields=["title"], filterable=["revision"])
class QueueItem(AppBase):
    __tablename__ = "queue_items"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str]
    revision: Mapped[int] = mapped_column(default=0)
