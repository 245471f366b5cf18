"""`DocumentStore`: the documents of one index and the indexes that make search cheap.

Documents are keyed by their primary key rendered as a string (`"1"` finds id `1`)
and keep an internal number in first-insertion order, which is the order of a
placeholder search. Every document is word-indexed; fields that match a
`filterableAttributes` rule are value-indexed too, so that a selective filter only
touches its candidates.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, KeysView, Mapping
from typing import Any

from .config import Config, config_from
from .facet_index import FacetIndex
from .fields import leaves, values_at
from .gc_pause import paused
from .postings import FieldRegistry, WordIndex, document_words
from .rules import FilterRule
from .tokens import Tokenizer


def id_string(value: Any) -> str:
    """The string form of a document id, as the routes see it."""
    return value if isinstance(value, str) else str(value)


class DocumentStore:
    """Documents plus inverted word and value indexes. Thread-safe through `lock`."""

    def __init__(self, primary_key: str) -> None:
        self.primary_key = primary_key
        self.lock = threading.RLock()
        self.fields = FieldRegistry()
        self.words = WordIndex()
        self.facets = FacetIndex()
        self._docs: dict[int, dict[str, Any]] = {}
        self._internal: dict[str, int] = {}
        self._external: dict[int, str] = {}
        self._next = 0
        self._tokenizer = Tokenizer()
        self._rules: tuple[FilterRule, ...] = ()
        self._faceted: dict[str, bool] = {}

    # -- the seam -------------------------------------------------------------------

    def upsert(self, documents: list[dict[str, Any]], *, merge: bool) -> int:
        """Add or replace (`merge=False`) or add or update (`merge=True`) documents."""
        with self.lock, paused(len(documents)):
            for document in documents:
                self._upsert_one(document, merge)
            return len(documents)

    def delete(self, ids: Iterable[str]) -> int:
        with self.lock:
            return sum(1 for doc_id in ids if self._delete_one(doc_id))

    def clear(self) -> int:
        with self.lock:
            count = len(self._docs)
            self._docs.clear()
            self._internal.clear()
            self._external.clear()
            self.words.clear()
            self.facets.clear()
            return count

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The stored document (read-only: callers copy before changing it)."""
        with self.lock:
            internal = self._internal.get(doc_id)
            return None if internal is None else self._docs[internal]

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self.lock:
            return iter(list(self._docs.values()))

    def field_distribution(self) -> dict[str, int]:
        with self.lock:
            counts: dict[str, int] = {}
            for document in self._docs.values():
                for key in document:
                    counts[key] = counts.get(key, 0) + 1
            return dict(sorted(counts.items()))

    def reconfigure(self, settings: Mapping[str, Any]) -> None:
        """Re-index what the new settings change (tokenization, faceted fields)."""
        self.ensure(config_from(settings))

    def matching(
        self,
        filter_expr: Any,
        settings: Mapping[str, Any],
        *,
        error_code: str,
        index_uid: str | None = None,
    ) -> list[str]:
        """Ids of the documents matching a filter (string or array form), in internal order."""
        from .filter_eval import evaluate_filter

        config = config_from(settings)
        with self.lock:
            self.ensure(config)
            found = evaluate_filter(
                self, config, filter_expr, error_code=error_code, index_uid=index_uid
            )
            ids = self._docs.keys() if found is None else sorted(found)
            return [self._external[i] for i in ids]

    # -- engine helpers ------------------------------------------------------------

    def ensure(self, config: Config) -> None:
        """Bring the indexes in line with `config` (cheap when nothing changed)."""
        with self.lock:
            if config.tokenizer != self._tokenizer:
                self._tokenizer = config.tokenizer
                self._rebuild_words()
            if config.filter_rules != self._rules:
                self._rules = config.filter_rules
                self._faceted.clear()
                self._rebuild_facets()

    def ids(self) -> KeysView[int]:
        return self._docs.keys()

    def document(self, internal: int) -> dict[str, Any]:
        return self._docs[internal]

    def external_id(self, internal: int) -> str:
        return self._external[internal]

    def values(self, internal: int, path: str) -> list[Any]:
        return values_at(self._docs[internal], path)

    @property
    def tokenizer(self) -> Tokenizer:
        return self._tokenizer

    def is_faceted(self, path: str) -> bool:
        found = self._faceted.get(path)
        if found is None:
            found = self._faceted[path] = any(rule.matches(path) for rule in self._rules)
        return found

    # -- internals -------------------------------------------------------------------

    def _upsert_one(self, document: dict[str, Any], merge: bool) -> None:
        key = id_string(document[self.primary_key])
        internal = self._internal.get(key)
        if internal is None:
            internal = self._next
            self._next += 1
            self._internal[key] = internal
            self._external[internal] = key
            stored = dict(document)
        else:
            old = self._docs[internal]
            self._unindex(internal, old)
            stored = {**old, **document} if merge else dict(document)
        self._docs[internal] = stored
        self._index(internal, stored)

    def _delete_one(self, doc_id: str) -> bool:
        internal = self._internal.pop(doc_id, None)
        if internal is None:
            return False
        self._unindex(internal, self._docs.pop(internal))
        del self._external[internal]
        return True

    def _index(self, internal: int, document: dict[str, Any]) -> None:
        flat = leaves(document)
        self.words.add(internal, document_words(flat, self._tokenizer, self.fields))
        self.facets.add(internal, flat, self.is_faceted)

    def _unindex(self, internal: int, document: dict[str, Any]) -> None:
        flat = leaves(document)
        self.words.remove(internal, document_words(flat, self._tokenizer, self.fields))
        self.facets.remove(internal, flat, self.is_faceted)

    def _rebuild_words(self) -> None:
        self.words.clear()
        for internal, document in self._docs.items():
            self.words.add(internal, document_words(leaves(document), self._tokenizer, self.fields))

    def _rebuild_facets(self) -> None:
        self.facets.clear()
        for internal, document in self._docs.items():
            self.facets.add(internal, leaves(document), self.is_faceted)
