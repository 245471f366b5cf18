"""`POST /indexes/{uid}/fields`: the index's fields, filtered and paged."""

from __future__ import annotations

import re
from typing import Any

from ..fields import FILTER_FLAGS, describe_field, field_names, keep
from ..routing import App, Reply, Request
from ..wire import child, reject_unknown, require_object, type_error
from .common import existing_index, index_uid, json_body

_BODY_FIELDS = ("offset", "limit", "filter")
_FILTER_FIELDS = ("attributePatterns", *FILTER_FLAGS)
_FILTER_CODE = "invalid_index_fields_filter"


def list_fields(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    body = require_object("bad_request", json_body(req))
    reject_unknown("bad_request", body, _BODY_FIELDS)
    offset = _count(body, "offset", "invalid_index_offset", 0)
    limit = _count(body, "limit", "invalid_index_limit", 20)
    wanted = _filter(body.get("filter"))
    index = existing_index(app, uid)
    with index.store.lock:
        names = field_names(index.store)
    entries = [describe_field(name, index.settings) for name in names]
    selected = [entry for entry in entries if keep(entry, wanted)]
    page = selected[offset : offset + limit]
    return Reply(200, {"results": page, "offset": offset, "limit": limit, "total": len(selected)})


def _count(body: dict[str, Any], name: str, code: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise type_error(code, f".{name}", value, "integer")
    return value


def _filter(value: Any) -> dict[str, Any]:
    """The `filter` object, each criterion checked with its own error code."""
    if value is None:
        return {}
    obj = require_object(_FILTER_CODE, value, ".filter")
    reject_unknown(_FILTER_CODE, obj, _FILTER_FIELDS, ".filter")
    for name, item in obj.items():
        path = child(".filter", name)
        code = f"{_FILTER_CODE}_{_snake(name)}"
        if name == "attributePatterns":
            _patterns(item, path, code)
        elif item is not None and not isinstance(item, bool):
            raise type_error(code, path, item, "boolean")
    return obj


def _patterns(value: Any, path: str, code: str) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        raise type_error(code, path, value, "array")
    for i, pattern in enumerate(value):
        if not isinstance(pattern, str):
            raise type_error(code, child(path, i), pattern, "string")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
