"""Tenant tokens: search credentials that Meilisearch itself pins to one tenant.

`tenant_token(Post, tenant=42, api_key=key, expires_at=timedelta(hours=1))` returns a JWT
(HS256, signed with the parent key's value) whose `searchRules` allow only the model's index
and force `tenant_field = tenant` on every search made with it, ANDed with whatever filter
the searcher sends. A browser may hold such a token; it never holds the key.

The parent key is either an object or mapping carrying `uid`, `key`, `actions`, `indexes`
and `expires_at` (`expiresAt`), such as what `meilisearch.Client.get_key()` returns or a
`TenantKey`, used as given; or the key's value alone, in which case the key is read with
`GET /keys/{value}` through the configured client (which then needs the `keys.get` right,
as the master or admin key has). The lookup is needed because a token must name its key's
uid, which the value does not reveal, and it lets the key's rights be checked before a
token that Meilisearch would refuse is handed out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scrypath.config import Config, resolve
from scrypath.declaration import SearchSpec, spec_for
from scrypath.errors import (
    BackendError,
    HTTPError,
    NoTenantFieldError,
    TenantKeyError,
    TenantTokenError,
    TenantTokenExpiryError,
)
from scrypath.filters import compile_filter
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.client import client_for

__all__ = ["TenantKey", "tenant_token"]

_SEARCHING = frozenset({"search", "*", "*.get"})


@dataclass(frozen=True, slots=True)
class TenantKey:
    """The parent API key of a tenant token; its value never shows in a repr."""

    uid: str
    key: str = field(repr=False)
    actions: tuple[str, ...]
    indexes: tuple[str, ...]
    expires_at: datetime | None = None


def tenant_token(
    model: type[Any],
    *,
    tenant: Any,
    api_key: TenantKey | Mapping[str, Any] | str | object,
    expires_at: datetime | timedelta | None = None,
    allow_no_expiry: bool = False,
    **overrides: Any,
) -> str:
    """A tenant token that searches only `model`'s index, only `tenant`'s documents.

    `expires_at` is an aware datetime or a delay from now; a token without expiry is
    refused unless `allow_no_expiry=True` says it is wanted.
    """
    spec = spec_for(model)
    clause = _tenant_filter(spec, tenant)
    config = resolve(**overrides)
    index = spec.index_name(config.index_prefix)
    context = {"model": spec.model_name, "index": index}
    key = _parent_key(api_key, config, context)
    _check_key(key, index, context)
    exp = _expiry(expires_at, allow_no_expiry, key, context)
    claims: dict[str, Any] = {"searchRules": {index: {"filter": clause}}, "apiKeyUid": key.uid}
    if exp is not None:
        claims["exp"] = exp
    return sign_hs256(claims, key.key)


def sign_hs256(claims: Mapping[str, Any], secret: str) -> str:
    """A compact JWT of `claims`, signed with HMAC-SHA256 under `secret`."""
    header = _b64(_json({"alg": "HS256", "typ": "JWT"}))
    payload = _b64(_json(claims))
    signed = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _tenant_filter(spec: SearchSpec, tenant: Any) -> str:
    """`tenant_field = <tenant>`, quoted and escaped by the one filter compiler."""
    field_name = spec.tenant_field
    if field_name is None:
        raise NoTenantFieldError(
            f"{spec.model_name} declares no tenant_field, so a tenant token has nothing to pin; "
            "declare @searchable(tenant_field=...)",
            model=spec.model_name,
        )
    if tenant is None or isinstance(tenant, bool | Mapping | list | tuple | Set | bytes):
        raise TenantTokenError(
            f"tenant must be one tenant value (a string or a number), got {type(tenant).__name__}",
            model=spec.model_name,
            option="tenant",
        )
    clause = compile_filter(spec, {field_name: tenant}, option="tenant")
    if clause is None:  # pragma: no cover - a one-entry mapping always compiles to a clause
        raise TenantTokenError("the tenant filter came out empty", model=spec.model_name)
    return clause


def _parent_key(api_key: object, config: Config, context: dict[str, Any]) -> TenantKey:
    if isinstance(api_key, TenantKey):
        return api_key
    if isinstance(api_key, str):
        return _looked_up(api_key, config, context)
    if isinstance(api_key, Mapping):
        return _from_fields(api_key.get, context, expires="expiresAt")
    return _from_fields(lambda name: getattr(api_key, name, None), context, expires="expires_at")


def _looked_up(value: str, config: Config, context: dict[str, Any]) -> TenantKey:
    """The key with this value, read from Meilisearch; its value never reaches an error."""
    if not value:
        raise TenantKeyError("api_key is empty", **context)
    client = client_for(config)
    try:
        with backend_call(operation="get_key", **context):
            found = client.http.get(f"keys/{value}")
    except HTTPError as error:
        if error.code == "api_key_not_found":
            raise TenantKeyError("no API key has the given value", **context) from None
        raise HTTPError(
            _without(str(error), value), **{**error.context, "operation": "get_key"}
        ) from None
    except BackendError as error:
        raise type(error)(_without(str(error), value), **error.context) from None
    if not isinstance(found, Mapping):
        raise TenantKeyError("Meilisearch answered the key lookup with no key", **context)
    return _from_fields(found.get, context, expires="expiresAt")


def _without(text: str, secret: str) -> str:
    return text.replace(secret, "***")


def _from_fields(read: Any, context: dict[str, Any], *, expires: str) -> TenantKey:
    uid, value = read("uid"), read("key")
    actions, indexes = read("actions"), read("indexes")
    if not isinstance(uid, str) or not uid or not isinstance(value, str) or not value:
        raise TenantKeyError("api_key must carry the key's uid and value", **context)
    if not isinstance(actions, list | tuple) or not isinstance(indexes, list | tuple):
        raise TenantKeyError("api_key must carry the key's actions and indexes", **context)
    return TenantKey(
        str(uid),
        value,
        tuple(str(action) for action in actions),
        tuple(str(index) for index in indexes),
        _key_expiry(read(expires), context),
    )


def _key_expiry(raw: Any, context: dict[str, Any]) -> datetime | None:
    if raw is None or isinstance(raw, datetime):
        return _aware(raw) if isinstance(raw, datetime) else None
    if isinstance(raw, str):
        try:
            return _aware(datetime.fromisoformat(raw.replace("Z", "+00:00")))
        except ValueError:
            pass
    raise TenantKeyError("api_key has an expiry that is not a date", **context)


def _aware(moment: datetime) -> datetime:
    """Meilisearch's dates are UTC; a naive one from a key is read so."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _check_key(key: TenantKey, index: str, context: dict[str, Any]) -> None:
    if not _SEARCHING.intersection(key.actions):
        raise TenantKeyError(
            f"API key {key.uid} cannot search (its actions are {list(key.actions)}), so "
            "Meilisearch would refuse every token it signs",
            key_uid=key.uid,
            **context,
        )
    if not any(_matches(pattern, index) for pattern in key.indexes):
        raise TenantKeyError(
            f"API key {key.uid} cannot search the index {index!r} (its indexes are "
            f"{list(key.indexes)})",
            key_uid=key.uid,
            **context,
        )
    if key.expires_at is not None and key.expires_at <= datetime.now(UTC):
        raise TenantKeyError(f"API key {key.uid} has expired", key_uid=key.uid, **context)


def _matches(pattern: str, index: str) -> bool:
    return index.startswith(pattern[:-1]) if pattern.endswith("*") else pattern == index


def _expiry(
    expires_at: datetime | timedelta | None,
    allow_no_expiry: bool,
    key: TenantKey,
    context: dict[str, Any],
) -> int | None:
    """The `exp` claim, in whole seconds since the epoch."""
    now = datetime.now(UTC)
    if expires_at is None:
        if not allow_no_expiry:
            raise TenantTokenExpiryError(
                "a tenant token needs expires_at (a datetime or a timedelta); pass "
                "allow_no_expiry=True to hand out one that is valid until its key is deleted",
                **context,
            )
        return None
    moment = now + expires_at if isinstance(expires_at, timedelta) else expires_at
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise TenantTokenExpiryError(
            "expires_at must be a timezone-aware datetime or a timedelta", **context
        )
    if moment <= now:
        raise TenantTokenExpiryError("expires_at is not in the future", **context)
    if key.expires_at is not None and moment > key.expires_at:
        raise TenantTokenExpiryError(
            f"expires_at is after API key {key.uid} itself expires", key_uid=key.uid, **context
        )
    return int(moment.timestamp())
