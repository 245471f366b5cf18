"""One request through the fake: faults, routing, authentication, handler, JSON rendering.

Authentication (`auth.authenticate`) gives the handler the request's `Access`.

This layer knows nothing about sockets; the HTTP adapter hands it a parsed request and
writes back the `Outcome`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from .auth import authenticate
from .errors import MeiliError
from .faults import ResponseFault
from .params import parse_query
from .routes import ROUTES
from .routing import App, Reply, Request, Route, find_route


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to send back: a status and JSON bytes, or nothing at all (`drop`)."""

    status: int
    body: bytes = b""
    drop: bool = False
    headers: tuple[tuple[str, str], ...] = ()


def error_outcome(error: MeiliError) -> Outcome:
    return Outcome(error.status, encode(error.to_json()))


def encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def handle(app: App, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Outcome:
    """Answer one request; never raises."""
    parts = urlsplit(target)
    path = "/" + "/".join(part for part in parts.path.split("/") if part)
    latency = app.scheduler.faults.latency
    if latency:
        time.sleep(latency)
    fault = app.scheduler.faults.take_response(method, path)
    if fault is not None:
        return _injected(fault)
    request = Request(method, path, {}, parse_query(parts.query), parts.query, headers, body)
    try:
        return _routed(app, request)
    except MeiliError as error:
        return error_outcome(error)
    except Exception as error:  # never a hung connection or a traceback page
        return error_outcome(MeiliError("internal", f"{type(error).__name__}: {error}"))


def _routed(app: App, request: Request) -> Outcome:
    match = find_route(ROUTES, request.method, request.path)
    if match.route is None:
        if match.path_known:
            return method_not_allowed(request, match.allowed)
        raise MeiliError("not_found", f"Not found: `{request.method} {request.path}`.")
    route = match.route
    index = match.params.get("index_uid")
    access = authenticate(app.keys, route, request.header("authorization"), index)
    if route.handler is None:
        raise _not_implemented(request.method, route)
    reply = route.handler(replace(request, params=match.params, access=access), app)
    return _render(app, reply)


def method_not_allowed(request: Request, allowed: tuple[str, ...]) -> Outcome:
    """405 with the `Allow` header Meilisearch's router sends, and a JSON error body."""
    listed = ", ".join(f"`{method}`" for method in allowed)
    error = MeiliError(
        "method_not_allowed",
        f"`{request.method} {request.path}`: the method is not allowed on this route. "
        f"Allowed methods: {listed}.",
    )
    return replace(error_outcome(error), headers=(("Allow", ", ".join(allowed)),))


def _injected(fault: ResponseFault) -> Outcome:
    if fault.drop_connection:
        return Outcome(0, drop=True)
    return Outcome(fault.status, encode(fault.body()))


def _render(app: App, reply: Reply) -> Outcome:
    if reply.status == 204:
        return Outcome(204)
    # Encoding happens under the lock: replies may share objects with the live state.
    with app.scheduler.lock:
        return Outcome(reply.status, encode(reply.body))


def _not_implemented(method: str, route: Route) -> MeiliError:
    return MeiliError(
        "not_implemented",
        f"`{method} {route.pattern}` is not implemented by scrypath's fake Meilisearch.",
    )
