"""Configuration: the environment, then `configure()`, then per-call keywords.

Each layer overrides the one before it, key by key. `resolve(**overrides)` returns the
frozen, validated `Config` a single call runs with. The environment is read on every
`resolve()`, so a process picks up what it was started with and tests can patch it; an empty
variable counts as unset.

There is deliberately no default sync mode: the application chooses one, and code that syncs
without one gets a `ConfigurationError` saying how to set it. The API key, and the password of
an outbox database URL, never appear in a repr, a report or an error.

The `queue_*` keys and `outbox` serve queue mode (see `scrypath.queue`): `outbox` is the
database the worker reads (a SQLAlchemy URL or Engine); when it is set, inline failures are
also recorded there as retryable jobs.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal, NoReturn, cast
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from scrypath.errors import ConfigurationError

SyncMode = Literal["inline", "manual", "queue"]
SYNC_MODES: tuple[SyncMode, ...] = ("inline", "manual", "queue")

_PREFIX = re.compile(r"[A-Za-z0-9_-]{0,400}")
_MASK = "***"


@dataclass(frozen=True, slots=True)
class Config:
    """Everything one scrypath call needs to know; timeouts and intervals are in seconds."""

    meilisearch_url: str | None = None
    meilisearch_api_key: str | None = field(default=None, repr=False)
    index_prefix: str | None = None
    sync_mode: SyncMode | None = None
    task_timeout: float = 30.0
    bulk_task_timeout: float = 600.0
    poll_interval: float = 0.05
    max_poll_interval: float = 0.5
    http_timeout: float = 10.0
    ensure_index_on_first_sync: bool = True
    session_factory: Callable[[], Session] | None = None
    outbox: str | Engine | None = field(default=None, repr=False)
    queue_max_attempts: int = 8
    queue_backoff_base: float = 15.0
    queue_backoff_cap: float = 3600.0
    queue_lease_seconds: float = 60.0
    queue_retention_seconds: float = 7 * 24 * 3600.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            checked = _check(item.name, value, f"Config({item.name}=...)")
            if checked is not value:
                object.__setattr__(self, item.name, checked)
        _check_backoff(self.queue_backoff_base, self.queue_backoff_cap, "Config(...)")

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.describe().items())
        return f"Config({shown})"

    def describe(self) -> dict[str, Any]:
        """The configuration as plain data, with the API key masked."""
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        if self.meilisearch_api_key is not None:
            data["meilisearch_api_key"] = _MASK
        if self.session_factory is not None:
            data["session_factory"] = getattr(
                self.session_factory, "__qualname__", type(self.session_factory).__name__
            )
        if self.outbox is not None:
            data["outbox"] = masked_database_url(self.outbox)
        return data

    def require_sync_mode(self) -> SyncMode:
        """The chosen sync mode, or a ConfigurationError saying how to choose one."""
        if self.sync_mode is None:
            raise ConfigurationError(
                "no sync mode is set; choose one explicitly: pass sync_mode='inline', "
                "'manual' or 'queue', call scrypath.configure(sync_mode=...), "
                "or set SCRYPATH_SYNC_MODE",
                key="sync_mode",
            )
        return self.sync_mode

    def require_url(self) -> str:
        """The Meilisearch URL, or a ConfigurationError saying how to set it."""
        if self.meilisearch_url is None:
            raise ConfigurationError(
                "no Meilisearch URL is set; call scrypath.configure(meilisearch_url=...) "
                "or set SCRYPATH_MEILISEARCH_URL",
                key="meilisearch_url",
            )
        return self.meilisearch_url

    def require_session_factory(self) -> Callable[[], Session]:
        """The session factory hydration uses, or a ConfigurationError saying how to set it."""
        if self.session_factory is None:
            raise ConfigurationError(
                "no session factory is set; pass session_factory=... or call "
                "scrypath.configure(session_factory=sessionmaker(engine))",
                key="session_factory",
            )
        return self.session_factory


KEYS = tuple(item.name for item in fields(Config))
"""Every key `configure()` and `resolve()` accept."""

ENVIRONMENT = MappingProxyType(
    {
        "meilisearch_url": "SCRYPATH_MEILISEARCH_URL",
        "meilisearch_api_key": "SCRYPATH_MEILISEARCH_API_KEY",
        "index_prefix": "SCRYPATH_INDEX_PREFIX",
        "sync_mode": "SCRYPATH_SYNC_MODE",
        "task_timeout": "SCRYPATH_TASK_TIMEOUT",
        "bulk_task_timeout": "SCRYPATH_BULK_TASK_TIMEOUT",
        "poll_interval": "SCRYPATH_POLL_INTERVAL",
        "max_poll_interval": "SCRYPATH_MAX_POLL_INTERVAL",
        "http_timeout": "SCRYPATH_HTTP_TIMEOUT",
        "ensure_index_on_first_sync": "SCRYPATH_ENSURE_INDEX_ON_FIRST_SYNC",
        "outbox": "SCRYPATH_OUTBOX_URL",
        "queue_max_attempts": "SCRYPATH_QUEUE_MAX_ATTEMPTS",
        "queue_backoff_base": "SCRYPATH_QUEUE_BACKOFF_BASE",
        "queue_backoff_cap": "SCRYPATH_QUEUE_BACKOFF_CAP",
        "queue_lease_seconds": "SCRYPATH_QUEUE_LEASE_SECONDS",
        "queue_retention_seconds": "SCRYPATH_QUEUE_RETENTION_SECONDS",
    }
)
"""Config key -> the environment variable that sets it."""

_configured: Mapping[str, Any] = MappingProxyType({})


def configure(**settings: Any) -> None:
    """Set process-wide configuration; a key set to None goes back to the environment."""
    global _configured
    _require_known(settings, "configure")
    merged = dict(_configured)
    for key, value in settings.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _check(key, value, f"configure({key}=...)")
    _check_backoff_values(merged, "configure(...)")
    _configured = MappingProxyType(merged)


def reset_configuration() -> None:
    """Forget everything `configure()` set (for tests)."""
    global _configured
    _configured = MappingProxyType({})


def resolve(**overrides: Any) -> Config:
    """The configuration for one call: environment, then configure(), then `overrides`.

    An override of None means "not given", so callers can pass their optional keywords
    straight through.
    """
    _require_known(overrides, "resolve")
    values = from_environment(os.environ)
    values.update(_configured)
    for key, value in overrides.items():
        if value is not None:
            values[key] = _check(key, value, f"{key}=")
    return Config(**values)


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The configuration keys the environment sets, parsed and checked."""
    values: dict[str, Any] = {}
    for key, variable in ENVIRONMENT.items():
        text = environ.get(variable, "").strip()
        if text:
            values[key] = _check(key, _parse(key, text, variable), variable)
    _check_environment_backoff(values)
    return values


