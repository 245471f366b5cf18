"""Reading documents: one by id, or a page (`GET /documents`, `POST /documents/fetch`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from ..browse import parse_sort, select_fields, sort_documents, with_vectors
from ..errors import MeiliError
from ..indexes import Index
from ..names import document_id_problem, document_id_text
from ..params import boolean, check_known, comma_list, last, uint
from ..routing import App, Reply, Request
from ..wire import child, reject_unknown, require_object, type_error
from .common import existing_index, index_uid, json_body
from .documents import check_filter_syntax, is_empty_filter

_BROWSE_FIELDS = (
    "offset",
    "limit",
    "fields",
    "retrieveVectors",
    "ids",
    "filter",
    "sort",
    "useNetwork",
)


@dataclass(frozen=True, slots=True)
class Browse:
    offset: int = 0
    limit: int = 20
    fields: list[str] | None = None
    ids: list[str] | None = None
    filter: Any = None
    sort: list[str] | None = None
    retrieve_vectors: bool = False


def get_document(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    check_known(req.query, ("fields", "retrieveVectors", "useNetwork"))
    vectors = boolean(req.query, "retrieveVectors", "invalid_document_retrieve_vectors")
    boolean(req.query, "useNetwork", "invalid_document_use_network")
    fields = comma_list(req.query, "fields")
    doc_id = req.params["document_id"]
    document = existing_index(app, uid).store.get(doc_id)
    if document is None:
        raise MeiliError("document_not_found", f"Document `{doc_id}` not found.")
    return Reply(200, with_vectors(select_fields(document, fields), retrieve=bool(vectors)))


def get_documents(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    query = req.query
    check_known(query, _BROWSE_FIELDS)
    vectors = boolean(query, "retrieveVectors", "invalid_document_retrieve_vectors")
    boolean(query, "useNetwork", "invalid_document_use_network")
    browse = Browse(
        retrieve_vectors=bool(vectors),
        offset=uint(query, "offset", "invalid_document_offset", 0),
        limit=uint(query, "limit", "invalid_document_limit", 20),
        fields=comma_list(query, "fields"),
        ids=_checked_ids(comma_list(query, "ids")),
        filter=_query_filter(last(query, "filter")),
        sort=comma_list(query, "sort"),
    )
    return _page(app, uid, browse)


def fetch_documents(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    body = require_object("bad_request", json_body(req))
    reject_unknown("bad_request", body, _BROWSE_FIELDS)
    _optional_flag(body, "retrieveVectors", "invalid_document_retrieve_vectors")
    _optional_flag(body, "useNetwork", "invalid_document_use_network")
    browse = Browse(
        retrieve_vectors=body.get("retrieveVectors") is True,
        offset=_count(body, "offset", "invalid_document_offset", 0),
        limit=_count(body, "limit", "invalid_document_limit", 20),
        fields=_strings(body, "fields", "invalid_document_fields"),
        ids=_checked_ids(_id_values(body)),
        filter=body.get("filter"),
        sort=_strings(body, "sort", "invalid_document_sort"),
    )
    return _page(app, uid, browse)


def _count(body: dict[str, Any], name: str, code: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise type_error(code, f".{name}", value, "integer")
    return value


def _optional_flag(body: dict[str, Any], name: str, code: str) -> None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise type_error(code, f".{name}", value, "boolean")


def _strings(body: dict[str, Any], name: str, code: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise type_error(code, f".{name}", value, "array")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise type_error(code, child(f".{name}", i), item, "string")
    return value


def _id_values(body: dict[str, Any]) -> list[Any] | None:
    value = body.get("ids")
    if value is not None and not isinstance(value, list):
        raise type_error("invalid_document_ids", ".ids", value, "array")
    return value


def _checked_ids(values: list[Any] | None) -> list[str] | None:
    if values is None:
        return None
    for i, value in enumerate(values):
        problem = document_id_problem(value)
        if problem:
            raise MeiliError("invalid_document_ids", f"In `.ids[{i}]`: {problem}")
    return [document_id_text(value) for value in values]


def _query_filter(text: str | None) -> Any:
    """A filter from the query string: a JSON array when it parses as one, else the text."""
    if text is None:
        return None
    try:
        decoded = json.loads(text)
    except ValueError:
        return text
    return decoded if isinstance(decoded, list) else text


def _page(app: App, uid: str, browse: Browse) -> Reply:
    if browse.filter is not None:
        check_filter_syntax(app, browse.filter)
        if is_empty_filter(browse.filter):
            browse = replace(browse, filter=None)
    index = existing_index(app, uid)
    with index.store.lock:
        total, documents = _select(index, browse)
    results = [
        with_vectors(select_fields(doc, browse.fields), retrieve=browse.retrieve_vectors)
        for doc in documents
    ]
    body = {"results": results, "offset": browse.offset, "limit": browse.limit, "total": total}
    return Reply(200, body)


def _select(index: Index, browse: Browse) -> tuple[int, list[dict[str, Any]]]:
    end = browse.offset + browse.limit
    keys = parse_sort(browse.sort or [], index.settings["sortableAttributes"])
    if browse.ids is None and browse.filter is None and not keys:
        return len(index.store), list(islice(iter(index.store), browse.offset, end))
    if browse.ids is not None and browse.filter is None and not keys:
        # looked up by id, as the engine does, rather than by a scan of every document
        found = [index.store.get(doc_id) for doc_id in dict.fromkeys(browse.ids)]
        documents = [doc for doc in found if doc is not None]
        return len(documents), documents[browse.offset : end]
    wanted = _wanted_ids(index, browse)
    primary_key = index.primary_key or ""
    documents = [
        doc
        for doc in index.store
        if wanted is None or document_id_text(doc.get(primary_key)) in wanted
    ]
    documents = sort_documents(documents, keys) if keys else documents
    return len(documents), documents[browse.offset : end]


def _wanted_ids(index: Index, browse: Browse) -> set[str] | None:
    wanted = None if browse.ids is None else set(browse.ids)
    if browse.filter is not None:
        matching = set(
            index.store.matching(
                browse.filter, index.settings, error_code="invalid_document_filter"
            )
        )
        wanted = matching if wanted is None else wanted & matching
    return wanted
