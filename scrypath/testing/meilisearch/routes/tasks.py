"""`/tasks`: list and read tasks, cancel or delete them by filter."""

from __future__ import annotations

from ..errors import MeiliError
from ..params import U32_MAX
from ..routing import App, Reply, Request
from ..task_query import missing_filters, page_of, parse_filter, parse_listing, select
from ..tasks import task_view
from .common import enqueue


def list_tasks(req: Request, app: App) -> Reply:
    flt, page = parse_listing(req.query)
    with app.scheduler.lock:
        matching = select(app.scheduler.state.tasks.values(), flt)
        results, next_uid = page_of(matching, page)
        return Reply(
            200,
            {
                "results": [task_view(task) for task in results],
                "total": len(matching),
                "limit": page.limit,
                "from": results[0].uid if results else None,
                "next": next_uid,
            },
        )


def get_task(req: Request, app: App) -> Reply:
    text = req.params["task_id"]
    if not text.isascii() or not text.isdigit() or int(text) > U32_MAX:
        raise MeiliError(
            "invalid_task_uids",
            f"Task uid `{text}` is invalid. It should only contain numeric characters.",
        )
    with app.scheduler.lock:
        task = app.scheduler.state.tasks.get(int(text))
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
