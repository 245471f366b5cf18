"""Federated search: several models in ONE request, hits merged by weighted relevance.

Each entry is a `SearchEntry` (or a bare model); its options win over the shared ones given
to `search_many`, option by option. Every entry is validated before the request is sent.
Pagination is shared, because the merged list has one order. Facets are computed per index.

Meilisearch fails a whole federated request when one of its queries fails, naming the
query. `search_many` then drops that query, asks again, and reports the error on that
entry (`EntryResult.error`), so one broken index does not blank the others. An error that
names no query, or an error on every entry, is raised.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from scrypath.config import Config, resolve
from scrypath.declaration import spec_for
from scrypath.errors import BackendError, HTTPError, IndexNotFoundError, SearchOptionError
from scrypath.hydration import check_load_options, check_session, load_aligned
from scrypath.meilisearch.raw import post
from scrypath.projection import short_repr
from scrypath.results import DocumentId, EntryResult, FederatedResult
from scrypath.searching import Query, build_query, page_of, pagination, parse_facets
from scrypath.telemetry import search_call, span

_FAILED_QUERY = re.compile(r"Inside `\.queries\[(\d+)\]`:\s*")


@dataclass(frozen=True, slots=True)
class SearchEntry:
    """One model in a federated search; None means "use the shared option"."""

    model: type[Any]
    text: str | None = None
    filter: Mapping[str, Any] | None = None
    sort: str | Sequence[str] | None = None
    facets: str | Sequence[str] | None = None
    facet_filter: Mapping[str, Any] | None = None
    tenant_scope: Any = None
    weight: float | None = None
    load_options: Sequence[ORMOption] | None = None


@dataclass(frozen=True, slots=True)
class _Planned:
    query: Query
    index: str
    weight: float | None
    load_options: Sequence[ORMOption]


def search_many(
    entries: Iterable[SearchEntry | type[Any]],
    *,
    text: str = "",
    filter: Mapping[str, Any] | None = None,
    sort: str | Sequence[str] | None = None,
    facets: str | Sequence[str] | None = None,
    facet_filter: Mapping[str, Any] | None = None,
    tenant_scope: Any = None,
    page: int = 1,
    per_page: int = 20,
    session: Session | None = None,
    load_options: Sequence[ORMOption] = (),
    **overrides: Any,
) -> FederatedResult:
    """Search several models in one federated request and load every hit back."""
    shared = {
        "text": text,
        "filter": filter,
        "sort": sort,
        "facets": facets,
        "facet_filter": facet_filter,
        "tenant_scope": tenant_scope,
        "load_options": load_options,
    }
    with search_call("scrypath.search_many", "search_many") as call:
        config = resolve(**overrides)
        planned = [_plan(_entry(item), shared, config) for item in _entries(entries)]
        if not planned:
            raise SearchOptionError(
                "entries: search_many needs at least one entry", option="entries"
            )
        window = pagination(page, per_page)
        check_session(session)
        call.set(entry_count=len(planned))
        raw, active, errors = _send(config, planned, window)
        hits = tuple(raw.get("hits", ()))
        by_entry = _hits_by_entry(hits, active)
        loaded = _load(planned, by_entry, config, session)
        call.set(hit_count=len(hits), hydrated=loaded is not None)
    results = tuple(
        _entry_result(i, item, by_entry.get(i, []), loaded, raw, errors.get(i))
        for i, item in enumerate(planned)
    )
    return FederatedResult(
        hits=hits,
        records=_merged_records(hits, active, planned, loaded),
        page=page_of(raw, page, per_page),
        entries=results,
        raw=raw,
    )


def _entries(entries: object) -> Iterable[object]:
    if isinstance(entries, str | bytes | Mapping | type) or not isinstance(entries, Iterable):
        raise SearchOptionError(
            f"entries: expected a list of models or SearchEntry, got {type(entries).__name__}",
            option="entries",
            key=type(entries).__name__,
        )
    return entries


def _entry(item: object) -> SearchEntry:
    return item if isinstance(item, SearchEntry) else SearchEntry(cast(type[Any], item))


def _plan(entry: SearchEntry, shared: Mapping[str, Any], config: Config) -> _Planned:
    spec = spec_for(entry.model)

    def pick(name: str) -> Any:
        own = getattr(entry, name)
        return own if own is not None else shared[name]

    query = build_query(
        spec,
        pick("text"),
        pick("filter"),
        pick("sort"),
        pick("facets"),
        pick("facet_filter"),
        pick("tenant_scope"),
    )
    index = spec.index_name(config.index_prefix)
    options = check_load_options(spec.model, pick("load_options"))
    return _Planned(query, index, _weight(entry.weight), options)


def _weight(weight: object) -> float | None:
    if weight is None:
        return None
    shown = short_repr(weight)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
        raise SearchOptionError(
            f"weight: expected a number >= 0, got {shown}", option="weight", key=shown
        )
    if weight > sys.float_info.max or not math.isfinite(weight):
        raise SearchOptionError("weight: expected a finite number", option="weight", key=shown)
    return float(weight)


def _send(
    config: Config, planned: list[_Planned], window: dict[str, int]
) -> tuple[dict[str, Any], list[int], dict[int, BackendError]]:
    """Send the request, dropping each query Meilisearch names as failing, then retrying."""
    active = list(range(len(planned)))
    errors: dict[int, BackendError] = {}
    while active:
        body = _request(planned, active, window)
        try:
            return post(config, "multi-search", body, operation="search_many"), active, errors
        except (HTTPError, IndexNotFoundError) as error:
            failed = _failed_query(error, len(active))
            if failed is None:
                raise
            position = active.pop(failed)
            errors[position] = _entry_error(error, position, planned[position])
    raise errors[min(errors)]


def _request(planned: list[_Planned], active: list[int], window: dict[str, int]) -> dict[str, Any]:
    queries: list[dict[str, Any]] = []
    facets_by_index: dict[str, list[str]] = {}
    for position in active:
        item = planned[position]
        query = {"indexUid": item.index, **item.query.params}
        facet_names = query.pop("facets", [])
        if item.weight is not None:
            query["federationOptions"] = {"weight": item.weight}
        queries.append(query)
        if facet_names:
            known = facets_by_index.setdefault(item.index, [])
            known.extend(name for name in facet_names if name not in known)
    federation: dict[str, Any] = dict(window)
    if facets_by_index:
        federation["facetsByIndex"] = facets_by_index
    return {"queries": queries, "federation": federation}


def _failed_query(error: BackendError, count: int) -> int | None:
    match = _FAILED_QUERY.search(error.message)
    if match is None or int(match[1]) >= count:
        return None
    return int(match[1])


def _entry_error(error: BackendError, position: int, item: _Planned) -> BackendError:
    """The same error, renamed for the entry instead of the query it was in the request."""
    name = item.query.spec.model_name
    message = _FAILED_QUERY.sub(f"search_many entry {position} ({name}): ", error.message, 1)
    context = {**error.context, "model": name, "index": item.index, "entry": position}
    return type(error)(message, **context)


def _hits_by_entry(
    hits: Sequence[Mapping[str, Any]], active: list[int]
) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for hit in hits:
        grouped.setdefault(_owner(hit, active), []).append(dict(hit))
    return grouped


def _owner(hit: Mapping[str, Any], active: list[int]) -> int:
    return active[int(hit["_federation"]["queriesPosition"])]


_Loaded = dict[tuple[int, int], Any]


def _load(
    planned: list[_Planned],
    by_entry: Mapping[int, list[dict[str, Any]]],
    config: Config,
    session: Session | None,
) -> _Loaded | None:
    """(entry, hit number) -> record or None: one SELECT per model, whatever the entries."""
    if session is not None:
        return _load_with(session, planned, by_entry)
    if config.session_factory is None:
        return None
    with config.session_factory() as own:
        return _load_with(own, planned, by_entry)


def _load_with(
    session: Session, planned: list[_Planned], by_entry: Mapping[int, list[dict[str, Any]]]
) -> _Loaded:
    wanted: dict[type[Any], list[tuple[tuple[int, int], Any]]] = {}
    options: dict[type[Any], list[ORMOption]] = {}
    for position, hits in by_entry.items():
        spec = planned[position].query.spec
        slots = wanted.setdefault(spec.model, [])
        slots += [((position, n), hit.get(spec.document_id)) for n, hit in enumerate(hits)]
        known = options.setdefault(spec.model, [])
        known += [opt for opt in planned[position].load_options if all(opt is not k for k in known)]
    loaded: _Loaded = {}
    for model, slots in wanted.items():
        with span("scrypath.hydrate", model=model.__name__, hit_count=len(slots)) as traced:
            records = load_aligned(session, model, [i for _, i in slots], options=options[model])
            traced.set(missing_count=sum(record is None for record in records))
        loaded.update(zip((key for key, _ in slots), records, strict=True))
    return loaded


def _entry_result(
    position: int,
    item: _Planned,
    hits: list[dict[str, Any]],
    loaded: _Loaded | None,
    raw: Mapping[str, Any],
    error: BackendError | None,
) -> EntryResult:
    spec = item.query.spec
    records: tuple[Any, ...] | None = None
    missing: tuple[DocumentId, ...] = ()
    if loaded is not None and error is None:
        found = [loaded.get((position, n)) for n in range(len(hits))]
        records = tuple(record for record in found if record is not None)
        missing = tuple(
            cast(DocumentId, hit.get(spec.document_id))
            for hit, rec in zip(hits, found, strict=True)
            if rec is None
        )
    by_index = {} if error else raw.get("facetsByIndex") or {}
    facets = by_index.get(item.index) or {}
    requested = () if error else item.query.facets
    return EntryResult(
        position=position,
        model=spec.model,
        index=item.index,
        hits=tuple(hits),
        records=records,
        missing_ids=missing,
        facets=parse_facets(requested, facets.get("distribution"), facets.get("stats")),
        error=error,
    )


def _merged_records(
    hits: Sequence[Mapping[str, Any]],
    active: list[int],
    planned: list[_Planned],
    loaded: _Loaded | None,
) -> tuple[Any, ...] | None:
    if loaded is None:
        return None
    counters: dict[int, int] = {}
    merged: list[Any] = []
    for hit in hits:
        owner = _owner(hit, active)
        n = counters[owner] = counters.get(owner, -1) + 1
        record = loaded.get((owner, n))
        if record is not None:
            merged.append(record)
    return tuple(merged)
