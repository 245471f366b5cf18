"""The official Meilisearch client for a configuration, built once and reused.

Building a client is cheap but not free, and every sync would otherwise pay for it. Clients
are cached per thread because the official client mutates its shared request headers on
every call, so one instance must never serve two threads at once.
"""

from __future__ import annotations

import threading
from typing import Any

import meilisearch

from scrypath.config import Config, resolve

_CACHE_SIZE = 8
_local = threading.local()
# The client's `timeout` is annotated int, but it is handed to requests, which takes seconds
# as a float; keeping the float keeps sub-second timeouts.
_new_client: Any = meilisearch.Client


def get_client(**overrides: Any) -> meilisearch.Client:
    """The official `meilisearch.Client` for the resolved configuration (cached)."""
    return client_for(resolve(**overrides))


def client_for(config: Config) -> meilisearch.Client:
    """The cached client for `config`'s URL, API key and HTTP timeout."""
    key = (config.require_url(), config.meilisearch_api_key, config.http_timeout)
    cache: dict[tuple[str, str | None, float], meilisearch.Client] | None = getattr(
        _local, "clients", None
    )
    if cache is None:
        cache = _local.clients = {}
    client = cache.get(key)
    if client is None:
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        client = cache[key] = _new_client(key[0], key[1], timeout=key[2])
    return client

