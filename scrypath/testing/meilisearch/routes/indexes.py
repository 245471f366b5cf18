"""`/indexes` and `/indexes/{uid}`: list, create, read, update, delete, stats."""

from __future__ import annotations

from typing import Any

from ..auth import invalid_key
from ..errors import MeiliError
from ..index_operations import IndexChange
from ..indexes import Index, index_stats, index_view, render_stats
from ..names import index_uid_problem
from ..params import boolean, check_known, last, uint
from ..routing import App, Reply, Request
from ..sizes import StatsFormat
from ..wire import backticked, invalid_value, missing_field, require_object, type_error
from ..wire import unknown_field as _unknown_field
from .common import enqueue, existing_index, index_uid, json_body

_CREATE_FIELDS = ("uid", "primaryKey")
_UPDATE_FIELDS = ("primaryKey", "uid")
_IMMUTABLE = {"createdAt": "immutable_index_created_at", "updatedAt": "immutable_index_updated_at"}


def list_indexes(req: Request, app: App) -> Reply:
    check_known(req.query, ("offset", "limit"))
    offset = uint(req.query, "offset", "invalid_index_offset", 0)
    limit = uint(req.query, "limit", "invalid_index_limit", 20)
    with app.scheduler.lock:
        every = sorted(app.scheduler.state.indexes.values(), key=lambda index: index.uid)
        indexes = [index for index in every if req.access.authorizes(index.uid)]
        page = [index_view(index) for index in indexes[offset : offset + limit]]
    return Reply(200, {"results": page, "offset": offset, "limit": limit, "total": len(indexes)})


def create_index(req: Request, app: App) -> Reply:
    body = require_object("bad_request", json_body(req))
    values: dict[str, Any] = {}
    for key, value in body.items():
        if key not in _CREATE_FIELDS:
            raise _unknown_field("bad_request", key, _CREATE_FIELDS)
        values[key] = _uid(value) if key == "uid" else _primary_key(value)
    if "uid" not in values:
        raise missing_field("missing_index_uid", "uid")
    uid, primary_key = values["uid"], values.get("primaryKey")
    if not req.access.may_create(uid):
        raise invalid_key()
    change = IndexChange(primary_key=primary_key)
    return enqueue(app, req, "indexCreation", uid, {"primaryKey": primary_key}, change)


def _uid(value: Any) -> str:
    if not isinstance(value, str):
        raise type_error("invalid_index_uid", ".uid", value, "string")
    problem = index_uid_problem(value)
    if problem:
        raise invalid_value("invalid_index_uid", ".uid", problem)
    return value


def _primary_key(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise type_error("invalid_index_primary_key", ".primaryKey", value, "string")
    return value


def get_index(req: Request, app: App) -> Reply:
    return Reply(200, index_view(existing_index(app, index_uid(req))))


def update_index(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    body = require_object("bad_request", json_body(req))
    for key in body:
        if key in _IMMUTABLE:
            raise MeiliError(
                _IMMUTABLE[key],
                f"Immutable field `{key}`: expected one of {backticked(_UPDATE_FIELDS)}",
            )
        if key not in _UPDATE_FIELDS:
            raise _unknown_field("bad_request", key, _UPDATE_FIELDS)
    primary_key = _primary_key(body.get("primaryKey"))
    new_uid = _new_uid(body.get("uid"))
    details: dict[str, Any] = {"primaryKey": primary_key}
    if new_uid is not None:
        details.update(oldIndexUid=uid, newIndexUid=new_uid)
    change = IndexChange(primary_key=primary_key, new_uid=new_uid)
    return enqueue(app, req, "indexUpdate", uid, details, change)


def _new_uid(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise type_error("invalid_index_uid", ".uid", value, "string")
    problem = index_uid_problem(value)
    if problem:
        raise MeiliError("invalid_index_uid", problem)
    return value


def delete_index(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    return enqueue(app, req, "indexDeletion", uid, {"deletedDocuments": None})


def get_stats(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    options = stats_options(req)
    return Reply(200, render_stats(live_stats(app, existing_index(app, uid)), options))


def live_stats(app: App, index: Index) -> dict[str, Any]:
    """An index's raw stats, read from its store first, then `isIndexing` from the task table.

    Reading the store waits for a write in progress, which then has ended: `isIndexing` is
    read afterwards so that it never contradicts the documents counted.
    """
    with index.store.lock:
        stats = index_stats(index, is_indexing=False)
    with app.scheduler.lock:
        stats["isIndexing"] = app.scheduler.state.is_indexing(index.uid)
    return stats


def stats_options(req: Request) -> StatsFormat:
    """The stats routes' `showInternalDatabaseSizes` and `sizeFormat`, checked."""
    check_known(req.query, ("showInternalDatabaseSizes", "sizeFormat"))
    internal = boolean(
        req.query, "showInternalDatabaseSizes", "invalid_stats_show_internal_database_sizes"
    )
    size_format = last(req.query, "sizeFormat")
    if size_format not in (None, "raw", "human"):
        raise MeiliError(
            "invalid_stats_size_format",
            f"Unknown value `{size_format}` for parameter `sizeFormat`: expected one of "
            "`human`, `raw`",
        )
    return StatsFormat(internal_sizes=bool(internal), human=size_format == "human")
