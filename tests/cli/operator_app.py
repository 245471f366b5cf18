"""A small application for the operator CLI tests (`--import tests.cli.operator_app`).

It declares two searchable models and, like an application's settings module, configures
scrypath's outbox and session factory from an environment variable when that is set.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from scrypath.config import configure
from scrypath.declaration import searchable

DATABASE_VARIABLE = "OPERATOR_APP_DATABASE_URL"
"""The application's database, which also holds the outbox."""


class AppBase(DeclarativeBase):
    pass


@searchable(fields=["name"], filterable=["kind"], sortable=["price"])
class Product(AppBase):
    __tablename__ = "operator_products"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str]
    kind: Mapped[str] = mapped_column(default="tool")
    price: Mapped[float] = mapped_column(default=1.0)


@searchable(fields=["body"])
class Review(AppBase):
    __tablename__ = "operator_reviews"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    body: Mapped[str]


_url = os.environ.get(DATABASE_VARIABLE, "").strip()
if _url:
    configure(outbox_url=_url, session_factory=sessionmaker(create_engine(_url)))
