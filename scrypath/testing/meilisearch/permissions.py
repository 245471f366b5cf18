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

# `tasks.compact` stands outside `tasks.*`: only `*` or the action itself grants it.
_OUTSIDE_FAMILY = frozenset({"tasks.compact"})

# `family.*` grants the family's concrete actions, the ones listed after its prefix.
_FAMILIES: dict[str, tuple[str, ...]] = {
    wildcard: tuple(
        action
        for action in ACTIONS
        if action.startswith(wildcard[:-1]) and action != wildcard and action not in _OUTSIDE_FAMILY
    )
    for wildcard in ACTIONS
    if wildcard.endswith(".*")
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

# Families that make no sense on some indexes only: a key listing one of their actions
# must cover `*`. `tasks.compact` acts on the whole task queue, so it is one too.
_GLOBAL_FAMILIES = frozenset(
    {
        "metrics",
        "dumps",
        "snapshots",
        "version",
        "keys",
        "experimental",
        "export",
        "network",
        "chats",
        "chatsSettings",
        "webhooks",
        "dynamicSearchRules",
    }
)
GLOBAL_ONLY: frozenset[str] = frozenset(
    action for action in ACTIONS if action.partition(".")[0] in _GLOBAL_FAMILIES
) | {"tasks.compact"}


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
