"""Tenant tokens as Meilisearch reads them: JWTs signed with an API key's value.

A token's claims name the parent key (`apiKeyUid`), the `searchRules` (index patterns,
each with an optional filter forced on every search) and an optional `exp` (seconds since
the epoch). Reading happens in two steps, as in Meilisearch: the claims are read without
checking anything, to learn which key signed them; then the signature is checked against
that key's derived value. Anything that is not three dot-separated parts is no token at
all, and is tried as an API key instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from .access import SearchRules
from .errors import MeiliError
from .permissions import index_pattern_problem

_SIGNERS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_KNOWN_ALGORITHMS = (
    *_SIGNERS,
    "ES256",
    "ES384",
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "EdDSA",
)


class NotAToken(Exception):
    """The bearer value has no JWT shape: it may still be an API key."""


@dataclass(frozen=True, slots=True)
class TenantToken:
    """A token's parts and claims, read but not yet verified."""

    signed_part: bytes
    signature: bytes
    algorithm: str
    api_key_uid: str
    rules: SearchRules
    exp: int | None

    def verify(self, secret: str) -> None:
        """Check the algorithm and the signature; Meilisearch's refusal when either is wrong."""
        signer = _SIGNERS.get(self.algorithm)
        if signer is None:
            raise _undecodable("InvalidAlgorithm")
        expected = hmac.new(secret.encode("utf-8"), self.signed_part, signer).digest()
        if not hmac.compare_digest(expected, self.signature):
            raise _undecodable("InvalidSignature")

    def check_expiry(self, now: int | None = None) -> None:
        current = int(time.time()) if now is None else now
        if self.exp is not None and current > self.exp:
            raise MeiliError(
                "invalid_api_key",
                f"Tenant token expired. Was valid up to `{self.exp}` and we're now `{current}`.",
            )


def read_token(token: str) -> TenantToken:
    """The token's parts and claims, unverified (`NotAToken` for anything else)."""
    parts = token.rsplit(".", 2)
    if len(parts) != 3:
        raise NotAToken
    header_part, claims_part, signature_part = parts
    header = _json_part(header_part)
    claims = _json_part(claims_part)
    signature = _b64(signature_part)
    algorithm = _algorithm(header)
    return TenantToken(
        f"{header_part}.{claims_part}".encode("ascii"),
        signature,
        algorithm,
        _api_key_uid(claims),
        _search_rules(claims),
        _exp(claims),
    )


def _undecodable(detail: str) -> MeiliError:
    return MeiliError("invalid_api_key", f"Could not decode tenant token, {detail}.")


def _b64(part: str) -> bytes:
    if "=" in part:
        raise _undecodable("Base64 error: Invalid padding")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as error:
        raise _undecodable(f"Base64 error: {error}") from error


def _json_part(part: str) -> dict[str, Any]:
    raw = _b64(part)
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _undecodable(f"UTF-8 error: {error}") from error
    except json.JSONDecodeError as error:
        raise _undecodable(f"JSON error: {error.msg}") from error
    if not isinstance(value, dict):
        raise _undecodable("JSON error: expected a JSON object")
    return value


def _algorithm(header: dict[str, Any]) -> str:
    algorithm = header.get("alg")
    if algorithm is None:
        raise _undecodable("JSON error: missing field `alg`")
    if algorithm not in _KNOWN_ALGORITHMS:
        raise _undecodable(f"JSON error: unknown variant `{algorithm}`")
    return str(algorithm)


def _api_key_uid(claims: dict[str, Any]) -> str:
    if "apiKeyUid" not in claims:
        raise _undecodable("JSON error: missing field `apiKeyUid`")
    value = claims["apiKeyUid"]
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError) as error:
        raise _undecodable(f"JSON error: invalid `apiKeyUid`: {value!r} is not a UUID") from error


def _exp(claims: dict[str, Any]) -> int | None:
    value = claims.get("exp")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _undecodable("JSON error: invalid type for `exp`, expected i64")
    return value


def _search_rules(claims: dict[str, Any]) -> SearchRules:
    if "searchRules" not in claims:
        raise _undecodable("JSON error: missing field `searchRules`")
    rules = claims["searchRules"]
    if isinstance(rules, list) and all(isinstance(item, str) for item in rules):
        filters: dict[str, Any] = {_pattern(item): None for item in rules}
    elif isinstance(rules, dict):
        filters = {_pattern(name): _rule_filter(rule) for name, rule in rules.items()}
    else:
        raise _undecodable(
            "JSON error: data did not match any variant of untagged enum SearchRules"
        )
    return SearchRules(filters)


def _pattern(name: str) -> str:
    problem = index_pattern_problem(name)
    if problem is not None:
        raise _undecodable(f"JSON error: {problem}")
    return name


def _rule_filter(rule: Any) -> Any:
    if rule is None:
        return None
    if not isinstance(rule, dict):
        raise _undecodable("JSON error: invalid type for an index rule, expected an object")
    return rule.get("filter")
