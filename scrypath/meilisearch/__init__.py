"""Meilisearch-native power: what only makes sense for this backend lives here.

`scrypath.search` stays backend-neutral; settings wire formats, raw search, task waits and
the underlying client belong to this namespace.
"""

from __future__ import annotations

from scrypath.meilisearch.settings_wire import to_wire_key, wire_settings

__all__ = ["to_wire_key", "wire_settings"]
