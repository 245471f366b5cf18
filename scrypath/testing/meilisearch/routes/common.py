"""Helpers shared by the route handlers: JSON bodies, 202 replies, path parameters."""

from __future__ import annotations

import json
from typing import Any

from ..errors import MeiliError
from ..indexes import Index
from ..names import check_index_uid
from ..params import last
from ..payloads import strict_loads
from ..routing import App, Reply, Request
from ..tasks import summary_view


def json_body(req: Request) -> Any:
    """The JSON body of a request, refused like Meilisearch's JSON extractor refuses it."""
    content_type = req.header("content-type")
    if content_type is None:
        raise MeiliError(
            "missing_content_type",
            "A Content-Type header is missing. Accepted values for the Content-Type header "
            "are: `application/json`",
        )
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise MeiliError(
            "invalid_content_type",
            f"The Content-Type `{content_type}` is invalid. Accepted values for the "
            "Content-Type header are: `application/json`",
        )
    return parse_json(req.body)


def parse_json(body: bytes) -> Any:
    if not body:
        raise MeiliError("missing_payload", "A json payload is missing.")
    try:
        return strict_loads(body.decode("utf-8"))
    except json.JSONDecodeError as error:
        detail = f"{error.msg} at line {error.lineno} column {error.colno}"
    except (UnicodeDecodeError, ValueError) as error:
        detail = str(error)
    raise MeiliError("malformed_payload", f"The json payload provided is malformed. `{detail}`.")


def index_uid(req: Request) -> str:
    return check_index_uid(req.params["index_uid"])


def existing_index(app: App, uid: str) -> Index:
    """The index, looked up under the lock; 404 `index_not_found` when absent."""
    with app.scheduler.lock:
        return app.scheduler.state.require_index(uid)


def custom_metadata(req: Request) -> str | None:
    return last(req.query, "customMetadata")


def enqueue(
    app: App,
    req: Request,
    kind: str,
    index: str | None,
    details: dict[str, Any] | None,
    payload: Any = None,
    status: int = 202,
) -> Reply:
    """Register a task and answer with its summarized view (202, as for every write)."""
    task = app.scheduler.register(kind, index, details, payload, custom_metadata(req))
    return Reply(status, summary_view(task))
