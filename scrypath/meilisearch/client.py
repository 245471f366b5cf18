"""The official Meilisearch client for a configuration, built once and reused.

Building a client is cheap but not free, and every sync would otherwise pay for it. Clients
are cached per thread because the official client mutates its shared request headers on
every call, so one instance must never serve two threads at once. `forget_clients()` drops
the clients of every thread at once (each thread notices on its next call).

A client is built only for an API key that can travel as an HTTP header value, checked
again here because a `Config` can be altered after it was validated; the error boundary
also asks which keys are in use, to keep them out of any message.
"""

from __future__ import annotations

import threading
from typing import Any

import meilisearch

from scrypath.config import Config, check_value, resolve

_CACHE_SIZE = 8
_local = threading.local()
# Bumped by `forget_clients()`; a thread whose cache is from an older generation drops it.
_generation = 0
_generation_lock = threading.Lock()
# The client's `timeout` is annotated int, but it is handed to requests, which takes seconds
# as a float; keeping the float keeps sub-second timeouts.
_new_client: Any = meilisearch.Client
_ClientKey = tuple[str, str | None, float]


def get_client(**overrides: Any) -> meilisearch.Client:
    """The official `meilisearch.Client` for the resolved configuration (cached)."""
    return client_for(resolve(**overrides))


def client_for(config: Config) -> meilisearch.Client:
    """The cached client for `config`'s URL, API key and HTTP timeout."""
    key = (config.require_url(), config.meilisearch_api_key, config.http_timeout)
    cache = _cache()
    client = cache.get(key)
    if client is None:
        check_value("meilisearch_api_key", key[1], "the Meilisearch client's API key")
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        client = cache[key] = _new_client(key[0], key[1], timeout=key[2])
    return client


def forget_clients() -> None:
    """Drop the cached clients of every thread; each is rebuilt on its next use."""
    global _generation
    with _generation_lock:
        _generation += 1


def api_keys_in_use() -> frozenset[str]:
    """The API keys of this thread's cached clients: what an error must never show."""
    return frozenset(api_key for _, api_key, _ in _cache() if api_key is not None)


def _cache() -> dict[_ClientKey, meilisearch.Client]:
    cache: dict[_ClientKey, meilisearch.Client] | None = getattr(_local, "clients", None)
    if cache is None or getattr(_local, "generation", None) != _generation:
        cache = _local.clients = {}
        _local.generation = _generation
    return cache
