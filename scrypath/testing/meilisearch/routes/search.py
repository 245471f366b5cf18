"""Search routes: thin handlers over the search engine package.

The engine validates every parameter and builds the response; these handlers only find
the index (404 `index_not_found`) and AND in the filter a tenant token forces. The engine
then holds the index's store lock, not the state lock, so a search never delays task polls
or the task worker's bookkeeping.
"""

from __future__ import annotations

from typing import Any

from ..access import restrict_queries, restrict_search
from ..routing import App, Reply, Request
from ..seam import Store, engine_module
from .common import existing_index, index_uid, json_body


def search_post(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    params = restrict_search(req.access, uid, json_body(req))
    return _run(app, uid, "search", params)


def search_get(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    params = engine_module().params_from_query_string(req.query)
    return _run(app, uid, "search", restrict_search(req.access, uid, params))


def facet_search(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    params = restrict_search(req.access, uid, json_body(req))
    return _run(app, uid, "facet_search", params)


def _run(app: App, uid: str, function: str, params: Any) -> Reply:
    engine = engine_module()
    index = existing_index(app, uid)
    result = getattr(engine, function)(index.store, index.settings, params, index_uid=uid)
    return Reply(200, result)


def multi_search(req: Request, app: App) -> Reply:
    body = restrict_queries(req.access, json_body(req))
    engine = engine_module()

    def resolve(uid: str) -> tuple[Store, dict[str, Any]]:
        index = existing_index(app, uid)
        return index.store, index.settings

    return Reply(200, engine.multi_search(body, resolve))
