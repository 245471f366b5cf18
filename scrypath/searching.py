"""Search a model's index, with every option checked against its declaration first.

A search is built in stages: options are validated (no request is made for an invalid
one), compiled into Meilisearch parameters, sent, and the hits are loaded back from the
database through one SELECT.

Filters live in one array whose elements Meilisearch ANDs: the user's `filter`, then one
element per `facet_filter` entry, then the tenant clause. `tenant_scope=` pins
`tenant_field = value` as its own element; a `filter` or `facet_filter` that names the
tenant field at all is refused, so no filter can widen or replace the scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from scrypath.config import Config, resolve
from scrypath.declaration import SearchSpec, spec_for
from scrypath.errors import SearchOptionError, TenantScopeError
from scrypath.filters import compile_filter, validate_facets, validate_sort
from scrypath.hydration import check_load_options, check_session, hydrate
from scrypath.meilisearch.raw import post
from scrypath.projection import short_repr, surrogate_at
from scrypath.results import DocumentId, Facet, FacetBucket, FacetStats, Page, SearchResult
from scrypath.telemetry import search_call, span

__all__ = [
    "MAX_PER_PAGE",
    "Query",
    "SearchResult",
    "build_query",
    "search",
    "search_facet_values",
    "search_within_facet",
]

MAX_PER_PAGE = 1000
"""The largest `per_page` a search accepts; more hits than this belong to a bulk export."""


@dataclass(frozen=True, slots=True)
class Query:
    """A validated search for one model, as Meilisearch parameters (without pagination)."""

    spec: SearchSpec
    params: dict[str, Any]
    facets: tuple[str, ...] = ()


def search(
    model: type[Any],
    text: str = "",
    *,
    filter: Mapping[str, Any] | None = None,
    sort: str | Sequence[str] | None = None,
    page: int = 1,
    per_page: int = 20,
    facets: str | Sequence[str] | None = None,
    facet_filter: Mapping[str, Any] | None = None,
    tenant_scope: Any = None,
    session: Session | None = None,
    load_options: Sequence[ORMOption] = (),
    **overrides: Any,
) -> SearchResult:
    """Search `model`'s index and load the hits back as records, in hit order."""
    spec = spec_for(model)
    with search_call("scrypath.search", "search", model=spec.model_name) as call:
        query = build_query(spec, text, filter, sort, facets, facet_filter, tenant_scope)
        params = {**query.params, **pagination(page, per_page)}
        options = check_load_options(spec.model, load_options)
        check_session(session)
        config = resolve(**overrides)
        index = spec.index_name(config.index_prefix)
        call.set(index=index)
        raw = post(config, f"indexes/{index}/search", params, **_context(spec, index))
        hits = tuple(raw.get("hits", ()))
        records, missing = load_records(spec, hits, config, session, options)
        call.set(hit_count=len(hits), hydrated=records is not None)
    return SearchResult(
        model=spec.model,
        index=index,
        hits=hits,
        page=page_of(raw, page, per_page),
        records=records,
        missing_ids=missing,
        facets=parse_facets(query.facets, raw.get("facetDistribution"), raw.get("facetStats")),
        raw=raw,
    )


def search_within_facet(
    model: type[Any],
    facet: str,
    value: Any,
    text: str = "",
    *,
    filter: Mapping[str, Any] | None = None,
    sort: str | Sequence[str] | None = None,
    page: int = 1,
    per_page: int = 20,
    facets: str | Sequence[str] | None = None,
    tenant_scope: Any = None,
    session: Session | None = None,
    load_options: Sequence[ORMOption] = (),
    **overrides: Any,
) -> SearchResult:
    """A search restricted to documents whose `facet` holds `value`."""
    _require_facet(spec_for(model), facet)
    if value is None or isinstance(value, Mapping | list | tuple | Set):
        _option_fail("value", f"expected one facet value, got {short_repr(value)}", value)
    return search(
        model,
        text,
        filter=filter,
        sort=sort,
        page=page,
        per_page=per_page,
        facets=facets,
        facet_filter={facet: value},
        tenant_scope=tenant_scope,
        session=session,
        load_options=load_options,
        **overrides,
    )


