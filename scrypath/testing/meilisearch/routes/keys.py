"""`/keys`: list, read, create, rename and delete API keys (answered at once, no task)."""

from __future__ import annotations

from ..key_payloads import parse_create, parse_patch
from ..params import check_known, uint
from ..routing import App, Reply, Request
from ..timefmt import now_ns
from .common import json_body


def list_keys(req: Request, app: App) -> Reply:
    check_known(req.query, ("offset", "limit"))
    offset = uint(req.query, "offset", "invalid_api_key_offset", 0)
    limit = uint(req.query, "limit", "invalid_api_key_limit", 20)
    keys = app.keys.listed()
    page = [key.view(_master(app)) for key in keys[offset : offset + limit]]
    return Reply(200, {"results": page, "offset": offset, "limit": limit, "total": len(keys)})


def get_key(req: Request, app: App) -> Reply:
    return Reply(200, app.keys.find(req.params["key"]).view(_master(app)))


def create_key(req: Request, app: App) -> Reply:
    key = parse_create(json_body(req), now_ns())
    return Reply(201, app.keys.add(key).view(_master(app)))


def update_key(req: Request, app: App) -> Reply:
    changes = parse_patch(json_body(req))
    uid = app.keys.find(req.params["key"]).uid
    return Reply(200, app.keys.update(uid, changes).view(_master(app)))


def delete_key(req: Request, app: App) -> Reply:
    app.keys.delete(app.keys.find(req.params["key"]).uid)
    return Reply(204)


def _master(app: App) -> str:
    # Authentication lets `/keys` routes through only on an instance with a master key.
    master_key = app.keys.master_key
    if master_key is None:
        raise AssertionError("the /keys routes need a master key")
    return master_key
