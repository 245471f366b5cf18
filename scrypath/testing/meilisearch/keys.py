"""API keys of the fake: the key records, their derived values, and the key ring.

As in Meilisearch, a key's value is never stored: it is the HMAC-SHA256 of the key's uid
(lowercase, hyphenated) keyed with the master key, in hex. Changing the master key
changes every value, and a deleted key's value can still be computed, which is why a
token signed with it fails on the key lookup rather than on its signature.

Keys exist only when a master key is set; a fresh ring holds Meilisearch's default keys.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .errors import MeiliError
from .permissions import expand_actions, pattern_matches
from .timefmt import now_ns, rfc3339


def derive_key(uid: str, master_key: str) -> str:
    """The value of the key `uid`: hex HMAC-SHA256 of the uid under the master key."""
    mac = hmac.new(master_key.encode("utf-8"), uid.encode("ascii"), hashlib.sha256)
    return mac.hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One API key as the fake stores it (times in nanoseconds since the epoch)."""

    uid: str
    actions: tuple[str, ...]
    indexes: tuple[str, ...]
    expires_at: int | None
    created_at: int
    updated_at: int
    name: str | None = None
    description: str | None = None

    def grants(self) -> frozenset[str]:
        """The concrete actions this key allows, its wildcards expanded."""
        return expand_actions(self.actions)

    def covers_index(self, index: str) -> bool:
        return any(pattern_matches(pattern, index) for pattern in self.indexes)

    def expired(self, now: int) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def view(self, master_key: str) -> dict[str, Any]:
        """The key as `/keys` shows it, its value included."""
        return {
            "name": self.name,
            "description": self.description,
            "key": derive_key(self.uid, master_key),
            "uid": self.uid,
            "actions": list(self.actions),
            "indexes": list(self.indexes),
            "expiresAt": None if self.expires_at is None else rfc3339(self.expires_at),
            "createdAt": rfc3339(self.created_at),
            "updatedAt": rfc3339(self.updated_at),
        }


_DEFAULTS = (
    (
        "Default Chat API Key",
        "Use it to chat and search from the frontend",
        ("chatCompletions", "search"),
    ),
    (
        "Default Read-Only Admin API Key",
        "Use it to read information across the whole database. Caution! Do not expose this "
        "key on a public frontend",
        ("*.get", "keys.get"),
    ),
    (
        "Default Admin API Key",
        "Use it for anything that is not a search operation. Caution! Do not expose it on a "
        "public frontend",
        ("*",),
    ),
    ("Default Search API Key", "Use it to search from the frontend", ("search",)),
)


def default_keys(now: int) -> tuple[ApiKey, ...]:
    """Meilisearch's default keys, each created a moment after the previous one."""
    return tuple(
        ApiKey(str(uuid.uuid4()), actions, ("*",), None, now + i, now + i, name, description)
        for i, (name, description, actions) in enumerate(_DEFAULTS)
    )


class KeyRing:
    """The keys of one fake server, guarded by their own lock.

    The default keys are made once, with the server, so that `reset()` brings back the
    very same keys (and values) a test session may have read at start-up.
    """

    def __init__(self, master_key: str | None) -> None:
        self.master_key = master_key
        self._lock = threading.Lock()
        self._defaults = default_keys(now_ns()) if master_key is not None else ()
        self._keys: dict[str, ApiKey] = {}
        self.reset()

    def reset(self) -> None:
        """Forget every key but the defaults."""
        with self._lock:
            self._keys = {key.uid: key for key in self._defaults}

    def listed(self) -> list[ApiKey]:
        """Every key, the most recently created first."""
        with self._lock:
            keys = list(self._keys.values())
        return sorted(keys, key=lambda key: key.created_at, reverse=True)

    def get(self, uid: str) -> ApiKey | None:
        with self._lock:
            return self._keys.get(uid)

    def uid_for_value(self, value: str) -> str | None:
        """The uid of the stored key whose derived value is `value` (compared in constant time)."""
        if self.master_key is None:
            return None
        with self._lock:
            uids = list(self._keys)
        for uid in uids:
            if hmac.compare_digest(derive_key(uid, self.master_key), value):
                return uid
        return None

    def find(self, uid_or_value: str) -> ApiKey:
        """The key named by a uid or a value, like `/keys/{key}`; 404 `api_key_not_found`."""
        uid = _as_uid(uid_or_value)
        if uid is None:
            uid = self.uid_for_value(uid_or_value)
            if uid is None:
                raise not_found(uid_or_value)
        key = self.get(uid)
        if key is None:
            raise not_found(uid)
        return key

    def add(self, key: ApiKey) -> ApiKey:
        with self._lock:
            if key.uid in self._keys:
                raise MeiliError(
                    "api_key_already_exists",
                    f"`uid` field value `{key.uid}` is already an existing API key.",
                )
            self._keys[key.uid] = key
        return key

    def update(self, uid: str, changes: Mapping[str, str | None]) -> ApiKey:
        """Change the name and description present in `changes` (the only mutable fields)."""
        with self._lock:
            key = self._keys.get(uid)
            if key is None:
                raise not_found(uid)
            updated = replace(
                key,
                name=changes.get("name", key.name),
                description=changes.get("description", key.description),
                updated_at=max(now_ns(), key.created_at),
            )
            self._keys[uid] = updated
        return updated

    def delete(self, uid: str) -> None:
        with self._lock:
            if self._keys.pop(uid, None) is None:
                raise not_found(uid)


def _as_uid(text: str) -> str | None:
    """The canonical (lowercase, hyphenated) form of a uuid, or None for anything else."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def not_found(name: str) -> MeiliError:
    return MeiliError("api_key_not_found", f"API key `{name}` not found.")
