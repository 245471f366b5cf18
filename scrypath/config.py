"""Configuration: the environment, then `configure()`, then per-call keywords.

Each layer overrides the one before it, key by key. `resolve(**overrides)` returns the
frozen, validated `Config` a single call runs with. The environment is read on every
`resolve()`, so a process picks up what it was started with and tests can patch it; an empty
variable counts as unset.

Every value is checked where it is set: one by one (type, range, form; see
`scrypath.config_values`), then together against the rules that tie settings to each other
(a lease must outlast a task wait, a cap must not undercut its base), over the values in
effect with defaults filling the rest. So a bad combination fails at `configure()` or at
start-up, never later inside a worker.

There is deliberately no default sync mode: the application chooses one, and code that syncs
without one gets a `ConfigurationError` saying how to set it. The API key, and the password of
an outbox database URL, never appear in a repr, a report or an error.

The `queue_*` keys and `outbox_url` serve queue mode (see `scrypath.queue`): `outbox_url` is
the database the worker reads (a SQLAlchemy URL or Engine); when it is set, inline failures
are also recorded there as retryable jobs. `outbox` is its older name, still accepted.
"""

from __future__ import annotations

import difflib
import operator
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal, NoReturn

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scrypath.config_values import MASK, check_setting, parse_setting, refuse
from scrypath.config_values import MAX_ATTEMPTS_LIMIT as MAX_ATTEMPTS_LIMIT
from scrypath.config_values import MAX_SECONDS as MAX_SECONDS
from scrypath.config_values import SYNC_MODES as SYNC_MODES
from scrypath.config_values import SyncMode as SyncMode
from scrypath.config_values import api_key_problem as api_key_problem
from scrypath.config_values import masked_database_url as masked_database_url
from scrypath.errors import ConfigurationError


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
    outbox_url: str | Engine | None = field(default=None, repr=False)
    queue_max_attempts: int = 8
    queue_backoff_base: float = 15.0
    queue_backoff_cap: float = 3600.0
    queue_lease_seconds: float = 60.0
    queue_retention_seconds: float = 7 * 24 * 3600.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            checked = check_setting(item.name, value, f"Config({item.name}=...)")
            if checked is not value:
                object.__setattr__(self, item.name, checked)
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        _check_rules(values, dict.fromkeys(values, "Config"))

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.describe().items())
        return f"Config({shown})"

    @property
    def outbox(self) -> str | Engine | None:
        """The outbox database: `outbox_url` under its older name, for code that reads it."""
        return self.outbox_url

    def describe(self) -> dict[str, Any]:
        """The configuration as plain data, with the API key and outbox password masked."""
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        if self.meilisearch_api_key is not None:
            data["meilisearch_api_key"] = MASK
        if self.session_factory is not None:
            data["session_factory"] = getattr(
                self.session_factory, "__qualname__", type(self.session_factory).__name__
            )
        if self.outbox_url is not None:
            data["outbox_url"] = masked_database_url(self.outbox_url)
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
"""Every key `configure()` and `resolve()` accept (besides the aliases)."""

ALIASES = MappingProxyType({"outbox": "outbox_url"})
"""Older key names `configure()` and `resolve()` still accept -> the key they mean."""

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
        "outbox_url": "SCRYPATH_OUTBOX_URL",
        "queue_max_attempts": "SCRYPATH_QUEUE_MAX_ATTEMPTS",
        "queue_backoff_base": "SCRYPATH_QUEUE_BACKOFF_BASE",
        "queue_backoff_cap": "SCRYPATH_QUEUE_BACKOFF_CAP",
        "queue_lease_seconds": "SCRYPATH_QUEUE_LEASE_SECONDS",
        "queue_retention_seconds": "SCRYPATH_QUEUE_RETENTION_SECONDS",
    }
)
"""Config key -> the environment variable that sets it."""

_configured: Mapping[str, Any] = MappingProxyType({})

# Where a value came from, lowest precedence first; a rule that breaks blames the later one.
_Origin = Literal["default", "environment", "configure", "call", "Config"]
_RANK: Mapping[_Origin, int] = MappingProxyType(
    {"default": 0, "environment": 1, "configure": 2, "call": 3, "Config": 3}
)


def configure(**settings: Any) -> None:
    """Set process-wide configuration; a key set to None goes back to the environment.

    Calls add up; each is checked, with the environment and the defaults, as the
    combination it leaves in effect, and a call that fails changes nothing.
    """
    global _configured
    settings = _canonical(settings, "configure")
    merged = dict(_configured)
    for key, value in settings.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = check_setting(key, value, _source(key, "configure"))
    _in_effect(from_environment(os.environ), merged, {})
    _configured = MappingProxyType(merged)


def reset_configuration() -> None:
    """Forget everything `configure()` set (for tests)."""
    global _configured
    _configured = MappingProxyType({})


