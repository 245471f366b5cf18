"""The console's defences: response headers, the access token, the host's guard, CSRF.

- Every response carries a strict content-security policy (no script at all, styles only
  from the console's own stylesheet), frame denial and `no-referrer`.
- Standalone, every page needs the access token: an `Authorization: Bearer` header, or a
  cookie set after the token was given once (`?token=` on any page, or the sign-in form).
  The cookie holds a keyed hash of the token, never the token.
- Every POST carries a CSRF token: a keyed hash of a random nonce kept in a
  `SameSite=Strict` cookie (double submit), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scrypath.web.settings import ConsoleSettings

CSRF_COOKIE = "scrypath_console_csrf"
CSRF_FIELD = "csrf_token"
AUTH_COOKIE = "scrypath_console_auth"
TOKEN_PARAMETER = "token"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    ("cache-control", "no-store"),
)


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS:
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _keyed(settings: ConsoleSettings, purpose: str, value: str) -> str:
    message = f"{purpose}:{value}".encode()
    return hmac.new(settings.secret, message, hashlib.sha256).hexdigest()


def token_matches(settings: ConsoleSettings, given: str | None) -> bool:
    """Whether `given` is the access token (constant time)."""
    expected = settings.access_token
    if expected is None or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def auth_cookie_value(settings: ConsoleSettings) -> str:
    """What the sign-in cookie holds: a keyed hash of the token (dies with the process)."""
    return _keyed(settings, "auth", settings.access_token or "")


def signed_in(settings: ConsoleSettings, request: Request) -> bool:
    """Standalone: the bearer header or the sign-in cookie is right."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "bearer" and token_matches(settings, credential.strip()):
        return True
    cookie = request.cookies.get(AUTH_COOKIE)
    return cookie is not None and hmac.compare_digest(cookie, auth_cookie_value(settings))


async def guard_allows(settings: ConsoleSettings, request: Request) -> bool:
    """Mounted: what the host application's guard says (it may be async)."""
    if settings.guard is None:
        return True
    verdict = settings.guard(request)
    if inspect.isawaitable(verdict):
        verdict = await verdict
    return bool(verdict)


def csrf_nonce(request: Request) -> str:
    """This browser's CSRF nonce: its cookie's, or a new one the response will set."""
    known = getattr(request.state, "csrf_nonce", None)
    if isinstance(known, str):
        return known
    nonce = request.cookies.get(CSRF_COOKIE)
    if not nonce or len(nonce) > 64:
        nonce = secrets.token_urlsafe(24)
        request.state.csrf_new = True
    request.state.csrf_nonce = nonce
    return nonce


def csrf_token(settings: ConsoleSettings, request: Request) -> str:
    """The token forms carry: a keyed hash of the nonce, so a page alone cannot forge it."""
    return _keyed(settings, "csrf", csrf_nonce(request))


def csrf_valid(settings: ConsoleSettings, request: Request, submitted: object) -> bool:
    """The submitted token matches this browser's nonce cookie."""
    nonce = request.cookies.get(CSRF_COOKIE)
    if not nonce or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(submitted.encode(), _keyed(settings, "csrf", nonce).encode())


def cookie_path(request: Request) -> str:
    """The console's own path (its mount point when mounted), so cookies stay inside it."""
    root = str(request.scope.get("root_path", "") or "")
    return root.rstrip("/") + "/" if root else "/"


def set_cookies(request: Request, response: Response) -> Response:
    """Set the CSRF nonce cookie when this request created one."""
    if getattr(request.state, "csrf_new", False):
        _set_cookie(request, response, CSRF_COOKIE, csrf_nonce(request))
    return response


def sign_in(settings: ConsoleSettings, request: Request, response: Response) -> Response:
    """Set the sign-in cookie (for the session of the browser, not persisted)."""
    _set_cookie(request, response, AUTH_COOKIE, auth_cookie_value(settings))
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """A session cookie scripts cannot read, sent only to the console, only same-site, and
    only over HTTPS when the console is served so."""
    response.set_cookie(
        name,
        value,
        path=cookie_path(request),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
