"""`/batches`: list and read the processing steps of the task queue."""

from __future__ import annotations

from ..batches import batch_view, collect, matches
from ..errors import MeiliError
from ..params import U32_MAX
from ..routing import App, Reply, Request
from ..task_query import page_of, parse_listing


def list_batches(req: Request, app: App) -> Reply:
    """Newest first; the same filters and pages as `GET /tasks`, applied to batches."""
    flt, page = parse_listing(req.query)
    with app.scheduler.lock:
        batches = collect(app.scheduler.state.tasks.values())
    matching = [batch for batch in batches if matches(batch, flt)]
    results, next_uid = page_of(matching, page)
    return Reply(
        200,
        {
            "results": [batch_view(batch) for batch in results],
            "total": len(matching),
            "limit": page.limit,
            "from": results[0].uid if results else None,
            "next": next_uid,
        },
    )


def get_batch(req: Request, app: App) -> Reply:
    text = req.params["batch_id"]
    if not text.isascii() or not text.isdigit() or int(text) > U32_MAX:
        raise MeiliError(
            "invalid_batch_uids",
            f"Batch uid `{text}` is invalid. It should only contain numeric characters.",
        )
    uid = int(text)
    with app.scheduler.lock:
        members = [t for t in app.scheduler.state.tasks.values() if t.batch_uid == uid]
    found = collect(members)
    if not found:
        raise MeiliError("batch_not_found", f"Batch `{uid}` not found.")
    return Reply(200, batch_view(found[0]))
