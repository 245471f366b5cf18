"""Templates to HTML responses: one Jinja environment, autoescaped, strict about undefined
names, with the helpers every page uses (links inside the mount, the CSRF field's token)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from scrypath import __version__
from scrypath.cli import operator_lines
from scrypath.queue.jobs import REASON_CLASSES
from scrypath.web.security import CSRF_FIELD, csrf_token, set_cookies
from scrypath.web.settings import ConsoleSettings

ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("scrypath.web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.filters["value"] = operator_lines.value


def age(seconds: float) -> str:
    """How long ago a kept reading was taken, as a person says it: `just now`, `12 s ago`."""
    if seconds < 1:
        return "just now"
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    return f"{seconds / 60:.0f} min ago"


ENVIRONMENT.filters["age"] = age


def link(
    request: Request, name: str, query: Mapping[str, object] | None = None, **params: str
) -> str:
    """The path of route `name` (inside the mount, when mounted), with a query string."""
    path = request.url_for(
        name, **{key: quote(item, safe=":") for key, item in params.items()}
    ).path
    kept = {key: str(item) for key, item in (query or {}).items() if item not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def render(
    request: Request,
    settings: ConsoleSettings,
    template: str,
    context: Mapping[str, Any],
    status_code: int = 200,
) -> Response:
    """Render `template` with the shared helpers; sets the CSRF cookie when it is new."""

    def url(name: str, query: Mapping[str, object] | None = None, **params: str) -> str:
        return link(request, name, query, **params)

    html = ENVIRONMENT.get_template(template).render(
        {
            "url": url,
            "stylesheet": request.url_for("static", path="console.css").path,
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token(settings, request),
            "actions_enabled": settings.actions,
            "standalone": settings.access_token is not None,
            "version": __version__,
            "reason_classes": REASON_CLASSES,
            **context,
        }
    )
    return set_cookies(request, HTMLResponse(html, status_code=status_code))
