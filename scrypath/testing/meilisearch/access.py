"""What one authenticated request may reach: its key's indexes and its tenant token's rules.

Authentication hands every handler an `Access`. Most handlers never look at it (the route's
action and its path index were checked before they ran); those that name indexes some other
way (index lists, multi-search, swaps, creation) ask it, and searches take the filter a
tenant token forces on them from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import MeiliError
from .permissions import pattern_matches, pattern_specificity


@dataclass(frozen=True, slots=True)
class SearchRules:
    """A tenant token's `searchRules`: index patterns, each with an optional forced filter."""

    filters: Mapping[str, Any]

    def authorizes(self, index: str) -> bool:
        return any(pattern_matches(pattern, index) for pattern in self.filters)

    def listed(self) -> list[str]:
        return sorted(self.filters)

    def covers_every_index(self) -> bool:
        return "*" in self.filters

    def filter_for(self, index: str) -> Any:
        """The filter of the narrowest pattern matching `index` (None: no forced filter)."""
        matching = [pattern for pattern in self.filters if pattern_matches(pattern, index)]
        if not matching:
            return None
        return self.filters[max(matching, key=pattern_specificity)]


@dataclass(frozen=True, slots=True)
class Access:
    """The indexes a request may touch; `None` key indexes means every index."""

    key_indexes: tuple[str, ...] | None = None
    rules: SearchRules | None = None
    may_create_indexes: bool = True

    def authorizes(self, index: str) -> bool:
        """Whether both the key and the tenant token (if any) let the request use `index`."""
        key_ok = self.key_indexes is None or any(
            pattern_matches(pattern, index) for pattern in self.key_indexes
        )
        return key_ok and (self.rules is None or self.rules.authorizes(index))

    def covers_every_index(self) -> bool:
        key_all = self.key_indexes is None or "*" in self.key_indexes
        return key_all and (self.rules is None or self.rules.covers_every_index())

    def may_create(self, index: str) -> bool:
        return self.may_create_indexes and self.authorizes(index)

    def forced_filter(self, index: str) -> Any:
        """The filter a tenant token adds to every search of `index`, or None."""
        return None if self.rules is None else self.rules.filter_for(index)


FULL_ACCESS = Access()
"""The master key's access (and everyone's on an instance without one)."""


def fuse_filters(own: Any, forced: Any) -> Any:
    """AND a searcher's filter with a forced one, as Meilisearch does: one flat array.

    Array filters are concatenated (each element is ANDed; inner arrays stay ORs), so
    nothing the searcher writes can turn the forced filter into an alternative.
    """
    if own is None:
        return forced
    if forced is None:
        return own
    left = own if isinstance(own, list) else [own]
    right = forced if isinstance(forced, list) else [forced]
    return [*left, *right]


def restrict_search(access: Access, index: str, params: Any) -> Any:
    """Search parameters with the token's filter for `index` ANDed in (others left as sent)."""
    forced = access.forced_filter(index)
    if forced is None or not isinstance(params, dict):
        return params
    return {**params, "filter": fuse_filters(params.get("filter"), forced)}


def restrict_queries(access: Access, body: Any) -> Any:
    """A multi-search body with each query checked against `access` and restricted.

    A query on an index the credential may not search fails the whole request, as in
    Meilisearch; malformed bodies pass through untouched for the engine to refuse.
    """
    if not isinstance(body, dict) or not isinstance(body.get("queries"), list):
        return body
    queries = []
    for position, query in enumerate(body["queries"]):
        index = query.get("indexUid") if isinstance(query, dict) else None
        if isinstance(index, str):
            if not access.authorizes(index):
                raise MeiliError(
                    "invalid_api_key",
                    f"Inside `.queries[{position}]`: The provided API key is invalid.",
                )
            query = restrict_search(access, index, query)
        queries.append(query)
    return {**body, "queries": queries}
