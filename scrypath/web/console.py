"""The console's ASGI application: routes, static files, headers, and the state they share."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from scrypath.web import actions, pages
from scrypath.web.history import History, Sampler
from scrypath.web.reads import Reader
from scrypath.web.rendering import render
from scrypath.web.security import SecurityHeaders
from scrypath.web.settings import ConsoleSettings, Guard, model_table


class Console:
    """One console's shared state: its settings, the sampled history, the reader and the
    background sampler (started on the first admitted request)."""

    def __init__(self, settings: ConsoleSettings) -> None:
        self.settings = settings
        self.history = History()
        self.reader = Reader(settings, self.history)
        self._sampler: Sampler | None = None
        if settings.sample_interval is not None:
            self._sampler = Sampler(self.reader.sample_all, settings.sample_interval)

    def start_sampler(self) -> None:
        if self._sampler is not None:
            self._sampler.ensure_started()

    def close(self) -> None:
        if self._sampler is not None:
            self._sampler.stop()
        self.reader.close()


async def _http_error(request: Request, error: Exception) -> Response:
    """Errors as the console's own pages (with its headers), never a framework default."""
    console: Console = request.app.state.console
    code = error.status_code if isinstance(error, HTTPException) else 500
    detail = error.detail if isinstance(error, HTTPException) else "internal error"
    return render(request, console.settings, "error.html", {"code": code, "detail": detail}, code)


def build(console: Console) -> Starlette:
    """The Starlette app serving `console`."""
    routes = [
        Route("/", pages.overview, name="overview"),
        Route("/models/{key}", pages.model, name="model"),
        Route("/models/{key}/confirm", actions.confirm, name="confirm"),
        Route("/models/{key}/actions", actions.apply, methods=["POST"], name="apply"),
        Route("/sign-in", pages.sign_in_form, name="sign_in"),
        Route("/sign-in", pages.sign_in_submit, methods=["POST"], name="sign_in_submit"),
        Mount("/static", StaticFiles(packages=[("scrypath.web", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: _http_error, 500: _http_error},
    )
    app.state.console = console
    return app


def create_app(
    models: Sequence[type[Any]] | None = None,
    *,
    actions: bool = False,
    access_token: str | None = None,
    guard: Guard | None = None,
    sample_interval: float | None = 30.0,
    drift_ttl: float = 60.0,
    page_size: int = 50,
    workers: int = 8,
    **overrides: Any,
) -> Starlette:
    """The operator console as an ASGI app: `models` (default: every declared searchable
    model), read-only unless `actions=True`, let in by `access_token` (standalone) or by
    the host's `guard` (mounted). `overrides` are passed to every operator call."""
    settings = ConsoleSettings(
        model_table(models),
        actions=actions,
        access_token=access_token,
        guard=guard,
        overrides=MappingProxyType(dict(overrides)),
        sample_interval=sample_interval,
        drift_ttl=drift_ttl,
        page_size=page_size,
        workers=workers,
    )
    return build(Console(settings))
