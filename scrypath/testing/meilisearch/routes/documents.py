"""Document writes and deletions: each enqueues a task after checking the request."""

from __future__ import annotations

from typing import Any

from ..doc_operations import DocumentDeletion, DocumentWrite
from ..errors import MeiliError
from ..params import Query, boolean, check_known, last, param_error
from ..payloads import document_format, parse_documents
from ..routing import App, Reply, Request
from ..settings import default_settings
from ..wire import compact_json, missing_field, require_object
from ..wire import unknown_field as _unknown_field
from .common import enqueue, index_uid, json_body

_WRITE_PARAMS = ("primaryKey", "csvDelimiter", "customMetadata", "skipCreation")


def add_or_replace(req: Request, app: App) -> Reply:
    return _write(req, app, merge=False)


def add_or_update(req: Request, app: App) -> Reply:
    return _write(req, app, merge=True)


def _write(req: Request, app: App, *, merge: bool) -> Reply:
    uid = index_uid(req)
    check_known(req.query, _WRITE_PARAMS)
    delimiter = _csv_delimiter(req.query)
    skip = boolean(req.query, "skipCreation", "invalid_skip_creation")
    fmt = document_format(req.header("content-type"), delimiter)
    documents = parse_documents(req.body, fmt, delimiter or ",")
    write = DocumentWrite(documents, merge, last(req.query, "primaryKey"), bool(skip))
    details = {"receivedDocuments": len(documents), "indexedDocuments": None}
    return enqueue(app, req, "documentAdditionOrUpdate", uid, details, write)


def _csv_delimiter(query: Query) -> str | None:
    delimiter = last(query, "csvDelimiter")
    if delimiter is None or (len(delimiter) == 1 and delimiter.isascii()):
        return delimiter
    code = "invalid_document_csv_delimiter"
    if len(delimiter) == 1:
        raise MeiliError(code, f"csv delimiter must be an ascii character. Found: `{delimiter}`")
    found = (
        "an empty string"
        if not delimiter
        else f"the following string of {len(delimiter)} characters: `{delimiter}`"
    )
    raise param_error(
        code, "csvDelimiter", f"expected a string of one character, but found {found}"
    )


def delete_one(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    check_known(req.query, ("customMetadata",))
    deletion = DocumentDeletion(ids=(req.params["document_id"],))
    return enqueue(app, req, "documentDeletion", uid, _by_ids_details(1), deletion)


def delete_batch(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    check_known(req.query, ("customMetadata",))
    body = json_body(req)
    if not isinstance(body, list):
        raise MeiliError(
            "bad_request",
            f"Json deserialize error: invalid type: {_serde_kind(body)}, expected a sequence "
            f"at line 1 column {len(req.body)}",
        )
    ids = tuple(value if isinstance(value, str) else compact_json(value) for value in body)
    return enqueue(
        app, req, "documentDeletion", uid, _by_ids_details(len(ids)), DocumentDeletion(ids=ids)
    )


def _by_ids_details(count: int) -> dict[str, Any]:
    return {"providedIds": count, "deletedDocuments": None, "originalFilter": None}


def _serde_kind(value: Any) -> str:
    if isinstance(value, str):
        return f'string "{value}"'
    if isinstance(value, dict):
        return "map"
    if isinstance(value, bool):
        return f"boolean `{compact_json(value)}`"
    if isinstance(value, (int, float)):
        return f"{'integer' if isinstance(value, int) else 'floating point'} `{value}`"
    return "null"


def delete_by_filter(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    check_known(req.query, ("customMetadata",))
    body = require_object("bad_request", json_body(req))
    for key in body:
        if key != "filter":
            raise _unknown_field("bad_request", key, ("filter",))
    if "filter" not in body:
        raise missing_field("missing_document_filter", "filter")
    filter_expr = body["filter"]
    if filter_expr is not None:
        check_filter_syntax(app, filter_expr)
    if is_empty_filter(filter_expr):
        raise MeiliError("invalid_document_filter", "Sending an empty filter is forbidden.")
    details = {
        "providedIds": 0,
        "deletedDocuments": None,
        "originalFilter": compact_json(filter_expr),
    }
    return enqueue(app, req, "documentDeletion", uid, details, DocumentDeletion(filter=filter_expr))


def check_filter_syntax(app: App, filter_expr: Any) -> None:
    """Refuse a filter of the wrong type or syntax before any index is looked at."""
    if not isinstance(filter_expr, (str, list)):
        raise MeiliError(
            "invalid_document_filter",
            "Invalid syntax for the filter parameter: `expected String, Array, found: "
            f"{compact_json(filter_expr)}`.",
        )
    if is_empty_filter(filter_expr):
        return
    settings = default_settings()
    settings["filterableAttributes"] = ["*"]
    probe = app.scheduler.state.new_store("id")
    probe.reconfigure(settings)
    probe.matching(filter_expr, settings, error_code="invalid_document_filter")


def is_empty_filter(filter_expr: Any) -> bool:
    if filter_expr is None:
        return True
    if isinstance(filter_expr, str):
        return not filter_expr.strip()
    if isinstance(filter_expr, list):
        return all(is_empty_filter(part) for part in filter_expr)
    return False


def clear(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    check_known(req.query, ("customMetadata",))
    return enqueue(
        app, req, "documentDeletion", uid, {"deletedDocuments": None}, DocumentDeletion(clear=True)
    )
