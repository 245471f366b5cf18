"""The catalogue's tables, and which of them are searchable.

A product belongs to one tenant (a shop); every shop shares one index, and searches are
scoped to a shop with `tenant_scope`. Products that are archived are kept in the database
but not in the index (`should_index`).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import scrypath

FACETS = ("category", "brand")


class Base(DeclarativeBase):
    """The catalogue's own metadata."""


@scrypath.searchable(
    fields=("name", "description", "brand", "category", "price", "stock", "in_stock"),
    filterable=("category", "brand", "price", "in_stock"),
    sortable=("price", "name", "stock"),
    faceting={"attributes": FACETS, "sort_facet_values_by": "count"},
    tenant_field="shop",
    should_index=lambda product: not product.archived,
)
class Product(Base):
    """A product a shop sells."""

    __tablename__ = "catalog_products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(40))
    price: Mapped[float] = mapped_column(Float)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    in_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
