"""The catalogue end to end: writes queue search work, the worker delivers it, searches come
back as the database holds the rows."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

import scrypath

PRODUCTS = [
    {
        "shop": "north",
        "name": "oak desk lamp",
        "brand": "Fjord",
        "category": "lighting",
        "price": 49.0,
        "stock": 3,
    },
    {
        "shop": "north",
        "name": "steel kettle",
        "brand": "Acorn",
        "category": "kitchen",
        "price": 29.5,
        "stock": 0,
    },
    {
        "shop": "south",
        "name": "linen floor lamp",
        "brand": "Fjord",
        "category": "lighting",
        "price": 120.0,
        "stock": 8,
    },
    {
        "shop": "south",
        "name": "garden light",
        "brand": "Northwind",
        "category": "garden",
        "price": 15.0,
        "stock": 12,
    },
]


def add_all(client: TestClient) -> list[dict[str, Any]]:
    created = []
    for product in PRODUCTS:
        response = client.post("/products", json=product)
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def test_writes_are_queued_and_searchable_once_the_worker_delivered_them(
    client: TestClient, worker: scrypath.Worker
) -> None:
    add_all(client)
    assert client.get("/health").json()["pending_jobs"] == len(PRODUCTS)
    report = worker.drain()
    assert report.outcomes.get("completed", 0) >= 1
    assert sorted(names(client.get("/products/search", params={"q": "lamp"}))) == [
        "linen floor lamp",
        "oak desk lamp",
    ]


def test_search_filters_sorts_pages_and_counts_facets(
    client: TestClient, worker: scrypath.Worker
) -> None:
    add_all(client)
    worker.drain()
    cheap_first = client.get("/products/search", params={"sort": "price", "per_page": 2})
    body = cheap_first.json()
    assert [item["price"] for item in body["items"]] == [15.0, 29.5]
    assert body["page"] == {"number": 1, "size": 2, "total_hits": 4, "total_pages": 2}
    assert body["facets"]["category"] == {"lighting": 2, "kitchen": 1, "garden": 1}
    assert body["facets"]["brand"]["Fjord"] == 2
    in_stock = client.get(
        "/products/search", params={"in_stock": "true", "max_price": 100, "sort": "-price"}
    )
    assert names(in_stock) == ["oak desk lamp", "garden light"]
    lighting = client.get("/products/search", params={"category": "lighting", "min_price": 100})
    assert names(lighting) == ["linen floor lamp"]


def test_a_shop_sees_only_its_own_products(client: TestClient, worker: scrypath.Worker) -> None:
    add_all(client)
    worker.drain()
    assert sorted(names(client.get("/shops/north/products/search"))) == [
        "oak desk lamp",
        "steel kettle",
    ]
    assert names(client.get("/shops/south/products/search", params={"q": "kettle"})) == []


def test_results_are_built_from_the_rows_as_the_database_holds_them(
    client: TestClient, worker: scrypath.Worker
) -> None:
    lamp = add_all(client)[0]
    worker.drain()
    client.put(f"/products/{lamp['id']}/stock", json={"stock": 0})
    # The index still says in stock until the worker runs; the response shows the row.
    (item,) = client.get("/products/search", params={"q": "oak"}).json()["items"]
    assert item["stock"] == 0 and item["in_stock"] is False
    worker.drain()
    assert names(client.get("/products/search", params={"q": "oak", "in_stock": "true"})) == []


def test_an_archived_product_leaves_the_index(client: TestClient, worker: scrypath.Worker) -> None:
    kettle = add_all(client)[1]
    worker.drain()
    assert client.delete(f"/products/{kettle['id']}").json() == {
        "id": kettle["id"],
        "archived": True,
    }
    worker.drain()
    assert names(client.get("/products/search", params={"q": "kettle"})) == []
    assert client.delete("/products/999999").status_code == 404


def test_health_reports_sync_lag_and_failed_work(
    client: TestClient, worker: scrypath.Worker
) -> None:
    add_all(client)
    waiting = client.get("/health").json()
    assert waiting["status"] == "ok" and waiting["pending_jobs"] == len(PRODUCTS)
    assert waiting["sync_lag_seconds"] >= 0
    worker.drain()
    drained = client.get("/health").json()
    assert drained["pending_jobs"] == 0 and drained["failed_jobs"] == 0
    assert drained["index_documents"] == len(PRODUCTS)
    assert drained["sync_lag_seconds"] == 0


def test_bad_requests_are_refused_before_reaching_scrypath(client: TestClient) -> None:
    assert client.get("/products/search", params={"per_page": 0}).status_code == 422
    assert client.get("/products/search", params={"sort": "rating"}).status_code == 422
    assert client.post("/products", json={"shop": "north"}).status_code == 422


def test_search_before_the_index_exists_answers_503_with_the_reason(client: TestClient) -> None:
    response = client.get("/products/search", params={"q": "lamp"})
    assert response.status_code == 503
    assert response.json()["reason"] == "index_not_found"
