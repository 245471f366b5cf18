"""Everything the catalogue's API does, in one place: the route handlers only call these.

Search responses are built from hydrated records (the rows as the database holds them now),
not from the documents Meilisearch returned, so a price changed a second ago shows its new
value even before the index catches up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

import scrypath
from catalog.models import FACETS, Product

SortKey = Literal["relevance", "price", "-price", "name", "-name"]


class NotFound(LookupError):
    """No product has that id."""


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """What a shopper can ask of the catalogue search."""

    text: str = ""
    category: str | None = None
    brand: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    in_stock: bool | None = None
    sort: SortKey = "relevance"
    page: int = 1
    per_page: int = 20


def search_products(
    session: Session, query: ProductQuery, *, shop: str | None = None
) -> dict[str, Any]:
    """One page of products, with category and brand facets; within one shop when given."""
    result = scrypath.search(
        Product,
        query.text,
        filter=_filter(query),
        sort=None if query.sort == "relevance" else [query.sort],
        facets=list(FACETS),
        tenant_scope=shop,
        page=query.page,
        per_page=query.per_page,
        session=session,
    )
    return {
        "items": [product_view(product) for product in result.records or ()],
        "page": result.page.to_json(),
        "facets": {
            name: {bucket.value: bucket.count for bucket in facet.buckets}
            for name, facet in result.facets.items()
        },
    }


def _filter(query: ProductQuery) -> dict[str, Any]:
    """The shopper's choices in scrypath's filter language; unset choices add nothing."""
    conditions: dict[str, Any] = {}
    if query.category is not None:
        conditions["category"] = query.category
    if query.brand is not None:
        conditions["brand"] = query.brand
    price: dict[str, float] = {}
    if query.min_price is not None:
        price["gte"] = query.min_price
    if query.max_price is not None:
        price["lte"] = query.max_price
    if price:
        conditions["price"] = price
    if query.in_stock is not None:
        conditions["in_stock"] = query.in_stock
    return conditions


def product_view(product: Product) -> dict[str, Any]:
    """A product as the API shows it."""
    return {
        "id": product.id,
        "shop": product.shop,
        "name": product.name,
        "brand": product.brand,
        "category": product.category,
        "price": product.price,
        "stock": product.stock,
        "in_stock": product.in_stock,
    }


def create_product(session: Session, fields: dict[str, Any]) -> dict[str, Any]:
    """Add a product; its search work commits with it."""
    stock = int(fields.get("stock", 0))
    product = Product(**{**fields, "stock": stock, "in_stock": stock > 0})
    session.add(product)
    session.commit()
    return product_view(product)


def set_stock(session: Session, product_id: int, stock: int) -> dict[str, Any]:
    """Change a product's stock (and so whether it is in stock)."""
    product = _get(session, product_id)
    product.stock = stock
    product.in_stock = stock > 0
    session.commit()
    return product_view(product)


def archive_product(session: Session, product_id: int) -> dict[str, Any]:
    """Archive a product: it stays in the database and leaves the index."""
    product = _get(session, product_id)
    product.archived = True
    session.commit()
    return {"id": product_id, "archived": True}


def _get(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(product_id)
    return product


def health(lag_warning_seconds: float) -> dict[str, Any]:
    """Sync health from scrypath's status report: the queue's lag and failed work."""
    report = scrypath.sync_status(Product)
    queue = report.queue
    lag = queue.oldest_pending_age_seconds or 0.0
    healthy = lag <= lag_warning_seconds and queue.failed == 0
    return {
        "status": "ok" if healthy else "degraded",
        "index": report.index,
        "sync_lag_seconds": round(lag, 1),
        "pending_jobs": queue.pending,
        "retrying_jobs": queue.retrying,
        "failed_jobs": queue.failed,
        "index_documents": report.index_view.documents,
    }
