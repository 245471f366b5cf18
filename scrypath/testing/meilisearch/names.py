"""Index uids and document ids: what Meilisearch accepts and how it words a refusal."""

from __future__ import annotations

import re
from typing import Any

from .errors import MeiliError
from .wire import compact_json

_INDEX_UID = re.compile(r"^[A-Za-z0-9_-]{1,400}$")
_DOCUMENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,511}$")


def index_uid_problem(uid: str) -> str | None:
    """The complaint about an invalid index uid, or None when the uid is valid."""
    if _INDEX_UID.match(uid):
        return None
    return (
        f"`{uid}` is not a valid index uid. Index uid can be an integer or a string "
        "containing only alphanumeric characters, hyphens (-) and underscores (_), "
        "and can not be more than 512 bytes."
    )


def check_index_uid(uid: str) -> str:
    """Validate an index uid taken from a path; Meilisearch answers 400 before any lookup."""
    problem = index_uid_problem(uid)
    if problem:
        raise MeiliError("invalid_index_uid", problem)
    return uid


def document_id_problem(value: Any) -> str | None:
    """The complaint about a document id value, or None when it is a valid id."""
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    if isinstance(value, str) and _DOCUMENT_ID.match(value) and len(value.encode()) < 512:
        return None
    return (
        f"Document identifier `{compact_json(value)}` is invalid. A document identifier can "
        "be of type integer or string, only composed of alphanumeric characters "
        "(a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes."
    )


def document_id_text(value: Any) -> str:
    """The id as the store keys it: integers and strings share one namespace."""
    return value if isinstance(value, str) else str(value)
