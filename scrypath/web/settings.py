"""What one console serves: which models, whether actions are on, how requests are let in.

A console is read-only unless `actions=True`. It always needs a way to let people in: an
`access_token` (standalone: every page asks for it), or a `guard` (mounted: the host
application's own authentication decides). An unguarded console is a configuration error,
never a default.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from starlette.requests import Request

from scrypath.cli.common import model_reference
from scrypath.declaration import registry
from scrypath.errors import ConfigurationError

Guard = Callable[[Request], bool | Awaitable[bool]]
"""The host application's check: true lets the request in, false answers 403."""

PAGE_SIZE = 50
"""Failed-work rows per page on a model's page."""

MIN_TOKEN_LENGTH = 16


def trust_host(request: Request) -> bool:
    """A guard for a console mounted behind the host's own authentication middleware (the
    middleware already refused strangers before the request got here)."""
    return True


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    """One console's choices; `overrides` are the per-call keywords every report gets."""

    models: Mapping[str, type[Any]]
    actions: bool = False
    access_token: str | None = field(default=None, repr=False)
    guard: Guard | None = None
    overrides: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    sample_interval: float | None = 30.0
    drift_ttl: float = 60.0
    workers: int = 8
    page_size: int = PAGE_SIZE
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def __post_init__(self) -> None:
        if self.access_token is None and self.guard is None:
            raise ConfigurationError(
                "the console needs an access_token (standalone) or a guard (the host "
                "application's authentication); pass guard=trust_host only when the host "
                "already guards the mount",
                key="access_token",
            )
        if self.access_token is not None and len(self.access_token) < MIN_TOKEN_LENGTH:
            raise ConfigurationError(
                f"the console's access token must be at least {MIN_TOKEN_LENGTH} characters",
                key="access_token",
            )
        if self.sample_interval is not None and self.sample_interval <= 0:
            raise ConfigurationError("sample_interval must be positive", key="sample_interval")
        if self.workers < 1 or self.page_size < 1:
            raise ConfigurationError("workers and page_size must be positive", key="workers")


def model_table(models: Sequence[type[Any]] | None) -> Mapping[str, type[Any]]:
    """The models by their reference (`package.module:ClassName`), sorted; every declared
    searchable model when none are named."""
    chosen = list(models) if models is not None else [spec.model for spec in registry.specs()]
    return MappingProxyType(
        {model_reference(model): model for model in sorted(chosen, key=model_reference)}
    )
