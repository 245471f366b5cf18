"""Requests, replies and routes: the types shared by the route handlers and the adapter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .access import FULL_ACCESS, Access
from .keys import KeyRing
from .params import Query
from .scheduler import Scheduler


@dataclass(frozen=True, slots=True)
class App:
    """What a handler may use: the scheduler (state, lock, faults) and the configuration."""

    scheduler: Scheduler
    master_key: str | None
    max_payload_bytes: int
    keys: KeyRing = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", KeyRing(self.master_key))


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    params: dict[str, str]
    query: Query
    raw_query: str
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(default=b"", repr=False)
    access: Access = field(default=FULL_ACCESS, repr=False)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any = None


Handler = Callable[[Request, App], Reply]


@dataclass(frozen=True, slots=True)
class Route:
    """A Meilisearch route. `handler` is None when the fake deliberately does not serve it.

    `action` is the API key action the route requires (`search`, `documents.add`, ...);
    a route without one is open to the master key only.
    """

    method: str
    pattern: str
    handler: Handler | None
    public: bool = False
    action: str | None = None
    segments: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", split_path(self.pattern))

    def bind(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        """The path parameters when `segments` fit this route's pattern, else None."""
        if len(segments) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for pattern, segment in zip(self.segments, segments, strict=True):
            if pattern.startswith("{"):
                params[pattern[1:-1]] = unquote(segment)
            elif pattern != segment:
                return None
        return params

    @property
    def specificity(self) -> tuple[bool, ...]:
        """Literal segments win over parameters, earliest segment first (as in Meilisearch)."""
        return tuple(not part.startswith("{") for part in self.segments)


def split_path(path: str) -> tuple[str, ...]:
    """Path segments with empty ones dropped: `/a//b/` and `/a/b` are the same route."""
    return tuple(part for part in path.split("/") if part)


METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True, slots=True)
class Match:
    """The route found, or for a known path with another method, the methods it allows."""

    route: Route | None
    params: dict[str, str]
    path_known: bool
    allowed: tuple[str, ...] = ()


def find_route(routes: tuple[Route, ...], method: str, path: str) -> Match:
    """The route serving `method path`; `path_known` tells a 405 from a 404."""
    segments = split_path(path)
    bound = [(route, route.bind(segments)) for route in routes]
    fitting = [(route, params) for route, params in bound if params is not None]
    if not fitting:
        return Match(None, {}, path_known=False)
    best = max(route.specificity for route, _ in fitting)
    for route, params in fitting:
        if route.specificity == best and route.method == method:
            return Match(route, params, path_known=True)
    methods = {route.method for route, _ in fitting if route.specificity == best}
    allowed = tuple(m for m in METHOD_ORDER if m in methods)
    return Match(None, {}, path_known=True, allowed=allowed)