def _check_environment_backoff(values: Mapping[str, Any]) -> None:
    key = "queue_backoff_cap" if "queue_backoff_cap" in values else "queue_backoff_base"
    try:
        _check_backoff_values(values, ENVIRONMENT[key])
    except ConfigurationError as error:
        _bad(key, ENVIRONMENT[key], error.message.split(": ", 1)[1])


def masked_database_url(value: str | Engine | URL) -> str:
    """A database URL safe to show: its password replaced by `***`."""
    url = value.url if isinstance(value, Engine) else make_url(value)
    return url.render_as_string(hide_password=True)


def _require_known(settings: Mapping[str, Any], caller: str) -> None:
    for key in settings:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(KEYS)}"
            raise ConfigurationError(f"{caller}(): unknown key {key!r}{hint}", key=key)


def _parse(key: str, text: str, variable: str) -> object:
    if key in _SECONDS:
        try:
            return float(text)
        except ValueError:
            _bad(key, variable, f"expected a number of seconds, got {text!r}")
    if key == "ensure_index_on_first_sync":
        return _parse_bool(text, key, variable)
    if key == "queue_max_attempts":
        try:
            return int(text)
        except ValueError:
            _bad(key, variable, f"expected a whole number of attempts, got {text!r}")
    if key == "sync_mode":
        return text.lower()
    return text


def _parse_bool(text: str, key: str, variable: str) -> bool:
    lowered = text.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    _bad(key, variable, f"expected true/false, 1/0, yes/no or on/off, got {text!r}")


def _check(key: str, value: object, source: str) -> Any:
    """Validate one value; `source` names where it came from (a variable or a call)."""
    if value is None:
        return None
    return _CHECKS[key](value, key, source)


