"""Operator reports with index names, hosts and record ids replaced by stable placeholders.

Reports already leave out keys, passwords and document bodies. Redaction goes further, so
that an adopter can paste a report into a public issue: every index name becomes `index-1`,
`index-2`, ..., every host `host-1`, ..., and every record id `record-1`, ..., numbered in the
order they first appear, so one value keeps one placeholder across the whole output.

Values are found where reports put them (fields such as `index`, `target_index`,
`document_ids`) and then replaced where they occur elsewhere. Index names and hosts are
replaced in every string. Record ids are replaced in free text only (reasons, recoveries,
summaries: scrypath writes them or copies them from Meilisearch), and there a numeric id
only where it is quoted or follows a word such as "document" or "id", so a timestamp or an
attempt count that happens to hold the same digits stays readable. Meilisearch quotes
document ids in backticks; those are replaced even when no field named them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

Kind = Literal["index", "host", "record"]
T = TypeVar("T")

INDEX_KEYS = frozenset({"index", "live_index", "target_index", "index_uid", "indexUid", "indexes"})
"""Fields whose values are index names."""

RECORD_KEYS = frozenset(
    {
        "document_id",
        "document_ids",
        "ids",
        "all_ids",
        "record_id",
        "record_ids",
        "upserted_ids",
        "deleted_ids",
        "missing",
        "extra",
        "stale",
        "unsettled",
    }
)
"""Fields whose values are record (document) ids, alone or in a list."""

FREE_TEXT_KEYS = frozenset({"reason", "recovery", "summary", "message", "error", "detail"})
"""Fields of prose, where a record id may be mentioned."""

_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)([^\s/'\"`<>]+)")
_QUOTED_DOCUMENT = re.compile(
    r"((?:document|documents|document identifier|document id|primary key value)\s+)`([^`]*)`",
    re.IGNORECASE,
)

_BOUNDED = r"(?<![\w-]){}(?![\w-])"
"""A value on its own, not part of a longer word or name."""
_MENTIONED = (
    r"(?:(?<=[`'\"])|(?<=document )|(?<=documents )|(?<=record )|(?<=id )|(?<=ids ))"
    r"{}(?![\w-])"
)
"""A short or numeric id: only quoted, or right after a word that names an id."""


@dataclass(slots=True)
class Redactor:
    """One output's placeholders; reuse it for every report printed together."""

    _placeholders: dict[Kind, dict[str, str]] = field(
        default_factory=lambda: {"index": {}, "host": {}, "record": {}}
    )

    def placeholder(self, kind: Kind, value: object) -> str:
        """The placeholder of `value`, allocating the next number on first sight."""
        known = self._placeholders[kind]
        text = str(value)
        if text not in known:
            known[text] = f"{kind}-{len(known) + 1}"
        return known[text]

    def report(self, report: T) -> T:
        """A copy of `report` (a dataclass, mapping or list of them) with nothing original left."""
        self._collect(report, None)
        redacted: T = self._rebuild(report, None)
        return redacted

    def text(self, text: str, *, prose: bool = True) -> str:
        """`text` with URL hosts and known index names replaced; in `prose`, record ids too."""
        text = _URL.sub(lambda match: match.group(1) + self._host(match.group(2)), text)
        text = self._replace_known("index", text, _BOUNDED)
        if not prose:
            return text
        text = _QUOTED_DOCUMENT.sub(
            lambda match: f"{match.group(1)}`{self.placeholder('record', match.group(2))}`", text
        )
        return self._replace_known("record", text, _MENTIONED)

    def _replace_known(self, kind: Kind, text: str, pattern: str) -> str:
        """Every known value of `kind` in `text`, longest first, where `pattern` allows it."""
        known = sorted(self._placeholders[kind].items(), key=lambda item: -len(item[0]))
        for value, placeholder in known:
            if value:
                shape = _BOUNDED if not value.isdigit() and len(value) >= 3 else pattern
                text = re.sub(shape.format(re.escape(value)), placeholder, text)
        return text

    def _host(self, netloc: str) -> str:
        """`user:pass@host:port` -> `host-N:port`; credentials are dropped outright."""
        parts = urlsplit(f"//{netloc}")
        host = parts.hostname or netloc
        try:
            port = parts.port
        except ValueError:
            port = None
        return self.placeholder("host", host) + (f":{port}" if port else "")

    def _collect(self, item: object, key: str | None) -> None:
        """First pass: learn every index name and record id the report names in its fields."""
        kind = _kind_of(key)
        if kind is not None and _is_scalar(item):
            self.placeholder(kind, item)
            return
        for child_key, child in _children(item):
            self._collect(child, child_key if child_key is not None else key)

    def _rebuild(self, item: Any, key: str | None) -> Any:
        kind = _kind_of(key)
        if kind is not None and _is_scalar(item):
            return self.placeholder(kind, item)
        if isinstance(item, str):
            return self.text(item, prose=key in FREE_TEXT_KEYS)
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            changes = {
                each.name: self._rebuild(getattr(item, each.name), each.name)
                for each in dataclasses.fields(item)
                if each.init
            }
            return dataclasses.replace(item, **changes)
        if isinstance(item, Mapping):
            rebuilt = {name: self._rebuild(value, str(name)) for name, value in item.items()}
            return MappingProxyType(rebuilt) if isinstance(item, MappingProxyType) else rebuilt
        if isinstance(item, list | tuple):
            return type(item)(self._rebuild(value, key) for value in item)
        return item


def _kind_of(key: str | None) -> Kind | None:
    if key in INDEX_KEYS:
        return "index"
    if key in RECORD_KEYS:
        return "record"
    return None


def _is_scalar(item: object) -> bool:
    return isinstance(item, str | int) and not isinstance(item, bool)


def _children(item: object) -> Iterable[tuple[str | None, object]]:
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return [(each.name, getattr(item, each.name)) for each in dataclasses.fields(item)]
    if isinstance(item, Mapping):
        return [(str(name), value) for name, value in item.items()]
    if isinstance(item, list | tuple):
        return [(None, value) for value in item]
    return []


def redact(report: T) -> T:
    """`report` with index names, hosts and record ids replaced (a fresh set of placeholders)."""
    return Redactor().report(report)
