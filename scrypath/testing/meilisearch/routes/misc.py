"""Instance-wide routes: health, version, global stats, index swaps."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..auth import invalid_key
from ..errors import MeiliError
from ..index_operations import Swap
from ..indexes import render_stats
from ..names import index_uid_problem
from ..routing import App, Reply, Request
from ..sizes import render_size
from ..timefmt import rfc3339
from ..wire import (
    backticked,
    child,
    invalid_value,
    missing_field,
    reject_unknown,
    require_object,
    type_error,
)
from .common import enqueue, json_body
from .indexes import live_stats, stats_options

VERSION = "1.53.0"
COMMIT_MARK = "scrypath-fake"
"""`/version` reports this as its commit, so a fake behind a URL never passes for a real server."""


def root(req: Request, app: App) -> Reply:
    return Reply(200, {"status": "Meilisearch is running"})


def health(req: Request, app: App) -> Reply:
    return Reply(200, {"status": "available"})


def version(req: Request, app: App) -> Reply:
    return Reply(200, {"commitSha": COMMIT_MARK, "commitDate": "unknown", "pkgVersion": VERSION})


def stats(req: Request, app: App) -> Reply:
    options = stats_options(req)
    with app.scheduler.lock:
        indexes = sorted(app.scheduler.state.indexes.values(), key=lambda index: index.uid)
    per_index = {index.uid: live_stats(app, index) for index in indexes}
    size = sum(entry["indexSize"] for entry in per_index.values())
    shown = [index for index in indexes if req.access.authorizes(index.uid)]
    last = max((index.updated_at for index in shown), default=None)
    return Reply(
        200,
        {
            "databaseSize": render_size(size, human=options.human),
            "usedDatabaseSize": render_size(size, human=options.human),
            "lastUpdate": None if last is None else rfc3339(last),
            "indexes": {index.uid: render_stats(per_index[index.uid], options) for index in shown},
        },
    )


def swap_indexes(req: Request, app: App) -> Reply:
    body = json_body(req)
    if not isinstance(body, list):
        raise type_error("bad_request", "", body, "array")
    swaps = tuple(_swap(item, f"[{i}]") for i, item in enumerate(body))
    for swap in swaps:
        if len(swap.indexes) != 2:
            listed = ", ".join(f'"{uid}"' for uid in swap.indexes)
            raise MeiliError(
                "invalid_swap_indexes",
                f"Two indexes must be given for each swap. The list `[{listed}]` contains "
                f"{len(swap.indexes)} indexes.",
            )
        if not all(req.access.authorizes(uid) for uid in swap.indexes):
            raise invalid_key()
    _refuse_duplicates(swaps)
    details = {"swaps": [{"indexes": list(s.indexes), "rename": s.rename} for s in swaps]}
    return enqueue(app, req, "indexSwap", None, details, swaps)


def _swap(item: Any, path: str) -> Swap:
    obj = require_object("bad_request", item, path)
    reject_unknown("bad_request", obj, ("indexes", "rename"), path)
    if "indexes" not in obj:
        raise missing_field("missing_swap_indexes", "indexes", path)
    indexes = obj["indexes"]
    code = "invalid_swap_indexes"
    if not isinstance(indexes, list):
        raise type_error(code, child(path, "indexes"), indexes, "array")
    for i, uid in enumerate(indexes):
        where = child(child(path, "indexes"), i)
        if not isinstance(uid, str):
            raise type_error(code, where, uid, "string")
        problem = index_uid_problem(uid)
        if problem:
            raise invalid_value(code, where, problem)
    rename = obj.get("rename", False)
    if not isinstance(rename, bool):
        raise type_error("invalid_swap_rename", child(path, "rename"), rename, "boolean")
    return Swap(tuple(indexes), rename)


def _refuse_duplicates(swaps: tuple[Swap, ...]) -> None:
    counts = Counter(uid for swap in swaps for uid in swap.indexes)
    duplicates = [uid for uid, count in counts.items() if count > 1]
    if len(duplicates) == 1:
        message = f"`{duplicates[0]}` was specified several times."
    elif duplicates:
        message = f"{backticked(duplicates)} were specified several times."
    else:
        return
    raise MeiliError(
        "invalid_swap_duplicate_index_found",
        f"Indexes must be declared only once during a swap. {message}",
    )
