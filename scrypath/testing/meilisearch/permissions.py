"""What an API key may do: Meilisearch's action vocabulary and index uid patterns.

A key lists actions, some of them wildcards (`*`, `*.get`, `documents.*`, ...), and index
patterns: `*`, an exact uid, or a uid prefix ending in `*` (`products_*`). Routes ask for
one concrete action; a key grants it when one of its actions expands to it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .names import index_uid_problem

ACTIONS: tuple[str, ...] = (
    "*",
    "search",
    "documents.*",
    "documents.add",
    "documents.get",
    "documents.delete",
    "indexes.*",
    "indexes.create",
    "indexes.get",
    "indexes.update",
    "indexes.delete",
    "indexes.swap",
    "tasks.*",
    "tasks.cancel",
    "tasks.delete",
    "tasks.get",
    "settings.*",
    "settings.get",
    "settings.update",
    "stats.*",
    "stats.get",
    "metrics.*",
    "metrics.get",
    "dumps.*",
    "dumps.create",
    "snapshots.*",
    "snapshots.create",
    "version",
    "keys.create",
    "keys.get",
    "keys.update",
    "keys.delete",
    "experimental.get",
    "experimental.update",
    "export",
    "network.get",
    "network.update",
    "chatCompletions",
    "chats.*",
    "chats.get",
    "chats.delete",
    "chatsSettings.*",
    "chatsSettings.get",
    "chatsSettings.update",
    "*.get",
    "webhooks.get",
    "webhooks.update",
    "webhooks.delete",
    "webhooks.create",
    "webhooks.*",
    "indexes.compact",
    "fields.post",
    "tasks.compact",
    "dynamicSearchRules.get",
    "dynamicSearchRules.create",
    "dynamicSearchRules.update",
    "dynamicSearchRules.delete",
    "dynamicSearchRules.*",
)
"""Every action a key may list, in Meilisearch's order (its error messages list them so)."""

_FAMILIES: dict[str, tuple[str, ...]] = {
    "documents.*": ("documents.add", "documents.get", "documents.delete"),
    "indexes.*": (
        "indexes.create",
        "indexes.get",
        "indexes.update",
        "indexes.delete",
        "indexes.swap",
        "indexes.compact",
    ),
    "tasks.*": ("tasks.get", "tasks.delete", "tasks.cancel"),
    "settings.*": ("settings.get", "settings.update"),
    "stats.*": ("stats.get",),
    "metrics.*": ("metrics.get",),
    "dumps.*": ("dumps.create",),
    "snapshots.*": ("snapshots.create",),
    "chats.*": ("chats.get", "chats.delete"),
    "chatsSettings.*": ("chatsSettings.get", "chatsSettings.update"),
    "webhooks.*": ("webhooks.get", "webhooks.update", "webhooks.delete", "webhooks.create"),
    "dynamicSearchRules.*": (
        "dynamicSearchRules.get",
        "dynamicSearchRules.create",
        "dynamicSearchRules.update",
        "dynamicSearchRules.delete",
    ),
}

# `*` grants every action but `*.get` itself, wildcards included (a route guarded by
# `documents.*` is open to `*` keys only, as in Meilisearch).
_EVERYTHING: frozenset[str] = frozenset(ACTIONS) - {"*.get"}

# `*.get` grants the reads; `keys.get` is left out of it on purpose (it would reveal keys).
READS: frozenset[str] = frozenset(
    {
        "search",
        "documents.get",
        "export",
        "indexes.get",
        "tasks.get",
        "settings.get",
        "stats.get",
        "metrics.get",
        "version",
        "experimental.get",
        "network.get",
        "chats.get",
        "chatsSettings.get",
        "webhooks.get",
        "fields.post",
        "dynamicSearchRules.get",
    }
)

# Actions that make no sense on some indexes only: a key listing one must cover `*`.
GLOBAL_ONLY: frozenset[str] = frozenset(
    {
        "metrics.*",
        "metrics.get",
        "dumps.*",
        "dumps.create",
        "snapshots.*",
        "snapshots.create",
        "version",
        "keys.create",
        "keys.get",
        "keys.update",
        "keys.delete",
        "experimental.get",
        "experimental.update",
        "export",
        "network.get",
        "network.update",
        "chats.*",
        "chats.get",
        "chats.delete",
        "chatsSettings.*",
        "chatsSettings.get",
        "chatsSettings.update",
        "webhooks.get",
        "webhooks.update",
        "webhooks.delete",
        "webhooks.create",
        "webhooks.*",
        "tasks.compact",
        "dynamicSearchRules.get",
        "dynamicSearchRules.create",
        "dynamicSearchRules.update",
        "dynamicSearchRules.delete",
        "dynamicSearchRules.*",
    }
)


def expand_actions(actions: Iterable[str]) -> frozenset[str]:
    """The concrete actions a list of actions grants."""
    granted: set[str] = set()
    for action in actions:
        if action == "*":
            granted |= _EVERYTHING
        elif action == "*.get":
            granted |= READS
        else:
            granted.update(_FAMILIES.get(action, (action,)))
    return frozenset(granted)


def index_pattern_problem(pattern: str) -> str | None:
    """The complaint about an index uid pattern, or None when it is valid."""
    prefix = pattern[:-1] if pattern.endswith("*") else pattern
    if prefix == "" and pattern == "*":
        return None
    if index_uid_problem(prefix) is None:
        return None
    return (
        f"`{prefix}` is not a valid index uid pattern. Index uid patterns can be an integer or "
        "a string containing only alphanumeric characters, hyphens (-), underscores (_), and "
        "optionally end with a star (*)."
    )


def pattern_matches(pattern: str, index: str) -> bool:
    """`*` matches every index, `prefix*` the indexes starting so, anything else itself."""
    if pattern.endswith("*"):
        return index.startswith(pattern[:-1])
    return pattern == index


def pattern_specificity(pattern: str) -> tuple[bool, int]:
    """How narrow a pattern is: exact ones first, then the longest (the rule Meilisearch keeps)."""
    return (not pattern.endswith("*"), len(pattern))
