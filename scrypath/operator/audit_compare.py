"""How the audit judges one document id: the row's projection against the index's document.

Both sides are compared as the JSON text of the one encoder (`scrypath.projection`: compact
separators, UTF-8, no NaN) with keys sorted. The row side is what a sync would send; the
index side is the document Meilisearch returns, parsed and encoded again by the same rules.
So neither the field order Meilisearch keeps nor how it prints a float reads as drift, while
any difference in a value, a field too many or a field missing does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

DriftKind = Literal["missing", "extra", "stale"]

KINDS: tuple[DriftKind, ...] = ("missing", "extra", "stale")
"""The kinds of drift, in the order every report lists them."""


@dataclass(frozen=True, slots=True)
class Row:
    """One database row as the audit sees it: its key, its document id (text and JSON form)
    and its projection, or None when `should_index` rejects it."""

    key: Any
    text: str
    document_id: int | str
    document: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class Observation:
    """One look at an id on both sides: the drift seen (None when the sides agree) and a
    digest of each side, so a second look can tell whether anything moved in between."""

    kind: DriftKind | None
    row: bytes | None
    document: bytes | None


_NOT_INDEXED = b"not-indexed"
_AGREE = Observation(None, None, None)


def id_text(value: object) -> str:
    """An id as Meilisearch keys documents: integers and strings by their text."""
    return value if isinstance(value, str) else str(value)


def canonical(document: Mapping[str, Any], fields: frozenset[str] | None = None) -> str:
    """The JSON a document is compared as (restricted to `fields` when given)."""
    if fields is not None:
        document = {name: value for name, value in document.items() if name in fields}
    return json.dumps(
        document, ensure_ascii=False, separators=(",", ":"), allow_nan=False, sort_keys=True
    )


def judge(
    row: Row | None, document: Mapping[str, Any] | None, fields: frozenset[str] | None = None
) -> Observation:
    """Compare one id's row (None: no row) with its document (None: no document); digests
    are taken only when the sides disagree (the hot path compares, it does not hash)."""
    document_text = None if document is None else canonical(document, fields)
    row_text = None if row is None or row.document is None else canonical(row.document, fields)
    kind: DriftKind | None = None
    if document_text is not None and row_text is None:
        kind = "extra"
    elif row_text is not None and document_text is None:
        kind = "missing"
    elif row_text is not None and row_text != document_text:
        kind = "stale"
    if kind is None:
        return _AGREE
    row_digest = None if row is None else (_NOT_INDEXED if row_text is None else _digest(row_text))
    return Observation(kind, row_digest, None if document_text is None else _digest(document_text))


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
