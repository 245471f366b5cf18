"""`POST /multi-search`: several queries, either side by side or federated.

Without `federation`, each query gets its own result (with `indexUid`). With it,
hits of every query merge into one list ordered by ranking score times the query's
`federationOptions.weight`, each hit telling where it came from in `_federation`;
pagination and facets move to the `federation` object. A failing query fails the
whole request, its message prefixed with `Inside \\`.queries[i]\\``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from typing import Any

from ..errors import MeiliError
from .config import Config, config_from
from .engine import elapsed_ms, paginate, search_checked
from .federated_facets import facets_by_index
from .federated_merge import QuerySpec, Source, federated_hit, merge_entries
from .gc_pause import paused
from .params import (
    SEARCH_PARAMS,
    Param,
    check_fields,
    check_object,
    check_value,
    dump,
    refuse_vectors,
    type_error,
    validate,
)
from .pipeline import run_query
from .store import DocumentStore
from .timing import Stopwatch

Resolve = Callable[[str], tuple[DocumentStore, Mapping[str, Any]]]
_INDEX_UID = re.compile(r"^[A-Za-z0-9_-]{1,512}$")
_PAGINATION = ("offset", "limit", "page", "hitsPerPage")
_UNCAPPED = 2**62
FEDERATION_PARAMS: dict[str, Param] = {
    "limit": SEARCH_PARAMS["limit"],
    "offset": SEARCH_PARAMS["offset"],
    "page": SEARCH_PARAMS["page"],
    "hitsPerPage": SEARCH_PARAMS["hitsPerPage"],
    "facetsByIndex": Param("invalid_multi_search_facets_by_index", "any"),
    "mergeFacets": Param("invalid_multi_search_merge_facets", "any"),
    "distinct": SEARCH_PARAMS["distinct"],
    "showPerformanceDetails": SEARCH_PARAMS["showPerformanceDetails"],
    "personalize": SEARCH_PARAMS["personalize"],
}


def inside(position: int, error: MeiliError) -> MeiliError:
    return MeiliError(error.code, f"Inside `.queries[{position}]`: {error.message}")


def multi_search(body: Any, resolve: Resolve) -> dict[str, Any]:
    """Run every query of `body`; `resolve(uid)` gives an index's store and settings."""
    started = time.perf_counter()
    obj = check_object(body, "")
    check_fields(obj, ["queries", "federation"], "")
    if "queries" not in obj:
        raise MeiliError("bad_request", "Missing field `queries`")
    if not isinstance(obj["queries"], list):
        raise type_error("bad_request", ".queries", "an array", obj["queries"])
    specs = [parse_query(raw, i) for i, raw in enumerate(obj["queries"])]
    federation = obj.get("federation")
    if federation is None:
        return {"results": [_plain(spec, resolve) for spec in specs]}
    fed = validate(federation, FEDERATION_PARAMS, ".federation")
    refuse_vectors(fed)
    return _federated(specs, fed, resolve, started)


def parse_query(raw: Any, position: int) -> QuerySpec:
    where = f".queries[{position}]"
    given = validate(raw, SEARCH_PARAMS, where, extra=("indexUid", "federationOptions"))
    refuse_vectors(given)
    if "indexUid" not in raw:
        raise MeiliError("missing_index_uid", f"Missing field `indexUid` inside `{where}`")
    uid = raw["indexUid"]
    if not isinstance(uid, str):
        raise type_error("invalid_index_uid", f"{where}.indexUid", "a string", uid)
    if not _INDEX_UID.match(uid):
        raise MeiliError(
            "invalid_index_uid",
            f"Invalid value at `{where}.indexUid`: `{uid}` is not a valid index uid. Index uid "
            "can be an integer or a string containing only alphanumeric characters, hyphens (-) "
            "and underscores (_), and can not be more than 512 bytes.",
        )
    return QuerySpec(position, uid, given, raw, _weight(raw.get("federationOptions"), where))


def _weight(options: Any, where: str) -> float | None:
    if options is None:
        return None
    at = f"{where}.federationOptions"
    obj = check_object(options, at, "invalid_multi_search_federation_options")
    check_fields(obj, ["weight", "remote", "queryPosition"], at)
    if obj.get("remote") is not None:
        raise MeiliError(
            "invalid_multi_search_remote",
            "The fake Meilisearch has no network: `remote` cannot be used.",
        )
    if obj.get("queryPosition") is not None:
        check_value(
            obj["queryPosition"],
            Param("invalid_multi_search_query_position", "uint"),
            f"{at}.queryPosition",
        )
    weight = obj.get("weight")
    if weight is None:
        return 1.0
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        raise type_error("invalid_multi_search_weight", f"{at}.weight", "a number", weight)
    if weight < 0:
        raise MeiliError(
            "invalid_multi_search_weight",
            f"Invalid value at `{at}.weight`: the value of `weight` is invalid, expected a "
            "positive float (>= 0.0).",
        )
    return float(weight)


