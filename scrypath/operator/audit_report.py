"""The document audit's report: what drifted, how much was compared, and (sampled) how much
drift the whole index likely holds. Versioned (`version: 1`) like every operator report."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from scrypath.operator.audit_compare import KINDS, DriftKind
from scrypath.projection import DocumentId

AuditMode = Literal["full", "sample"]
AuditPhase = Literal["rows", "documents"]

DEFAULT_ID_LIMIT = 100
"""How many ids of each kind a report lists; the counts are always complete."""


@dataclass(frozen=True, slots=True)
class DriftIds:
    """Every id of one kind (the repair needs them all); the JSON lists the first `limit`."""

    kind: str
    all_ids: tuple[DocumentId, ...]
    limit: int = DEFAULT_ID_LIMIT

    @property
    def count(self) -> int:
        return len(self.all_ids)

    @property
    def ids(self) -> tuple[DocumentId, ...]:
        """The first `limit` ids, in the order the audit found them."""
        return self.all_ids[: self.limit]

    @property
    def truncated(self) -> bool:
        return self.count > self.limit

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "ids": list(self.ids), "truncated": self.truncated}


@dataclass(frozen=True, slots=True)
class Rate:
    """A proportion seen in a sample, with its 95% Wilson interval."""

    drifted: int
    size: int

    @property
    def estimate(self) -> float:
        return self.drifted / self.size if self.size else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% Wilson score interval, which stays inside [0, 1] even at zero drift."""
        if not self.size:
            return (0.0, 1.0)
        z, n, p = 1.96, self.size, self.estimate
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return (max(0.0, centre - half), min(1.0, centre + half))

    def to_json(self) -> dict[str, Any]:
        low, high = self.interval
        return {
            "drifted": self.drifted,
            "sample_size": self.size,
            "estimate": self.estimate,
            "interval_95": [low, high],
        }


@dataclass(frozen=True, slots=True)
class SampleEstimate:
    """A sampled audit: `rows` are random rows compared with their documents (missing,
    stale, extra because the row stopped qualifying); `documents` are random documents
    checked for a row (extra because the row is gone)."""

    requested: int
    rows: Rate
    documents: Rate

    def to_json(self) -> dict[str, Any]:
        return {
            "requested": self.requested,
            "rows": self.rows.to_json(),
            "documents": self.documents.to_json(),
        }


@dataclass(frozen=True, slots=True)
class AuditProgress:
    """How far an audit got: reported after each batch of rows or page of ids."""

    phase: AuditPhase
    done: int
    total: int | None
    elapsed: float

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left in this phase, when its size and pace are known."""
        if self.total is None or not self.rate:
            return None
        return max(0.0, (self.total - self.done) / self.rate)


ProgressCallback = Callable[[AuditProgress], None]


@dataclass(frozen=True, slots=True)
class AuditReport:
    """`audit_index`: the database against the index, id by id.

    `missing`: rows that belong in the index and have no document; `extra`: documents
    whose row is gone or no longer qualifies; `stale`: documents whose JSON differs from
    the row's projection. `unsettled` ids kept changing through every recheck: they were
    being written during the audit, so they are not reported as drift.
    """

    model: str
    index: str
    mode: AuditMode
    missing: DriftIds
    extra: DriftIds
    stale: DriftIds
    unsettled: DriftIds
    rows_compared: int
    documents_compared: int
    elapsed: float
    sample: SampleEstimate | None = None

    @property
    def match(self) -> bool:
        """True when nothing drifted (in a sample: nothing drifted in the sample)."""
        return not self.drift_count

    @property
    def drift_count(self) -> int:
        return self.missing.count + self.extra.count + self.stale.count

    def kind(self, name: DriftKind) -> DriftIds:
        """The ids of one kind of drift."""
        found: DriftIds = getattr(self, name)
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "model": self.model,
            "index": self.index,
            "mode": self.mode,
            "match": self.match,
            "counts": {name: self.kind(name).count for name in KINDS},
            **{name: self.kind(name).to_json() for name in KINDS},
            "unsettled": self.unsettled.to_json(),
            "rows_compared": self.rows_compared,
            "documents_compared": self.documents_compared,
            "elapsed": self.elapsed,
            "sample": None if self.sample is None else self.sample.to_json(),
        }