def _bad(key: str, source: str, message: str) -> NoReturn:
    context: dict[str, Any] = {"key": key}
    if source.startswith("SCRYPATH_"):
        context["variable"] = source
    raise ConfigurationError(f"{source}: {message}", **context)


def _url(value: object, key: str, source: str) -> str:
    if not isinstance(value, str):
        _bad(key, source, f"expected a URL string, got {type(value).__name__}")
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        _bad(key, source, "is not a valid URL")
    if parts.username is not None or parts.password is not None:
        _bad(key, source, "must not carry credentials; set the API key separately")
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        _bad(key, source, f"expected an http:// or https:// URL with a host, got {value!r}")
    return value.rstrip("/")


def _api_key(value: object, key: str, source: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _bad(key, source, "expected a non-empty string")
    return value


def _prefix(value: object, key: str, source: str) -> str:
    if not isinstance(value, str) or not _PREFIX.fullmatch(value):
        _bad(key, source, f"expected letters, digits, '_' or '-' only, got {value!r}")
    return value


def _sync_mode(value: object, key: str, source: str) -> SyncMode:
    if value not in SYNC_MODES:
        _bad(key, source, f"expected one of {', '.join(SYNC_MODES)}, got {value!r}")
    return value


def _seconds(value: object, key: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _bad(key, source, f"expected a number of seconds, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        _bad(key, source, f"expected a positive, finite number of seconds, got {value!r}")
    return float(value)


def _flag(value: object, key: str, source: str) -> bool:
    if not isinstance(value, bool):
        _bad(key, source, f"expected True or False, got {value!r}")
    return value


def _outbox(value: object, key: str, source: str) -> str | Engine:
    if isinstance(value, Engine):
        return value
    if not isinstance(value, str):
        _bad(key, source, f"expected a SQLAlchemy URL or Engine, got {type(value).__name__}")
    try:
        make_url(value)
    except (ArgumentError, ValueError, TypeError):
        _bad(key, source, "is not a SQLAlchemy database URL (dialect+driver://...)")
    return value


def _attempts(value: object, key: str, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _bad(key, source, f"expected a whole number of attempts, got {value!r}")
    if not 1 <= value <= MAX_ATTEMPTS_LIMIT:
        _bad(key, source, f"expected between 1 and {MAX_ATTEMPTS_LIMIT} attempts, got {value}")
    return int(value)


def _check_backoff(base: float, cap: float, source: str) -> None:
    if cap < base:
        raise ConfigurationError(
            f"{source}: queue_backoff_cap ({cap:g}s) must be at least queue_backoff_base "
            f"({base:g}s)",
            key="queue_backoff_cap",
        )


def _check_backoff_values(values: Mapping[str, Any], source: str) -> None:
    """The backoff pair, checked as far as `values` sets it (defaults fill the rest)."""
    if "queue_backoff_base" in values or "queue_backoff_cap" in values:
        base = values.get("queue_backoff_base", _DEFAULTS.queue_backoff_base)
        cap = values.get("queue_backoff_cap", _DEFAULTS.queue_backoff_cap)
        _check_backoff(base, cap, source)


def _factory(value: object, key: str, source: str) -> Callable[[], Session]:
    if not callable(value):
        _bad(key, source, "expected a callable returning a SQLAlchemy Session")
    return cast(Callable[[], Session], value)


MAX_ATTEMPTS_LIMIT = 100
_SECONDS = frozenset(
    {
        "task_timeout",
        "bulk_task_timeout",
        "poll_interval",
        "max_poll_interval",
        "http_timeout",
        "queue_backoff_base",
        "queue_backoff_cap",
        "queue_lease_seconds",
        "queue_retention_seconds",
    }
)
_CHECKS: Mapping[str, Callable[[object, str, str], Any]] = MappingProxyType(
    {
        "meilisearch_url": _url,
        "meilisearch_api_key": _api_key,
        "index_prefix": _prefix,
        "sync_mode": _sync_mode,
        **{key: _seconds for key in _SECONDS},
        "ensure_index_on_first_sync": _flag,
        "session_factory": _factory,
        "outbox": _outbox,
        "queue_max_attempts": _attempts,
    }
)
_DEFAULTS = Config()
