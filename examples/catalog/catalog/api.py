"""The catalogue's HTTP API. Each handler delegates to `catalog.service` in one call; the
dependencies below only turn the request into the service's arguments."""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

import scrypath
from catalog import service
from catalog.database import open_database
from catalog.settings import Settings, from_environment


class NewProduct(BaseModel):
    """The body of `POST /products`."""

    shop: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    description: str = ""
    brand: str = Field(min_length=1, max_length=40)
    category: str = Field(min_length=1, max_length=40)
    price: float = Field(ge=0)
    stock: int = Field(default=0, ge=0)


class StockChange(BaseModel):
    """The body of `PUT /products/{id}/stock`."""

    stock: int = Field(ge=0)


def session(request: Request) -> Iterator[Session]:
    with request.app.state.database.sessions() as opened:
        yield opened


def product_query(
    q: str = "",
    category: str | None = None,
    brand: str | None = None,
    min_price: Annotated[float | None, Query(ge=0)] = None,
    max_price: Annotated[float | None, Query(ge=0)] = None,
    in_stock: bool | None = None,
    sort: service.SortKey = "relevance",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> service.ProductQuery:
    return service.ProductQuery(
        q, category, brand, min_price, max_price, in_stock, sort, page, per_page
    )


def lag_warning(request: Request) -> float:
    settings: Settings = request.app.state.settings
    return settings.lag_warning_seconds


SessionDep = Annotated[Session, Depends(session)]
QueryDep = Annotated[service.ProductQuery, Depends(product_query)]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; settings come from the environment unless given."""
    chosen = settings or from_environment()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        app.state.settings = chosen
        app.state.database = open_database(chosen)
        yield
        app.state.database.close()

    app = FastAPI(title="Catalogue", lifespan=lifespan)
    app.add_exception_handler(service.NotFound, _not_found)
    app.add_exception_handler(scrypath.ScrypathError, _search_unavailable)

    @app.get("/products/search")
    def search(db: SessionDep, query: QueryDep) -> dict[str, Any]:
        return service.search_products(db, query)

    @app.get("/shops/{shop}/products/search")
    def search_shop(shop: str, db: SessionDep, query: QueryDep) -> dict[str, Any]:
        return service.search_products(db, query, shop=shop)

    @app.post("/products", status_code=201)
    def create(body: NewProduct, db: SessionDep) -> dict[str, Any]:
        return service.create_product(db, body.model_dump())

    @app.put("/products/{product_id}/stock")
    def stock(product_id: int, body: StockChange, db: SessionDep) -> dict[str, Any]:
        return service.set_stock(db, product_id, body.stock)

    @app.delete("/products/{product_id}")
    def archive(product_id: int, db: SessionDep) -> dict[str, Any]:
        return service.archive_product(db, product_id)

    @app.get("/health")
    def health(warning: Annotated[float, Depends(lag_warning)]) -> dict[str, Any]:
        return service.health(warning)

    _mount_ops_console(app)
    return app


def _mount_ops_console(app: FastAPI) -> None:
    """Opt-in: the scrypath operator console under `/ops/search` when
    `CATALOG_OPS_CONSOLE_TOKEN` is set, let in only with that bearer token (the catalogue's
    stand-in for real authentication; an application passes its own check as `guard`)."""
    token = os.environ.get("CATALOG_OPS_CONSOLE_TOKEN")
    if not token:
        return
    from scrypath.web import create_app as console_app

    def is_operator(request: Request) -> bool:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())

    app.mount("/ops/search", console_app(guard=is_operator, actions=True))


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": f"no product {exc}"}, status_code=404)


async def _search_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Search cannot answer (the index is not created yet, Meilisearch is down): 503 with
    scrypath's reason tag, never a stack trace. The error's message is safe to show."""
    reason = getattr(exc, "reason", "unknown")
    return JSONResponse({"detail": str(exc), "reason": reason}, status_code=503)
