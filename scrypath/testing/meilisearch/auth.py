"""Who may call a route: the master key, an API key, or a tenant token, checked like Meilisearch.

The order of the checks is Meilisearch's, because it decides which error a client sees:

1. the `Authorization` header: absent is 401 (`missing_master_key` for `/keys` routes on an
   instance without a master key), another scheme is 401, `Bearer` alone is 403;
2. the master key (or no master key at all) grants everything but the `/keys` routes of an
   instance without one;
3. on `search` routes, a JWT is read as a tenant token: a bad signature, an unknown
   algorithm or an expired `exp` is refused there; anything else is looked up as an API key;
4. the parent key must exist; the path's index must be allowed by the token's rules, then by
   the key's index patterns; the key must grant the route's action and not be expired.

Every refusal past the header is 403 `invalid_api_key`; only the message says why.
"""

from __future__ import annotations

from .access import FULL_ACCESS, Access
from .errors import MeiliError
from .keys import ApiKey, KeyRing, derive_key
from .routing import Route
from .tenant_tokens import NotAToken, TenantToken, read_token
from .timefmt import now_ns

_KEYS_ACTIONS = frozenset({"keys.get", "keys.create", "keys.update", "keys.delete"})
_TOKEN_ACTIONS = frozenset({"search", "chatCompletions"})


def authenticate(
    keys: KeyRing, route: Route, authorization: str | None, index: str | None
) -> Access:
    """The access the request's credential grants on `route`, or the error Meilisearch gives."""
    if route.public:
        return FULL_ACCESS
    master_key = keys.master_key
    keys_route = route.action in _KEYS_ACTIONS
    if authorization is None:
        if master_key is None:
            if keys_route:
                raise missing_master_key()
            return FULL_ACCESS
        raise missing_header()
    scheme, space, token = authorization.partition(" ")
    if scheme != "Bearer":
        raise missing_header()
    if not space:
        raise invalid_key()
    if master_key is None:
        if keys_route:
            raise missing_master_key()
        return FULL_ACCESS
    if token == master_key:
        return FULL_ACCESS
    return _key_access(keys, master_key, route.action, token, index)


def _key_access(
    keys: KeyRing, master_key: str, action: str | None, token: str, index: str | None
) -> Access:
    tenant = _tenant_token(master_key, action, token)
    uid = tenant.api_key_uid if tenant is not None else keys.uid_for_value(token)
    key = keys.get(uid) if uid is not None else None
    if key is None:
        raise invalid_key()
    now = now_ns()
    rules = tenant.rules if tenant is not None else None
    access = Access(key.indexes, rules, _grants(key, "indexes.create", now))
    if index is not None:
        _check_index(key, access, index)
    if action is None or not _grants(key, action, now):
        raise invalid_key()
    return access


def _tenant_token(master_key: str, action: str | None, token: str) -> TenantToken | None:
    """The verified tenant token, None when the value is no token (or the route takes none)."""
    if action not in _TOKEN_ACTIONS:
        return None
    try:
        tenant = read_token(token)
    except NotAToken:
        return None
    tenant.verify(derive_key(tenant.api_key_uid, master_key))
    tenant.check_expiry()
    return tenant


def _check_index(key: ApiKey, access: Access, index: str) -> None:
    rules = access.rules
    if rules is not None and not rules.authorizes(index):
        raise MeiliError(
            "invalid_api_key",
            f"The provided tenant token cannot acces the index `{index}`, allowed indexes are "
            f"{_listed(rules.listed())}.",
        )
    if key.covers_index(index):
        return
    if rules is not None:
        raise MeiliError(
            "invalid_api_key",
            f"The API key used to generate this tenant token cannot acces the index `{index}`.",
        )
    raise MeiliError(
        "invalid_api_key",
        f"The API key cannot acces the index `{index}`, authorized indexes are "
        f"{_listed(sorted(key.indexes))}.",
    )


def _grants(key: ApiKey, action: str, now: int) -> bool:
    return action in key.grants() and not key.expired(now)


def _listed(names: list[str]) -> str:
    """A list of names the way Meilisearch's messages print one: `["a", "b"]`."""
    return "[" + ", ".join(f'"{name}"' for name in names) + "]"


def missing_header() -> MeiliError:
    return MeiliError(
        "missing_authorization_header",
        "The Authorization header is missing. It must use the bearer authorization method.",
    )


def missing_master_key() -> MeiliError:
    return MeiliError(
        "missing_master_key",
        "Meilisearch is running without a master key. To access this API endpoint, you must "
        "have set a master key at launch.",
    )


def invalid_key() -> MeiliError:
    return MeiliError("invalid_api_key", "The provided API key is invalid.")
