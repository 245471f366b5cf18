"""The engine's entry points: `search` and `facet_search` (and `multi_search`).

They take the store, the complete settings and the request body, validate every
parameter with Meilisearch's codes, and return the response body. They hold the
store's lock while they read it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from itertools import islice
from typing import Any

from ..errors import MeiliError
from .config import Config, config_from
from .facets import distribution, facet_fields, search_values
from .formatting import Formatting, crop_lengths, make_hit
from .gc_pause import paused
from .params import FACET_SEARCH_PARAMS, SEARCH_PARAMS, refuse_vectors, validate
from .pipeline import Run, ranking_stage, run_query
from .rules import matching_rule, patterns_where
from .store import DocumentStore
from .timing import Stopwatch

DEFAULT_LIMIT = 20


def elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def search(
    store: DocumentStore,
    settings: Mapping[str, Any],
    params: Any,
    *,
    index_uid: str,
    eager: bool = False,
) -> dict[str, Any]:
    """`POST /indexes/{index_uid}/search`: the full search response.

    `eager` ranks every candidate up front instead of lazily (same results, slower): the
    reference that tests compare the lazy ranking against.
    """
    started = time.perf_counter()
    given = validate(params, SEARCH_PARAMS)
    refuse_vectors(given)
    config = config_from(settings)
    with store.lock, paused(len(store)):
        store.ensure(config)
        body = search_checked(store, config, given, index_uid, eager=eager)
    body["processingTimeMs"] = elapsed_ms(started)
    return body


def search_checked(
    store: DocumentStore,
    config: Config,
    given: dict[str, Any],
    index_uid: str,
    *,
    eager: bool = False,
) -> dict[str, Any]:
    """A search whose parameters are already type-checked. The store lock must be held."""
    watch = Stopwatch("search")
    run = run_query(store, config, given, index_uid, eager=eager, watch=watch)
    facets = facet_fields(given["facets"], store, config) if "facets" in given else None
    offset, limit, info = paginate(given, run.total, config.max_total_hits)
    with watch.stage(ranking_stage(run.matched.query.placeholder)):
        docs = list(islice(run.ordered, offset, offset + limit))
    with watch.stage("format"):
        spec = formatting(store, config, given, run)
        hits = [render_hit(store, spec, given, run, doc) for doc in docs]
    body: dict[str, Any] = {
        "hits": hits,
        "query": given.get("q") or "",
        "processingTimeMs": 0,
        **info,
    }
    if facets is not None:
        with watch.stage("facet distribution"):
            dist, stats = distribution(facets, store, run.kept, config)
        body["facetDistribution"] = dist
        body["facetStats"] = stats
    if given.get("showPerformanceDetails"):
        body["performanceDetails"] = watch.details()
    return body


def paginate(
    given: Mapping[str, Any], total: int, max_total_hits: int
) -> tuple[int, int, dict[str, int]]:
    """The window to show and the pagination members of the response."""
    hits = min(total, max_total_hits)
    if "page" in given or "hitsPerPage" in given:
        per_page = given.get("hitsPerPage", DEFAULT_LIMIT)
        page = given.get("page", 1)
        offset, limit = (0, 0) if page == 0 else ((page - 1) * per_page, per_page)
        pages = -(-hits // per_page) if per_page else 0
        info = {"hitsPerPage": per_page, "page": page, "totalPages": pages, "totalHits": hits}
    else:
        offset, limit = given.get("offset", 0), given.get("limit", DEFAULT_LIMIT)
        info = {"limit": limit, "offset": min(offset, max_total_hits), "estimatedTotalHits": hits}
    offset = min(offset, max_total_hits)
    return offset, min(limit, max_total_hits - offset), info


def formatting(
    store: DocumentStore, config: Config, given: Mapping[str, Any], run: Run
) -> Formatting:
    """How the hits of one query are presented."""
    return Formatting(
        displayed=config.displayed,
        retrieve=tuple(given.get("attributesToRetrieve", ("*",))),
        highlight=tuple(given["attributesToHighlight"])
        if "attributesToHighlight" in given
        else None,
        crop=crop_lengths(given.get("attributesToCrop"), given.get("cropLength", 10)),
        crop_marker=given.get("cropMarker", "…"),
        pre_tag=given.get("highlightPreTag", "<em>"),
        post_tag=given.get("highlightPostTag", "</em>"),
        matches_position=bool(given.get("showMatchesPosition")),
        tokenizer=store.tokenizer,
        matches=run.matched.highlights,
        vectors=bool(given.get("retrieveVectors")),
    )


def render_hit(
    store: DocumentStore, spec: Formatting, given: Mapping[str, Any], run: Run, doc: int
) -> dict[str, Any]:
    hit = make_hit(store.document(doc), spec)
    if given.get("showRankingScore"):
        hit["_rankingScore"] = run.ranker.score(doc)
    if given.get("showRankingScoreDetails"):
        hit["_rankingScoreDetails"] = run.ranker.details(doc)
    return hit


def facet_search(
    store: DocumentStore, settings: Mapping[str, Any], params: Any, *, index_uid: str
) -> dict[str, Any]:
    """`POST /indexes/{index_uid}/facet-search`: facet values matching `facetQuery`."""
    started = time.perf_counter()
    given = validate(params, FACET_SEARCH_PARAMS)
    if "facetName" not in given:
        raise MeiliError("missing_facet_search_facet_name", "Missing field `facetName`")
    refuse_vectors(given)
    config = config_from(settings)
    if not config.facet_search:
        raise MeiliError("facet_search_disabled", "The facet search is disabled for this index")
    with store.lock, paused(len(store)):
        store.ensure(config)
        run = run_query(store, config, given, index_uid)
        check_facet_searchable(given["facetName"], config)
        hits = search_values(given["facetName"], given.get("facetQuery"), store, run.kept, config)
    return {
        "facetHits": hits,
        "facetQuery": given.get("facetQuery"),
        "processingTimeMs": elapsed_ms(started),
    }


def check_facet_searchable(field: str, config: Config) -> None:
    found = matching_rule(field, config.filter_rules)
    if found is not None and found[1].facet_search:
        return
    if found is not None:
        index = found[0]
        detail = (
            f"Note: this attribute matches rule #{index} in filterableAttributes, but this rule "
            f"does not enable facetSearch.\nHint: enable facetSearch in rule #{index} by adding "
            f'`"facetSearch": true` to the rule.\nHint: prepend another rule matching {field} '
            f"with facetSearch: true before rule #{index}"
        )
    else:
        patterns = patterns_where(config.filter_rules, lambda rule: rule.facet_search)
        listed = (
            f"Available facet-searchable attributes patterns are: `{', '.join(patterns)}`."
            if patterns
            else "This index does not have configured facet-searchable attributes."
        )
        detail = (
            f"{listed} To make it facet-searchable add it to the `filterableAttributes` "
            "index settings."
        )
    raise MeiliError(
        "invalid_facet_search_facet_name", f"Attribute `{field}` is not facet-searchable. {detail}"
    )
