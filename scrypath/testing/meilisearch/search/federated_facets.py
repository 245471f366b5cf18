"""Facets of a federated search: `facetsByIndex`, optionally merged by `mergeFacets`.

Each index's facets count the documents that any of its queries matched. Merged
facets sum the counts across indexes, which must agree on the order of values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from typing import TYPE_CHECKING, Any

from ..errors import MeiliError
from .config import Config, config_from
from .facets import Distribution, Stats, distribution, facet_fields
from .filter_eval import number
from .params import Param, check_fields, check_object, check_value
from .store import DocumentStore
from .tokens import normalize_facet

if TYPE_CHECKING:
    from .federated_merge import Source

Resolve = Callable[[str], tuple[DocumentStore, Mapping[str, Any]]]
Computed = dict[str, tuple[Distribution, Stats, Config]]
_UNLIMITED = 2**31
_PATTERNS = Param("invalid_multi_search_facets_by_index", "strings")


def facets_by_index(
    fed: Mapping[str, Any], sources: list[Source], resolve: Resolve
) -> dict[str, Any]:
    """The facet members of a federated response (none when none were asked for)."""
    raw = fed.get("facetsByIndex")
    if raw is None:
        return {}
    where = ".federation.facetsByIndex"
    asked = check_object(raw, where, "invalid_multi_search_facets_by_index")
    merge = _merge_limit(fed.get("mergeFacets"))
    computed: Computed = {}
    for uid, patterns in asked.items():
        names = [] if patterns is None else check_value(patterns, _PATTERNS, f"{where}.{uid}")
        computed[uid] = _index_facets(uid, names, sources, resolve, merge is not None)
    if merge is None:
        by_index = {uid: {"distribution": d, "stats": s} for uid, (d, s, _) in computed.items()}
        return {"facetsByIndex": by_index}
    dist, stats = _merge(computed, merge)
    return {"facetDistribution": dist, "facetStats": stats}


def _merge_limit(raw: Any) -> int | None:
    """None without `mergeFacets`, else the merged `maxValuesPerFacet` (-1: not given)."""
    if raw is None:
        return None
    where = ".federation.mergeFacets"
    obj = check_object(raw, where, "invalid_multi_search_merge_facets")
    check_fields(obj, ["maxValuesPerFacet"], where)
    value = obj.get("maxValuesPerFacet")
    if value is None:
        return -1
    limit: int = check_value(
        value,
        Param("invalid_multi_search_max_values_per_facet", "uint"),
        f"{where}.maxValuesPerFacet",
    )
    return limit


def _index_facets(
    uid: str, patterns: list[str], sources: list[Source], resolve: Resolve, unlimited: bool
) -> tuple[Distribution, Stats, Config]:
    used = [s for s in sources if s.spec.index_uid == uid]
    try:
        if used:
            store, config = used[0].store, used[0].config
        else:
            store, settings = resolve(uid)
            config = config_from(settings)
        with store.lock:
            store.ensure(config)
            candidates: Set[int] = set().union(*(s.run.kept for s in used))
            fields = facet_fields(patterns, store, config)
            dist, stats = distribution(
                fields, store, candidates, config, _UNLIMITED if unlimited else None
            )
            return dist, stats, config
    except MeiliError as error:
        raise _located(error, uid, used) from None


def _located(error: MeiliError, uid: str, used: list[Source]) -> MeiliError:
    head = f"Inside `.queries[{used[0].spec.position}]`: " if used else ""
    note = "" if used else f"\n - Note: index `{uid}` is not used in queries"
    return MeiliError(
        error.code, f"{head}Inside `.federation.facetsByIndex.{uid}`: {error.message}{note}"
    )


def _merge(computed: Computed, limit: int) -> tuple[Distribution, Stats]:
    merged: Distribution = {}
    stats: Stats = {}
    orders: dict[str, tuple[str, str]] = {}
    for uid, (dist, index_stats, config) in computed.items():
        for facet, values in dist.items():
            _check_order(facet, uid, config.facet_order(facet), orders)
            target = merged.setdefault(facet, {})
            for value, count in values.items():
                target[value] = target.get(value, 0) + count
        for facet, bounds in index_stats.items():
            known = stats.setdefault(facet, dict(bounds))
            known["min"] = min(known["min"], bounds["min"])
            known["max"] = max(known["max"], bounds["max"])
    default = max((c.max_values_per_facet for _, _, c in computed.values()), default=100)
    size = default if limit < 0 else limit
    return {f: _ordered(v, orders[f][1], size) for f, v in sorted(merged.items())}, stats


def _check_order(facet: str, uid: str, order: str, orders: dict[str, tuple[str, str]]) -> None:
    first = orders.setdefault(facet, (uid, order))
    if first[1] == order:
        return
    words = {"alpha": "alphabetically", "count": "by count"}
    raise MeiliError(
        "invalid_multi_search_facet_order",
        f"Inside `.federation.facetsByIndex.{uid}`: Inconsistent order for values in facet "
        f"`{facet}`: index `{first[0]}` orders {words[first[1]]}, but index `{uid}` orders "
        f"{words[order]}.\n - Hint: Remove `federation.mergeFacets` or change "
        "`faceting.sortFacetValuesBy` to be consistent in settings.",
    )


def _ordered(values: dict[str, int], order: str, size: int) -> dict[str, int]:
    def alpha(item: tuple[str, int]) -> tuple[int, float, str]:
        value = number(item[0])
        return (0, value, "") if value is not None else (1, 0.0, normalize_facet(item[0]))

    entries = sorted(values.items(), key=alpha)
    if order == "count":
        entries.sort(key=lambda item: -item[1])
    return dict(entries[:size])