def search_facet_values(
    model: type[Any],
    facet: str,
    query: str = "",
    *,
    filter: Mapping[str, Any] | None = None,
    text: str = "",
    tenant_scope: Any = None,
    **overrides: Any,
) -> list[FacetBucket]:
    """Values of `facet` that match `query`, counted among documents matching `text`."""
    spec = spec_for(model)
    with search_call("scrypath.search", "facet_search", model=spec.model_name) as call:
        _require_facet(spec, facet)
        _require_text(query, "query")
        built = build_query(spec, text, filter, None, None, None, tenant_scope)
        body = {"facetName": facet, "facetQuery": query, **built.params}
        config = resolve(**overrides)
        index = spec.index_name(config.index_prefix)
        call.set(index=index)
        raw = post(config, f"indexes/{index}/facet-search", body, **_context(spec, index))
        call.set(hit_count=len(raw.get("facetHits", ())), hydrated=False)
    return [FacetBucket(hit["value"], hit["count"]) for hit in raw.get("facetHits", ())]


def build_query(
    spec: SearchSpec,
    text: object,
    filter: object,
    sort: object,
    facets: object,
    facet_filter: object,
    tenant_scope: object,
) -> Query:
    """Validate every option against the declaration and compile them into parameters."""
    params: dict[str, Any] = {"q": _require_text(text, "text")}
    clauses = filter_clauses(spec, filter, facet_filter, tenant_scope)
    if clauses:
        params["filter"] = clauses
    sort_rules = validate_sort(spec, sort)
    if sort_rules:
        params["sort"] = sort_rules
    facet_names = validate_facets(spec, facets)
    if facet_names:
        params["facets"] = facet_names
    return Query(spec, params, tuple(facet_names))


def filter_clauses(
    spec: SearchSpec, filter: object, facet_filter: object, tenant_scope: object
) -> list[str]:
    """The filter array: the user's filter, facet selections, then the tenant clause."""
    if tenant_scope is not None:
        _refuse_tenant_mentions(spec, filter, "filter")
        _refuse_tenant_mentions(spec, facet_filter, "facet_filter")
    clauses = [compile_filter(spec, filter)]
    clauses += _facet_clauses(spec, facet_filter)
    if tenant_scope is not None:
        clauses.append(_tenant_clause(spec, tenant_scope))
    return [clause for clause in clauses if clause]


def _facet_clauses(spec: SearchSpec, facet_filter: object) -> list[str | None]:
    if facet_filter is None:
        return []
    if not isinstance(facet_filter, Mapping):
        _option_fail(
            "facet_filter", f"expected {{facet: value(s)}}, got {short_repr(facet_filter)}", None
        )
    for name in facet_filter:
        _require_facet(spec, name, option="facet_filter")
    return [
        compile_filter(spec, {name: value}, option="facet_filter")
        for name, value in facet_filter.items()
    ]


def _tenant_clause(spec: SearchSpec, tenant_scope: object) -> str | None:
    field = spec.tenant_field
    if field is None:
        raise TenantScopeError(
            f"{spec.model_name} declares no tenant_field, so tenant_scope cannot scope it; "
            "declare @searchable(tenant_field=...) or drop tenant_scope",
            model=spec.model_name,
            option="tenant_scope",
        )
    if isinstance(tenant_scope, bool | Mapping | list | tuple | Set | bytes):
        raise TenantScopeError(
            f"tenant_scope must be one tenant value, got {type(tenant_scope).__name__}",
            model=spec.model_name,
            option="tenant_scope",
        )
    return compile_filter(spec, {field: tenant_scope}, option="tenant_scope")


def _refuse_tenant_mentions(spec: SearchSpec, expression: object, option: str) -> None:
    field = spec.tenant_field
    if field is not None and _mentions(expression, field):
        raise TenantScopeError(
            f"{option} names the tenant field {field!r} while tenant_scope is set; the scope "
            "cannot be widened or replaced, so leave the tenant field out of it",
            model=spec.model_name,
            option=option,
            field=field,
        )


