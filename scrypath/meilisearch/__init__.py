"""Meilisearch-native power: what only makes sense for this backend lives here.

`scrypath.search` stays backend-neutral; settings wire formats and the settings contract
(resolve, read, diff, hot-apply), raw search, task waits, tenant tokens and the underlying
client belong to this namespace.
"""

from __future__ import annotations

from scrypath.meilisearch.client import get_client
from scrypath.meilisearch.raw import search
from scrypath.meilisearch.settings_contract import (
    HOT_APPLY_FAMILIES,
    HotApplyResult,
    SettingsDelta,
    compare_settings,
    diff_settings,
    hot_apply_settings,
    read_settings,
    resolve_settings,
)
from scrypath.meilisearch.settings_wire import to_wire_key, wire_settings
from scrypath.meilisearch.tasks import TaskRef, task_ref, wait_for_task
from scrypath.meilisearch.tenant_tokens import TenantKey, tenant_token

__all__ = [
    "HOT_APPLY_FAMILIES",
    "HotApplyResult",
    "SettingsDelta",
    "TaskRef",
    "TenantKey",
    "compare_settings",
    "diff_settings",
    "get_client",
    "hot_apply_settings",
    "read_settings",
    "resolve_settings",
    "search",
    "task_ref",
    "tenant_token",
    "to_wire_key",
    "wait_for_task",
    "wire_settings",
]
