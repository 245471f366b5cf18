"""Operator reports with index names, hosts and record ids replaced by stable placeholders.

Reports already leave out keys, passwords and document bodies. Redaction goes further, so
that an adopter can paste a report into a public issue: every index name becomes `index-1`,
`index-2`, ..., every host `host-1`, ..., and every record id `record-1`, ..., numbered in the
order they first appear, so one value keeps one placeholder across the whole output.

Values are found where reports put them (fields such as `index`, `target_index`,
`document_ids`) and then replaced wherever they occur, free text included: reasons and
recoveries are written by scrypath or copied from Meilisearch, so they can name an index or
a record. Meilisearch's messages quote document ids in backticks; those are replaced even
when no field named them. A number in a message that equals a redacted record id is replaced
too: redaction errs on the side of hiding.
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
    {"document_id", "document_ids", "ids", "record_id", "record_ids", "missing", "extra", "stale"}
)
"""Fields whose values are record (document) ids, alone or in a list."""

_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)([^\s/'\"`<>]+)")
_QUOTED_DOCUMENT = re.compile(
    r"((?:document|documents|document identifier|document id|primary key value)\s+)`([^`]*)`",
    re.IGNORECASE,
)


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

    def text(self, text: str) -> str:
        """Free text with every known value, URL host and quoted document id replaced."""
        text = _URL.sub(lambda match: match.group(1) + self._host(match.group(2)), text)
        text = _QUOTED_DOCUMENT.sub(
            lambda match: f"{match.group(1)}`{self.placeholder('record', match.group(2))}`", text
        )
        for kind in ("index", "record"):
            for value, placeholder in sorted(
                self._placeholders[kind].items(), key=lambda item: -len(item[0])
            ):
                if value:
                    text = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", placeholder, text)
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
            return self.text(item)
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