def _mentions(expression: object, field: str) -> bool:
    """Whether a filter mapping names `field` (or a path under it) anywhere."""
    if isinstance(expression, Mapping):
        for key, value in expression.items():
            if key in ("and", "or", "not"):
                if _mentions(value, field):
                    return True
            elif isinstance(key, str) and (key == field or key.startswith(f"{field}.")):
                return True
    elif isinstance(expression, list | tuple):
        return any(_mentions(item, field) for item in expression)
    return False


def pagination(page: object, per_page: object) -> dict[str, int]:
    """Meilisearch's `page`/`hitsPerPage`, which make totals exact."""
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        _option_fail("page", f"expected a whole number >= 1, got {short_repr(page)}", page)
    if isinstance(per_page, bool) or not isinstance(per_page, int) or per_page < 1:
        _option_fail(
            "per_page", f"expected a whole number >= 1, got {short_repr(per_page)}", per_page
        )
    if per_page > MAX_PER_PAGE:
        _option_fail(
            "per_page",
            f"{short_repr(per_page)} is above the maximum of {MAX_PER_PAGE} per page",
            per_page,
        )
    return {"page": page, "hitsPerPage": per_page}


def page_of(raw: Mapping[str, Any], page: int, per_page: int) -> Page:
    """The page members of a search (or federated search) answer."""
    return Page(
        number=int(raw.get("page", page)),
        size=int(raw.get("hitsPerPage", per_page)),
        total_hits=int(raw.get("totalHits", 0)),
        total_pages=int(raw.get("totalPages", 0)),
    )


def parse_facets(requested: Sequence[str], distribution: object, stats: object) -> dict[str, Facet]:
    """Requested facets in request order, each with its buckets and numeric range."""
    values = distribution if isinstance(distribution, Mapping) else {}
    ranges = stats if isinstance(stats, Mapping) else {}
    facets: dict[str, Facet] = {}
    for name in requested:
        counts = values.get(name) or {}
        buckets = tuple(FacetBucket(str(value), int(count)) for value, count in counts.items())
        bounds = ranges.get(name)
        facet_stats = FacetStats(bounds["min"], bounds["max"]) if bounds else None
        facets[name] = Facet(name, buckets, facet_stats)
    return facets


def load_records(
    spec: SearchSpec,
    hits: Sequence[Mapping[str, Any]],
    config: Config,
    session: Session | None,
    options: Sequence[ORMOption],
) -> tuple[tuple[Any, ...] | None, tuple[DocumentId, ...]]:
    """Hydrate hits with the given session, else a configured factory's; else load nothing.

    A session from the factory is closed afterwards, so the records come back detached:
    pass `load_options` for the relationships the caller will read.
    """
    ids = [hit.get(spec.document_id) for hit in hits]
    factory = config.session_factory
    if session is None and factory is None:
        return None, ()
    with span("scrypath.hydrate", model=spec.model_name, hit_count=len(ids)) as traced:
        if session is not None:
            records, missing = hydrate(session, spec.model, ids, options=options)
        else:
            assert factory is not None
            with factory() as own:
                records, missing = hydrate(own, spec.model, ids, options=options)
        traced.set(missing_count=len(missing))
    return tuple(records), tuple(missing)


def _require_facet(spec: SearchSpec, name: object, *, option: str = "facet") -> None:
    if not isinstance(name, str) or name not in spec.facets:
        listed = ", ".join(spec.facets) or "none are declared; add faceting=..."
        _option_fail(
            option,
            f"{short_repr(name)} is not a facet of {spec.model_name}; facets: {listed}",
            name,
        )


def _require_text(text: object, option: str) -> str:
    if not isinstance(text, str):
        _option_fail(option, f"expected a string, got {type(text).__name__}", None)
    at = surrogate_at(text)
    if at is not None:
        _option_fail(
            option,
            f"holds a lone surrogate (U+{ord(text[at]):04X} at index {at}), which has no UTF-8 "
            "form, so Meilisearch cannot read it",
            None,
        )
    return text


def _option_fail(option: str, message: str, key: object) -> NoReturn:
    raise SearchOptionError(f"{option}: {message}", option=option, key=_plain_key(key))


def _plain_key(key: object) -> object:
    return key if key is None or isinstance(key, str | int | float) else short_repr(key)


def _context(spec: SearchSpec, index: str) -> dict[str, Any]:
    return {"model": spec.model_name, "index": index, "operation": "search"}