def resolve(**overrides: Any) -> Config:
    """The configuration for one call: environment, then configure(), then `overrides`.

    An override of None means "not given", so callers can pass their optional keywords
    straight through. An override may also repair a combination the layers below leave
    broken; the rules are checked on what is finally in effect.
    """
    overrides = _canonical(overrides, "resolve")
    given = {
        key: check_setting(key, value, _source(key, "call"))
        for key, value in overrides.items()
        if value is not None
    }
    return Config(**_in_effect(from_environment(os.environ), _configured, given))


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The configuration keys the environment sets, each parsed and checked on its own."""
    values: dict[str, Any] = {}
    for key, variable in ENVIRONMENT.items():
        raw = environ.get(variable, "")
        if raw.strip():
            # A key is sent as is, so it is checked as is: stray whitespace is an error.
            text = raw if key == "meilisearch_api_key" else raw.strip()
            values[key] = check_setting(key, parse_setting(key, text, variable), variable)
    return values


def check_value(key: str, value: object, source: str) -> Any:
    """`value` checked (and normalized) for `key`; `source` names where it came from.

    The error, a `ConfigurationError`, starts with `source` (a variable, an option, a call)
    and never quotes an API key or a password.
    """
    return check_setting(ALIASES.get(key, key), value, source)


def _canonical(settings: Mapping[str, Any], caller: str) -> dict[str, Any]:
    """`settings` under their current key names; an unknown key is an error."""
    canonical: dict[str, Any] = {}
    for name, value in settings.items():
        key = ALIASES.get(name, name)
        if key not in KEYS:
            _unknown(name, caller)
        if value is not None and canonical.get(key) is not None:
            raise ConfigurationError(
                f"{caller}(): {name!r} is another name for {key!r}; give only one",
                key=key,
            )
        if value is not None or key not in canonical:
            canonical[key] = value
    return canonical


def _unknown(key: str, caller: str) -> NoReturn:
    known = (*KEYS, *ALIASES)
    close = [ALIASES.get(name, name) for name in difflib.get_close_matches(key, known, n=1)]
    hint = f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(KEYS)}"
    raise ConfigurationError(f"{caller}(): unknown key {key!r}{hint}", key=key)


def _in_effect(
    environment: Mapping[str, Any], configured: Mapping[str, Any], given: Mapping[str, Any]
) -> dict[str, Any]:
    """The layers merged over the defaults, checked together; what a Config is built from."""
    values = dict(_DEFAULT_VALUES)
    origins: dict[str, _Origin] = dict.fromkeys(values, "default")
    layers: tuple[tuple[_Origin, Mapping[str, Any]], ...] = (
        ("environment", environment),
        ("configure", configured),
        ("call", given),
    )
    for origin, layer in layers:
        values.update(layer)
        origins.update(dict.fromkeys(layer, origin))
    _check_rules(values, origins)
    return {key: value for key, value in values.items() if origins[key] != "default"}


@dataclass(frozen=True, slots=True)
class _Rule:
    """`subject` must stand in `relation` to `other`; on a tie in origin, `subject` is blamed."""

    subject: str
    other: str
    holds: Callable[[float, float], bool]
    relation: str
    why: str


_RULES = (
    _Rule(
        "queue_lease_seconds",
        "task_timeout",
        operator.gt,
        "must exceed",
        "a worker's lease on a job has to outlast its wait for the job's task",
    ),
    _Rule(
        "queue_backoff_cap",
        "queue_backoff_base",
        operator.ge,
        "must be at least",
        "retry waits start at the base and grow up to the cap",
    ),
    _Rule(
        "max_poll_interval",
        "poll_interval",
        operator.ge,
        "must be at least",
        "task polls start at poll_interval and grow up to max_poll_interval",
    ),
)


def _check_rules(values: Mapping[str, Any], origins: Mapping[str, _Origin]) -> None:
    for rule in _RULES:
        subject, other = values[rule.subject], values[rule.other]
        if rule.holds(subject, other):
            continue
        blamed = rule.subject
        if _RANK[origins[rule.other]] > _RANK[origins[rule.subject]]:
            blamed = rule.other
        refuse(
            blamed,
            _source(blamed, origins[blamed]),
            f"{rule.subject} ({subject:g}s, {_provenance(rule.subject, origins)}) "
            f"{rule.relation} {rule.other} ({other:g}s, {_provenance(rule.other, origins)}): "
            f"{rule.why}",
        )


def _source(key: str, origin: _Origin) -> str:
    """How an error names the place a value was set."""
    if origin == "environment":
        return ENVIRONMENT[key]
    if origin == "configure":
        return f"configure({key}=...)"
    if origin == "call":
        return f"{key}=... (given to this call)"
    if origin == "Config":
        return f"Config({key}=...)"
    return f"the default {key}"


def _provenance(key: str, origins: Mapping[str, _Origin]) -> str:
    origin = origins[key]
    if origin == "environment":
        return f"from {ENVIRONMENT[key]}"
    if origin == "configure":
        return "from configure()"
    if origin == "call":
        return "given to this call"
    if origin == "Config":
        return "given to Config()"
    return "the default"


_DEFAULT_VALUES: Mapping[str, Any] = MappingProxyType(
    {item.name: item.default for item in fields(Config)}
)
