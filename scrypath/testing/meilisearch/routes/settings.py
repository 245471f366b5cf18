"""`/indexes/{uid}/settings` and one sub-route per settings family.

Payloads are checked before the task is enqueued (a bad value is a synchronous 400), the
task applies them; `PATCH`/`PUT` create a missing index, `DELETE` does not.
"""

from __future__ import annotations

from typing import Any

from .. import settings as settings_mod
from ..index_operations import SettingsChange
from ..routing import App, Handler, Reply, Request
from ..settings import Family
from .common import enqueue, existing_index, index_uid, json_body


def get_all(req: Request, app: App) -> Reply:
    return Reply(200, existing_index(app, index_uid(req)).settings)


def update_all(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    update = settings_mod.parse_update(json_body(req))
    return _enqueue(req, app, uid, update, settings_mod.details(update))


def reset_all(req: Request, app: App) -> Reply:
    uid = index_uid(req)
    update = settings_mod.reset_update()
    details = settings_mod.reset_all_details()
    return _enqueue(req, app, uid, update, details, is_deletion=True)


def _enqueue(
    req: Request,
    app: App,
    uid: str,
    update: dict[str, Any],
    details: dict[str, Any],
    *,
    is_deletion: bool = False,
) -> Reply:
    change = SettingsChange(update, is_deletion=is_deletion)
    return enqueue(app, req, "settingsUpdate", uid, details, change)


def family_handlers(family: Family) -> tuple[Handler, Handler, Handler]:
    """The GET, update (PUT or PATCH) and DELETE handlers of one family's sub-route."""

    def get(req: Request, app: App) -> Reply:
        return Reply(200, existing_index(app, index_uid(req)).settings[family.key])

    def update(req: Request, app: App) -> Reply:
        uid = index_uid(req)
        change = settings_mod.parse_family(family, json_body(req))
        return _enqueue(req, app, uid, change, settings_mod.details(change))

    def delete(req: Request, app: App) -> Reply:
        uid = index_uid(req)
        change = settings_mod.reset_update((family.key,))
        return _enqueue(req, app, uid, change, settings_mod.details(change), is_deletion=True)

    return get, update, delete
