"""The one route table of the fake: every Meilisearch route, served or explicitly refused.

Routes with a `None` handler exist in Meilisearch but not in the fake; they answer 501
`not_implemented` (after authentication) instead of pretending to work.
"""

from __future__ import annotations

from ..routing import Route
from ..settings import FAMILIES
from . import browse, documents, indexes, misc, search, settings, tasks

_INDEX = "/indexes/{index_uid}"
_DOCS = _INDEX + "/documents"


def _settings_routes() -> tuple[Route, ...]:
    routes = [
        Route("GET", _INDEX + "/settings", settings.get_all),
        Route("PATCH", _INDEX + "/settings", settings.update_all),
        Route("DELETE", _INDEX + "/settings", settings.reset_all),
    ]
    for family in FAMILIES:
        get, update, delete = settings.family_handlers(family)
        path = f"{_INDEX}/settings/{family.slug}"
        routes += [
            Route("GET", path, get),
            Route(family.verb, path, update),
            Route("DELETE", path, delete),
        ]
    for slug, verb in (("chat", "PATCH"), ("foreign-keys", "PUT")):
        path = f"{_INDEX}/settings/{slug}"
        routes += [Route("GET", path, None), Route(verb, path, None), Route("DELETE", path, None)]
    return tuple(routes)


_SERVED = (
    Route("GET", "/", misc.root, public=True),
    Route("GET", "/health", misc.health, public=True),
    Route("GET", "/version", misc.version),
    Route("GET", "/stats", misc.stats),
    Route("POST", "/swap-indexes", misc.swap_indexes),
    Route("GET", "/indexes", indexes.list_indexes),
    Route("POST", "/indexes", indexes.create_index),
    Route("GET", _INDEX, indexes.get_index),
    Route("PATCH", _INDEX, indexes.update_index),
    Route("DELETE", _INDEX, indexes.delete_index),
    Route("GET", _INDEX + "/stats", indexes.get_stats),
    Route("GET", _DOCS, browse.get_documents),
    Route("POST", _DOCS, documents.add_or_replace),
    Route("PUT", _DOCS, documents.add_or_update),
    Route("DELETE", _DOCS, documents.clear),
    Route("POST", _DOCS + "/fetch", browse.fetch_documents),
    Route("POST", _DOCS + "/delete-batch", documents.delete_batch),
    Route("POST", _DOCS + "/delete", documents.delete_by_filter),
    Route("GET", _DOCS + "/{document_id}", browse.get_document),
    Route("DELETE", _DOCS + "/{document_id}", documents.delete_one),
    Route("GET", _INDEX + "/search", search.search_get),
    Route("POST", _INDEX + "/search", search.search_post),
    Route("POST", _INDEX + "/facet-search", search.facet_search),
    Route("POST", "/multi-search", search.multi_search),
    Route("GET", "/tasks", tasks.list_tasks),
    Route("DELETE", "/tasks", tasks.delete_tasks),
    Route("POST", "/tasks/cancel", tasks.cancel_tasks),
    Route("GET", "/tasks/{task_id}", tasks.get_task),
)

_REFUSED = (
    ("POST", _DOCS + "/edit"),
    ("GET", _INDEX + "/similar"),
    ("POST", _INDEX + "/similar"),
    ("POST", _INDEX + "/fields"),
    ("POST", _INDEX + "/compact"),
    ("POST", "/tasks/compact"),
    ("GET", "/tasks/stream"),
    ("GET", "/tasks/{task_id}/documents"),
    ("GET", "/batches"),
    ("GET", "/batches/stream"),
    ("GET", "/batches/{batch_id}"),
    ("GET", "/keys"),
    ("POST", "/keys"),
    ("GET", "/keys/{key}"),
    ("PATCH", "/keys/{key}"),
    ("DELETE", "/keys/{key}"),
    ("POST", "/dumps"),
    ("POST", "/snapshots"),
    ("POST", "/export"),
    ("GET", "/experimental-features"),
    ("PATCH", "/experimental-features"),
    ("GET", "/metrics"),
    ("POST", "/logs/stderr"),
    ("POST", "/logs/stream"),
    ("DELETE", "/logs/stream"),
    ("GET", "/network"),
    ("PATCH", "/network"),
    ("POST", "/network/control"),
    ("POST", "/render-template"),
    ("GET", "/webhooks"),
    ("POST", "/webhooks"),
    ("GET", "/webhooks/{uuid}"),
    ("PATCH", "/webhooks/{uuid}"),
    ("DELETE", "/webhooks/{uuid}"),
    ("GET", "/chats"),
    ("GET", "/chats/{workspace_uid}"),
    ("DELETE", "/chats/{workspace_uid}"),
    ("POST", "/chats/{workspace_uid}/chat/completions"),
    ("GET", "/chats/{workspace_uid}/settings"),
    ("PATCH", "/chats/{workspace_uid}/settings"),
    ("DELETE", "/chats/{workspace_uid}/settings"),
    ("POST", "/dynamic-search-rules"),
    ("DELETE", "/dynamic-search-rules"),
    ("GET", "/dynamic-search-rules/{uid}"),
    ("PATCH", "/dynamic-search-rules/{uid}"),
    ("DELETE", "/dynamic-search-rules/{uid}"),
)

ROUTES: tuple[Route, ...] = (
    *_SERVED,
    *_settings_routes(),
    *(Route(method, pattern, None) for method, pattern in _REFUSED),
)
