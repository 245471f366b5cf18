"""`/tasks`: list and read tasks, cancel or delete them by filter."""

from __future__ import annotations

from ..errors import MeiliError
from ..routing import App, Reply, Request
from ..task_query import listing, missing_filters, parse_filter, parse_listing, path_uid, select
from ..tasks import task_view
from .common import enqueue


def list_tasks(req: Request, app: App) -> Reply:
    flt, page = parse_listing(req.query)
    with app.scheduler.lock:
        matching = select(app.scheduler.state.tasks.values(), flt)
        return Reply(200, listing(matching, page, task_view))


def get_task(req: Request, app: App) -> Reply:
    text = req.params["task_id"]
    uid = path_uid(text, "Task", "invalid_task_uids")
    with app.scheduler.lock:
        task = app.scheduler.state.tasks.get(uid)
        if task is None:
            raise MeiliError("task_not_found", f"Task `{text}` not found.")
        return Reply(200, task_view(task))


def cancel_tasks(req: Request, app: App) -> Reply:
    return _by_filter(req, app, "taskCancelation", "cancel", "canceledTasks")


def delete_tasks(req: Request, app: App) -> Reply:
    return _by_filter(req, app, "taskDeletion", "delete", "deletedTasks")


def _by_filter(req: Request, app: App, kind: str, action: str, counter: str) -> Reply:
    """Match the tasks now, enqueue the cancelation/deletion (answered 200, as Meilisearch)."""
    query = {name: values for name, values in req.query.items() if name != "customMetadata"}
    flt = parse_filter(query)
    if not query:
        raise missing_filters(action)
    with app.scheduler.lock:
        matched = tuple(task.uid for task in select(app.scheduler.state.tasks.values(), flt))
        details = {
            "matchedTasks": len(matched),
            counter: None,
            "originalFilter": f"?{req.raw_query}",
        }
        return enqueue(app, req, kind, None, details, matched, status=200)