def _resolve(spec: QuerySpec, resolve: Resolve) -> tuple[DocumentStore, Config]:
    try:
        store, settings = resolve(spec.index_uid)
    except MeiliError as error:
        raise inside(spec.position, error) from None
    return store, config_from(settings)


def _plain(spec: QuerySpec, resolve: Resolve) -> dict[str, Any]:
    if spec.weight is not None:
        raise MeiliError(
            "invalid_multi_search_federation_options",
            f"Inside `.queries[{spec.position}]`: Using `federationOptions` is not allowed in a "
            "non-federated search.\n - Hint: remove `federationOptions` from the query or add "
            "`federation` to the request.",
        )
    started = time.perf_counter()
    store, config = _resolve(spec, resolve)
    try:
        with store.lock, paused(len(store)):
            store.ensure(config)
            body = search_checked(store, config, spec.given, spec.index_uid)
    except MeiliError as error:
        raise inside(spec.position, error) from None
    body["processingTimeMs"] = elapsed_ms(started)
    return {"indexUid": spec.index_uid, **body}


def _check_federated(spec: QuerySpec, fed: Mapping[str, Any]) -> None:
    """Options a federated query must leave to the `federation` object."""
    refused = _refused_option(spec, fed)
    if refused is not None:
        raise inside(spec.position, refused)


def _refused_option(spec: QuerySpec, fed: Mapping[str, Any]) -> MeiliError | None:
    for key in _PAGINATION:
        if spec.raw.get(key) is not None:
            return MeiliError(
                "invalid_multi_search_query_pagination",
                "Using pagination options is not allowed in federated queries.\n - Hint: "
                f"remove `{key}` from the query or remove `federation` from the request\n"
                " - Hint: pass `federation.limit` and `federation.offset` for pagination in "
                "federated search",
            )
    if "facets" in spec.given:
        facets = dump(spec.given["facets"])
        return MeiliError(
            "invalid_multi_search_query_facets",
            "Using facet options is not allowed in federated queries.\n - Hint: remove "
            "`facets` from the query or remove `federation` from the request\n - Hint: pass "
            f"`federation.facetsByIndex.{spec.index_uid}: {facets}` for facets in federated "
            "search",
        )
    if "distinct" in spec.given and "distinct" in fed:
        return MeiliError(
            "invalid_multi_search_distinct",
            "Using `distinct` options is not allowed in federated queries when it also appears "
            "in `.federation.distinct`.\n - Hint: remove `distinct` from the query or remove "
            "`federation` from the request\n  - Note: `distinct` at the query level is "
            "discouraged in federated search.",
        )
    return None


def _run(spec: QuerySpec, fed: Mapping[str, Any], resolve: Resolve, watch: Stopwatch) -> Source:
    _check_federated(spec, fed)
    store, config = _resolve(spec, resolve)
    given = dict(spec.given)
    if "distinct" in fed:
        given["distinct"] = fed["distinct"]
    try:
        with store.lock, paused(len(store)), watch.stage(f"queries[{spec.position}]"):
            store.ensure(config)
            run = run_query(store, config, given, spec.index_uid)
    except MeiliError as error:
        raise inside(spec.position, error) from None
    return Source(spec, store, config, run)


def _total(sources: list[Source]) -> int:
    seen: set[tuple[str, int]] = set()
    for source in sources:
        seen.update((source.spec.index_uid, doc) for doc in source.run.kept)
    return len(seen)


def _federated(
    specs: list[QuerySpec], fed: dict[str, Any], resolve: Resolve, started: float
) -> dict[str, Any]:
    watch = Stopwatch("federated search")
    sources = [_run(spec, fed, resolve, watch) for spec in specs]
    total = _total(sources)
    offset, limit, info = paginate(fed, total, _UNCAPPED)
    with watch.stage("merge"):
        if "distinct" in fed:
            merged = merge_entries(sources, total, fed["distinct"])
            offset, limit, info = paginate(fed, len(merged), _UNCAPPED)
        else:
            merged = merge_entries(sources, offset + limit, None)
    with watch.stage("format"):
        hits = [federated_hit(entry) for entry in merged[offset : offset + limit]]
    body: dict[str, Any] = {"hits": hits, "processingTimeMs": 0, **info}
    with watch.stage("facet distribution") if "facetsByIndex" in fed else nullcontext():
        body.update(facets_by_index(fed, sources, resolve))
    if fed.get("showPerformanceDetails"):
        body["performanceDetails"] = watch.details()
    body["processingTimeMs"] = elapsed_ms(started)
    return body
