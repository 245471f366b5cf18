"""Who gets in: every page handler is wrapped by `admitted`, which runs before it.

- a guard (the host's authentication, when mounted) that says no: 403;
- standalone, no valid token: 401 with the sign-in form; `?token=` on any page signs the
  browser in and redirects to the same page without the token in its address.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scrypath.web.rendering import render
from scrypath.web.security import TOKEN_PARAMETER, guard_allows, sign_in, signed_in, token_matches

if TYPE_CHECKING:
    from scrypath.web.console import Console

Handler = Callable[[Request], Awaitable[Response]]


def console_of(request: Request) -> Console:
    """The console serving this request (kept on its own Starlette app's state)."""
    console: Console = request.app.state.console
    return console


def admitted(handler: Handler) -> Handler:
    """Run `handler` only for a request the guard and the access token let in."""

    @functools.wraps(handler)
    async def gated(request: Request) -> Response:
        console = console_of(request)
        settings = console.settings
        if not await guard_allows(settings, request):
            return render(request, settings, "denied.html", {}, status_code=403)
        if settings.access_token is not None:
            given = request.query_params.get(TOKEN_PARAMETER)
            if given is not None:
                return _token_in_address(request, given)
            if not signed_in(settings, request):
                return sign_in_page(request, wrong=False)
        console.start_sampler()
        return await handler(request)

    return gated


def _token_in_address(request: Request, given: str) -> Response:
    """`?token=`: right, sign in and drop it from the address; wrong, say so."""
    settings = console_of(request).settings
    if not token_matches(settings, given):
        return sign_in_page(request, wrong=True)
    kept = [
        (key, item) for key, item in request.query_params.multi_items() if key != TOKEN_PARAMETER
    ]
    query = urlencode(kept)
    response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), 303)
    return sign_in(settings, request, response)


def sign_in_page(request: Request, *, wrong: bool, status_code: int = 401) -> Response:
    settings = console_of(request).settings
    return render(request, settings, "sign_in.html", {"wrong": wrong}, status_code=status_code)
