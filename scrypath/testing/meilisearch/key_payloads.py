"""The bodies of `POST /keys` and `PATCH /keys/{key}`, checked with Meilisearch's codes.

Fields are checked in the order the client sent them, then the required ones that are
missing; the first problem is the error. A key may not be scoped to some indexes while it
lists an action that only makes sense instance-wide (`version`, `keys.*`, ...).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .errors import MeiliError
from .keys import ApiKey
from .permissions import ACTIONS, GLOBAL_ONLY, index_pattern_problem
from .wire import (
    child,
    invalid_value,
    missing_field,
    reject_unknown,
    require_object,
    type_error,
    unknown_value,
)

CREATE_FIELDS = ("description", "name", "uid", "actions", "indexes", "expiresAt")
PATCH_FIELDS = ("description", "name")
_IMMUTABLE = {
    "uid": "immutable_api_key_uid",
    "actions": "immutable_api_key_actions",
    "indexes": "immutable_api_key_indexes",
    "expiresAt": "immutable_api_key_expires_at",
    "createdAt": "immutable_api_key_created_at",
    "updatedAt": "immutable_api_key_updated_at",
}
_REQUIRED = (
    ("actions", "missing_api_key_actions"),
    ("indexes", "missing_api_key_indexes"),
    ("expiresAt", "missing_api_key_expires_at"),
)
_DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_create(body: Any, now: int) -> ApiKey:
    """A new key from a `POST /keys` body (its uid drawn at random when not given)."""
    obj = require_object("bad_request", body)
    reject_unknown("bad_request", obj, CREATE_FIELDS)
    values = {name: _CREATE_CHECKS[name](obj[name], now) for name in obj}
    for name, code in _REQUIRED:
        if name not in obj:
            raise missing_field(code, name)
    actions, indexes = values["actions"], values["indexes"]
    _refuse_scoped_global(actions, indexes)
    return ApiKey(
        uid=values.get("uid") or str(uuid.uuid4()),
        actions=actions,
        indexes=indexes,
        expires_at=values["expiresAt"],
        created_at=now,
        updated_at=now,
        name=values.get("name"),
        description=values.get("description"),
    )


def parse_patch(body: Any) -> dict[str, str | None]:
    """The name and description changes of a `PATCH /keys/{key}` body."""
    obj = require_object("bad_request", body)
    for name in obj:
        if name in _IMMUTABLE:
            accepted = ", ".join(f"`{field}`" for field in PATCH_FIELDS)
            raise MeiliError(
                _IMMUTABLE[name], f"Immutable field `{name}`: expected one of {accepted}"
            )
    reject_unknown("bad_request", obj, PATCH_FIELDS)
    return {name: _text(obj[name], name) for name in obj}


def _text(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise type_error(f"invalid_api_key_{name}", f".{name}", value, "string")
    return value


def _uid(value: Any, _now: int) -> str:
    if not isinstance(value, str):
        raise type_error("invalid_api_key_uid", ".uid", value, "string")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise invalid_value(
            "invalid_api_key_uid", ".uid", f"`{value}` is not a valid UUID."
        ) from None


def _actions(value: Any, _now: int) -> tuple[str, ...]:
    def known(action: str, where: str) -> None:
        if action not in ACTIONS:
            raise unknown_value("invalid_api_key_actions", action, ACTIONS, where)

    return _strings(value, "invalid_api_key_actions", ".actions", known)


def _indexes(value: Any, _now: int) -> tuple[str, ...]:
    def valid(pattern: str, where: str) -> None:
        problem = index_pattern_problem(pattern)
        if problem is not None:
            raise invalid_value("invalid_api_key_indexes", where, problem)

    return _strings(value, "invalid_api_key_indexes", ".indexes", valid)


def _strings(
    value: Any, code: str, field: str, check: Callable[[str, str], None]
) -> tuple[str, ...]:
    """An array of strings, each passed to `check` with where it sits (`.actions[2]`)."""
    if not isinstance(value, list):
        raise type_error(code, field, value, "array")
    for i, item in enumerate(value):
        where = child(field, i)
        if not isinstance(item, str):
            raise type_error(code, where, item, "string")
        check(item, where)
    return tuple(value)


def _expires_at(value: Any, now: int) -> int | None:
    """Nanoseconds since the epoch; the date must be in the future."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise type_error("invalid_api_key_expires_at", ".expiresAt", value, "string", "null")
    moment = _parse_date(value)
    if moment is None or moment <= now:
        raise invalid_value(
            "invalid_api_key_expires_at",
            ".expiresAt",
            f"`{value}` is not a valid date. It should follow the RFC 3339 format to represents "
            "a date or datetime in the future or specified as a null value. e.g. 'YYYY-MM-DD' "
            "or 'YYYY-MM-DD HH:MM:SS'.\n",
        )
    return moment


def _parse_date(text: str) -> int | None:
    """RFC 3339, or a UTC `YYYY-MM-DD[( |T)HH:MM:SS]`, as nanoseconds; None when neither."""
    if _RFC3339.match(text):
        try:
            parsed = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except ValueError:
            return None
        return _ns(parsed)
    for form in _DATE_FORMATS:
        try:
            return _ns(datetime.strptime(text, form).replace(tzinfo=UTC))
        except ValueError:
            continue
    return None


def _ns(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


def _refuse_scoped_global(actions: tuple[str, ...], indexes: tuple[str, ...]) -> None:
    if not indexes or "*" in indexes:
        return
    for action in actions:
        if action in GLOBAL_ONLY:
            quoted = json.dumps(action)
            raise MeiliError(
                "index_scoped_api_key_with_global_action",
                f"cannot create index-scoped API key with global action `{quoted}`\n"
                f"  - Hint: remove action `{quoted}` from the action list, or remove "
                "`indexes` to make the key global",
            )


_CREATE_CHECKS: dict[str, Callable[[Any, int], Any]] = {
    "description": lambda value, now: _text(value, "description"),
    "name": lambda value, now: _text(value, "name"),
    "uid": _uid,
    "actions": _actions,
    "indexes": _indexes,
    "expiresAt": _expires_at,
}
