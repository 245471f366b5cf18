"""One setting's value: checked, normalized and parsed from text, on its own.

Every layer of the configuration (the environment, `configure()`, a call's keywords, a
`Config` built directly) runs a value through the same check for its key, so a bad value
fails where it is set, whichever way it came in. An error names that place and never
echoes an API key or a database password. How the layers combine, and the rules that tie
settings to each other, live in `scrypath.config`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
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

MAX_ATTEMPTS_LIMIT = 100
MAX_SECONDS = 10 * 365 * 24 * 3600.0
"""The longest duration any setting takes (ten years): longer ones overflow timers and dates."""

_PREFIX = re.compile(r"[A-Za-z0-9_-]{0,400}")
_API_KEY = re.compile(r"[\x21-\x7e]+")
_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\x9f]")
MASK = "***"


def parse_setting(key: str, text: str, variable: str) -> object:
    if key in _SECONDS:
        try:
            return float(text)
        except ValueError:
            refuse(key, variable, f"expected a number of seconds, got {text!r}")
    if key == "ensure_index_on_first_sync":
        return _parse_bool(text, key, variable)
    if key == "queue_max_attempts":
        try:
            return int(text)
        except ValueError:
            refuse(key, variable, f"expected a whole number of attempts, got {text!r}")
    if key == "sync_mode":
        return text.lower()
    return text


def _parse_bool(text: str, key: str, variable: str) -> bool:
    lowered = text.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    refuse(key, variable, f"expected true/false, 1/0, yes/no or on/off, got {text!r}")


def check_setting(key: str, value: object, source: str) -> Any:
    """Validate one value; `source` names where it came from (a variable or a call)."""
    if value is None:
        return None
    return _CHECKS[key](value, key, source)


def refuse(key: str, source: str, message: str) -> NoReturn:
    context: dict[str, Any] = {"key": key}
    if source.startswith("SCRYPATH_"):
        context["variable"] = source
    raise ConfigurationError(f"{source}: {message}", **context)


def _url(value: object, key: str, source: str) -> str:
    if not isinstance(value, str):
        refuse(key, source, f"expected a URL string, got {type(value).__name__}")
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        refuse(key, source, "is not a valid URL")
    if parts.username is not None or parts.password is not None:
        refuse(key, source, "must not carry credentials; set the API key separately")
    if _URL_JUNK.search(value):
        refuse(key, source, f"must not contain spaces or control characters, got {_short(value)}")
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        refuse(key, source, f"expected an http:// or https:// URL with a host, got {_short(value)}")
    return value.rstrip("/")


def _api_key(value: object, key: str, source: str) -> str:
    if not isinstance(value, str):
        refuse(key, source, f"expected a string, got {type(value).__name__}")
    problem = api_key_problem(value)
    if problem is not None:
        refuse(
            key,
            source,
            f"the API key {problem}; a key is visible ASCII characters only, with no spaces "
            "(the key itself is not shown)",
        )
    return value


def api_key_problem(key: str) -> str | None:
    """Why `key` cannot be an HTTP header value, or None when it can; never quotes the key.

    A key must be one or more visible ASCII characters (`!` to `~`): no spaces, no line
    breaks or other control characters, nothing outside ASCII. Meilisearch keys and tenant
    tokens are always of that form, and anything else would break or corrupt the header.
    """
    if _API_KEY.fullmatch(key):
        return None
    if not key.strip():
        return "is empty or only whitespace"
    if key != key.strip():
        return "starts or ends with whitespace, often a newline left over from a file"
    if any(char in "\r\n" for char in key):
        return "contains a line break"
    if any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in key):
        return "contains a control character"
    if not key.isascii():
        return "contains a character outside ASCII"
    return "contains whitespace"


def _prefix(value: object, key: str, source: str) -> str:
    if not isinstance(value, str) or not _PREFIX.fullmatch(value):
        refuse(key, source, f"expected letters, digits, '_' or '-' only, got {_short(value)}")
    return value


def _sync_mode(value: object, key: str, source: str) -> SyncMode:
    if value not in SYNC_MODES:
        refuse(key, source, f"expected one of {', '.join(SYNC_MODES)}, got {_short(value)}")
    return value


def _seconds(value: object, key: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        refuse(key, source, f"expected a number of seconds, got {_short(value)}")
    try:
        seconds = float(value)
    except OverflowError:
        seconds = math.inf
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_SECONDS:
        refuse(
            key,
            source,
            f"expected a positive number of seconds, at most {MAX_SECONDS:.0f} (ten years), "
            f"got {_short(value)}",
        )
    return seconds


def _short(value: object) -> str:
    """A value as an error quotes it: its repr, cut short."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return "a number too large to show"
    return text if len(text) <= 80 else f"{text[:77]}..."


def _flag(value: object, key: str, source: str) -> bool:
    if not isinstance(value, bool):
        refuse(key, source, f"expected True or False, got {_short(value)}")
    return value


def _outbox(value: object, key: str, source: str) -> str | Engine:
    if isinstance(value, Engine):
        return value
    if not isinstance(value, str):
        refuse(key, source, f"expected a SQLAlchemy URL or Engine, got {type(value).__name__}")
    try:
        make_url(value)
    except (ArgumentError, ValueError, TypeError):
        refuse(
            key,
            source,
            f"{_masked_text(value)!r} is not a SQLAlchemy database URL (dialect+driver://...)",
        )
    return value


def masked_database_url(value: str | Engine | URL) -> str:
    """A database URL safe to show: its password replaced by `***`."""
    url = value.url if isinstance(value, Engine) else make_url(value)
    return url.render_as_string(hide_password=True)


def _masked_text(text: str) -> str:
    """`text`, a URL that did not parse, with whatever could be a password masked."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    userinfo, at, host = rest.rpartition("@")
    if at:
        user, colon, _ = userinfo.partition(":")
        rest = f"{user}{colon and ':' + MASK}@{host}"
    else:
        authority, slash, path = rest.partition("/")
        name, colon, port = authority.partition(":")
        if colon and not port.isdigit():
            rest = f"{name}:{MASK}{slash}{path}"
    return f"{scheme}{sep}{rest}"[:200]


def _attempts(value: object, key: str, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        refuse(key, source, f"expected a whole number of attempts, got {_short(value)}")
    if not 1 <= value <= MAX_ATTEMPTS_LIMIT:
        refuse(
            key,
            source,
            f"expected between 1 and {MAX_ATTEMPTS_LIMIT} attempts, got {_short(value)}",
        )
    return int(value)


def _factory(value: object, key: str, source: str) -> Callable[[], Session]:
    if not callable(value):
        refuse(key, source, "expected a callable returning a SQLAlchemy Session")
    return cast(Callable[[], Session], value)


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
        "outbox_url": _outbox,
        "queue_max_attempts": _attempts,
    }
)
