"""`/batches`: list and read the processing steps of the task queue."""

from __future__ import annotations

from ..batches import batch_view, collect, matches
from ..errors import MeiliError
from ..routing import App, Reply, Request
from ..task_query import listing, parse_listing, path_uid


def list_batches(req: Request, app: App) -> Reply:
    """Newest first; the same filters and pages as `GET /tasks`, applied to batches."""
    flt, page = parse_listing(req.query)
    with app.scheduler.lock:
        batches = collect(app.scheduler.state.tasks.values())
    matching = [batch for batch in batches if matches(batch, flt)]
    return Reply(200, listing(matching, page, batch_view))


def get_batch(req: Request, app: App) -> Reply:
    uid = path_uid(req.params["batch_id"], "Batch", "invalid_batch_uids")
    with app.scheduler.lock:
        members = [t for t in app.scheduler.state.tasks.values() if t.batch_uid == uid]
    found = collect(members)
    if not found:
        raise MeiliError("batch_not_found", f"Batch `{uid}` not found.")
    return Reply(200, batch_view(found[0]))
