"""The one route table of the fake: every Meilisearch route, served or explicitly refused.

Routes with a `None` handler exist in Meilisearch but not in the fake; they answer 501
`not_implemented` (after authentication) instead of pretending to work. Every route but the
public ones names the API key action it requires, as Meilisearch's route guards do.
"""

from __future__ import annotations

from ..routing import Route
from ..settings import FAMILIES
from . import batches, browse, documents, fields, indexes, keys, misc, search, settings, tasks

_INDEX = "/indexes/{index_uid}"
_DOCS = _INDEX + "/documents"
_READ = "settings.get"
_WRITE = "settings.update"


def _settings_routes() -> tuple[Route, ...]:
    routes = [
        Route("GET", _INDEX + "/settings", settings.get_all, action=_READ),
        Route("PATCH", _INDEX + "/settings", settings.update_all, action=_WRITE),
        Route("DELETE", _INDEX + "/settings", settings.reset_all, action=_WRITE),
    ]
    for family in FAMILIES:
        get, update, delete = settings.family_handlers(family)
        path = f"{_INDEX}/settings/{family.slug}"
        routes += [
            Route("GET", path, get, action=_READ),
            Route(family.verb, path, update, action=_WRITE),
            Route("DELETE", path, delete, action=_WRITE),
        ]
    for slug, verb in (("chat", "PATCH"), ("foreign-keys", "PUT")):
        path = f"{_INDEX}/settings/{slug}"
        routes += [
            Route("GET", path, None, action=_READ),
            Route(verb, path, None, action=_WRITE),
            Route("DELETE", path, None, action=_WRITE),
        ]
    return tuple(routes)


_SERVED = (
    Route("GET", "/", misc.root, public=True),
    Route("GET", "/health", misc.health, public=True),
    Route("GET", "/version", misc.version, action="version"),
    Route("GET", "/stats", misc.stats, action="stats.get"),
    Route("POST", "/swap-indexes", misc.swap_indexes, action="indexes.swap"),
    Route("GET", "/indexes", indexes.list_indexes, action="indexes.get"),
    Route("POST", "/indexes", indexes.create_index, action="indexes.create"),
    Route("GET", _INDEX, indexes.get_index, action="indexes.get"),
    Route("PATCH", _INDEX, indexes.update_index, action="indexes.update"),
    Route("DELETE", _INDEX, indexes.delete_index, action="indexes.delete"),
    Route("GET", _INDEX + "/stats", indexes.get_stats, action="stats.get"),
    Route("GET", _DOCS, browse.get_documents, action="documents.get"),
    Route("POST", _DOCS, documents.add_or_replace, action="documents.add"),
    Route("PUT", _DOCS, documents.add_or_update, action="documents.add"),
    Route("DELETE", _DOCS, documents.clear, action="documents.delete"),
    Route("POST", _DOCS + "/fetch", browse.fetch_documents, action="documents.get"),
    Route("POST", _DOCS + "/delete-batch", documents.delete_batch, action="documents.delete"),
    Route("POST", _DOCS + "/delete", documents.delete_by_filter, action="documents.delete"),
    Route("GET", _DOCS + "/{document_id}", browse.get_document, action="documents.get"),
    Route("DELETE", _DOCS + "/{document_id}", documents.delete_one, action="documents.delete"),
    Route("GET", _INDEX + "/search", search.search_get, action="search"),
    Route("POST", _INDEX + "/search", search.search_post, action="search"),
    Route("POST", _INDEX + "/facet-search", search.facet_search, action="search"),
    Route("POST", "/multi-search", search.multi_search, action="search"),
    Route("GET", "/tasks", tasks.list_tasks, action="tasks.get"),
    Route("DELETE", "/tasks", tasks.delete_tasks, action="tasks.delete"),
    Route("POST", "/tasks/cancel", tasks.cancel_tasks, action="tasks.cancel"),
    Route("GET", "/tasks/{task_id}", tasks.get_task, action="tasks.get"),
    Route("GET", "/batches", batches.list_batches, action="tasks.get"),
    Route("GET", "/batches/{batch_id}", batches.get_batch, action="tasks.get"),
    Route("POST", _INDEX + "/fields", fields.list_fields, action="fields.post"),
    Route("GET", "/keys", keys.list_keys, action="keys.get"),
    Route("POST", "/keys", keys.create_key, action="keys.create"),
    Route("GET", "/keys/{key}", keys.get_key, action="keys.get"),
    Route("PATCH", "/keys/{key}", keys.update_key, action="keys.update"),
    Route("DELETE", "/keys/{key}", keys.delete_key, action="keys.delete"),
)

_REFUSED = (
    ("POST", _DOCS + "/edit", "documents.*"),
    ("GET", _INDEX + "/similar", "search"),
    ("POST", _INDEX + "/similar", "search"),
    ("POST", _INDEX + "/compact", "indexes.compact"),
    ("POST", "/tasks/compact", "tasks.compact"),
    ("GET", "/tasks/stream", "tasks.get"),
    ("GET", "/tasks/{task_id}/documents", "tasks.get"),
    ("GET", "/batches/stream", "tasks.get"),
    ("POST", "/dumps", "dumps.create"),
    ("POST", "/snapshots", "snapshots.create"),
    ("POST", "/export", "export"),
    ("GET", "/experimental-features", "experimental.get"),
    ("PATCH", "/experimental-features", "experimental.update"),
    ("GET", "/metrics", "metrics.get"),
    ("POST", "/logs/stderr", "metrics.get"),
    ("POST", "/logs/stream", "metrics.get"),
    ("DELETE", "/logs/stream", "metrics.get"),
    ("GET", "/network", "network.get"),
    ("PATCH", "/network", "network.update"),
    ("POST", "/network/control", "network.update"),
    ("POST", "/render-template", "documents.get"),
    ("GET", "/webhooks", "webhooks.get"),
    ("POST", "/webhooks", "webhooks.create"),
    ("GET", "/webhooks/{uuid}", "webhooks.get"),
    ("PATCH", "/webhooks/{uuid}", "webhooks.update"),
    ("DELETE", "/webhooks/{uuid}", "webhooks.delete"),
    ("GET", "/chats", "chats.get"),
    ("GET", "/chats/{workspace_uid}", "chats.get"),
    ("DELETE", "/chats/{workspace_uid}", "chats.delete"),
    ("POST", "/chats/{workspace_uid}/chat/completions", "chatCompletions"),
    ("GET", "/chats/{workspace_uid}/settings", "chatsSettings.get"),
    ("PATCH", "/chats/{workspace_uid}/settings", "chatsSettings.update"),
    ("DELETE", "/chats/{workspace_uid}/settings", "chatsSettings.update"),
    ("POST", "/dynamic-search-rules", "dynamicSearchRules.get"),
    ("DELETE", "/dynamic-search-rules", "dynamicSearchRules.delete"),
    ("GET", "/dynamic-search-rules/{uid}", "dynamicSearchRules.get"),
    ("PATCH", "/dynamic-search-rules/{uid}", "dynamicSearchRules.update"),
    ("DELETE", "/dynamic-search-rules/{uid}", "dynamicSearchRules.delete"),
)

ROUTES: tuple[Route, ...] = (
    *_SERVED,
    *_settings_routes(),
    *(Route(method, pattern, None, action=action) for method, pattern, action in _REFUSED),
)
