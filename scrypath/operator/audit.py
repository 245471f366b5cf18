"""`audit_index`: which documents of a model's index are wrong right now, id by id.

Failed-work reports know only the failures someone saw. A write that bypassed the ORM, a
pruned task history, a restore on either side or a hand edit leave no failure behind; the
audit finds them by comparing the database with the index. A full audit runs two streams:

1. **rows**: the table in keyset batches (as backfill reads it); each batch's documents are
   fetched by id and compared as exact JSON: `missing`, `stale`, and `extra` for a row that
   no longer qualifies;
2. **documents**: the index's ids, a page at a time; ids no row holds are `extra`.

Memory holds one batch and the drift found, never the whole table or index (when the
document id is a computed attribute rather than a column, the row ids seen are kept too).
Every candidate is read again before it is reported (see `scrypath.operator.audit_recheck`).
`sample=K` compares K random rows and up to K random documents instead, and estimates the
drift rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy.exc import SQLAlchemyError

from scrypath.config import Config, resolve
from scrypath.database_errors import database_cause
from scrypath.declaration import SearchSpec, spec_for
from scrypath.errors import ConfigurationError, DatabaseError
from scrypath.meilisearch.client import client_for
from scrypath.meilisearch.settings_contract import resolve_settings
from scrypath.operator.audit_compare import KINDS, Observation, id_text, judge
from scrypath.operator.audit_documents import Documents
from scrypath.operator.audit_recheck import Candidate, Sides, Verdict, recheck
from scrypath.operator.audit_report import (
    DEFAULT_ID_LIMIT,
    AuditMode,
    AuditPhase,
    AuditProgress,
    AuditReport,
    DriftIds,
    ProgressCallback,
    Rate,
    SampleEstimate,
)
from scrypath.operator.audit_rows import rows_for
from scrypath.operator.audit_sample import draw
from scrypath.telemetry import operator_command
from scrypath.verbs import check_keywords

DEFAULT_BATCH_SIZE = 1000
DEFAULT_SETTLE = 0.5
"""Seconds the recheck waits for writes in flight before it looks again."""

_OPTIONS = ("sample", "batch_size", "id_limit", "settle", "progress")


@dataclass(frozen=True, slots=True)
class SampleSeen:
    """What a sample drew: how many rows were asked for, the ids of the rows compared, and
    how many documents were checked for a row."""

    requested: int
    row_ids: frozenset[str]
    documents: int


@dataclass(frozen=True, slots=True)
class Pass:
    """What a pass over both sides compared, and the candidates it found."""

    candidates: dict[str, Candidate]
    rows: int
    documents: int
    sample: SampleSeen | None = None


@operator_command("audit_index")
def audit_index(
    model: type[Any],
    *,
    sample: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    id_limit: int = DEFAULT_ID_LIMIT,
    settle: float = DEFAULT_SETTLE,
    progress: ProgressCallback | None = None,
    **overrides: Any,
) -> AuditReport:
    """Compare `model`'s rows with its index's documents and report every drifted id.

    `sample=K` checks K random rows (and up to K random documents) instead of everything.
    `id_limit` caps the ids each kind lists (counts stay complete). `settle` is the pause
    before candidates are read again. Raises `IndexNotFoundError` when the index does not
    exist and `DatabaseError` when the rows cannot be read.
    """
    spec = spec_for(model)
    check_keywords("audit_index", overrides, _OPTIONS)
    _check_options(spec, sample, batch_size, id_limit, settle)
    config = resolve(**overrides)
    sides = _sides(spec, config, batch_size, settle)
    started = time.monotonic()
    try:
        found = (
            _full_pass(sides, started, progress)
            if sample is None
            else _sample_pass(sides, sample, started, progress)
        )
        verdict = recheck(sides, found.candidates)
    except SQLAlchemyError as error:
        raise DatabaseError(
            f"audit of {spec.model_name}: the rows could not be read: {database_cause(error)}",
            model=spec.model_name,
            index=sides.documents.index,
        ) from None
    mode: AuditMode = "full" if sample is None else "sample"
    return _report(spec, sides, mode, found, verdict, id_limit, time.monotonic() - started)


def _sides(spec: SearchSpec, config: Config, batch_size: int, settle: float) -> Sides:
    index = spec.index_name(config.index_prefix)
    documents = Documents(client_for(config), index, spec.document_id, spec.model_name)
    rows = rows_for(spec, config.require_session_factory(), batch_size)
    return Sides(rows, documents, displayed_fields(spec), config, settle)


def displayed_fields(spec: SearchSpec) -> frozenset[str] | None:
    """The fields compared: all, unless the declaration narrows `displayedAttributes`
    (Meilisearch returns only displayed fields, so only those can be compared)."""
    displayed = resolve_settings(spec.model).get("displayedAttributes")
    if not isinstance(displayed, list) or "*" in displayed:
        return None
    return frozenset({*displayed, spec.document_id})


def _full_pass(sides: Sides, started: float, progress: ProgressCallback | None) -> Pass:
    total_documents = sides.documents.count()  # first: a missing index fails before any scan
    total_rows = sides.rows.count() if progress is not None else None
    tell = _teller(progress, started)
    candidates: dict[str, Candidate] = {}
    seen: set[str] | None = None if sides.rows.id_column is not None else set()
    compared_rows = compared_documents = 0
    for rows in sides.rows.batches():
        documents = sides.documents.fetch([row.text for row in rows])
        for row in rows:
            observation = judge(row, documents.get(row.text), sides.fields)
            if observation.kind is not None:
                candidates[row.text] = Candidate(observation, row.key, row.document_id)
        if seen is not None:
            seen.update(row.text for row in rows)
        compared_rows += len(rows)
        compared_documents += len(documents)
        tell("rows", compared_rows, total_rows)
    listed = 0
    for page in sides.documents.id_pages():
        texts = [id_text(identifier) for identifier in page]
        present = sides.rows.existing(texts) if seen is None else seen.intersection(texts)
        for identifier, text in zip(page, texts, strict=True):
            if text not in present and text not in candidates:
                candidates[text] = Candidate(Observation("extra", None, None), None, identifier)
                compared_documents += 1
        listed += len(page)
        tell("documents", listed, total_documents)
    return Pass(candidates, compared_rows, compared_documents)


def _sample_pass(
    sides: Sides, size: int, started: float, progress: ProgressCallback | None
) -> Pass:
    sides.documents.count()  # a missing index fails before any read
    tell = _teller(progress, started)
    drawn = draw(sides, size, lambda done: tell("rows", done, size))
    compared = drawn.documents_fetched + drawn.documents
    seen = SampleSeen(size, drawn.row_ids, drawn.documents)
    return Pass(drawn.candidates, drawn.rows, compared, seen)


def _teller(progress: ProgressCallback | None, started: float) -> Callable[..., None]:
    def tell(phase: AuditPhase, done: int, total: int | None) -> None:
        if progress is not None:
            progress(AuditProgress(phase, done, total, time.monotonic() - started))

    return tell


def _report(
    spec: SearchSpec,
    sides: Sides,
    mode: AuditMode,
    found: Pass,
    verdict: Verdict,
    id_limit: int,
    elapsed: float,
) -> AuditReport:
    by_kind: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    for candidate in verdict.confirmed.values():
        assert candidate.observation.kind is not None
        by_kind[candidate.observation.kind].append(candidate.document_id)
    unsettled = [candidate.document_id for candidate in verdict.unsettled.values()]
    ids = {kind: DriftIds(kind, tuple(values), id_limit) for kind, values in by_kind.items()}
    return AuditReport(
        spec.model_name,
        sides.documents.index,
        mode,
        ids["missing"],
        ids["extra"],
        ids["stale"],
        DriftIds("unsettled", tuple(unsettled), id_limit),
        found.rows,
        found.documents,
        elapsed,
        None if found.sample is None else _estimate(found.sample, verdict),
    )


def _estimate(sample: SampleSeen, verdict: Verdict) -> SampleEstimate:
    """Rows drifted among the rows drawn; documents without a row among those drawn."""
    drifted_rows = sum(1 for text in verdict.confirmed if text in sample.row_ids)
    orphans = len(verdict.confirmed) - drifted_rows
    return SampleEstimate(
        sample.requested,
        Rate(drifted_rows, len(sample.row_ids)),
        Rate(orphans, sample.documents),
    )


def _check_options(
    spec: SearchSpec, sample: object, batch_size: object, id_limit: object, settle: object
) -> None:
    def refuse(key: str, message: str) -> NoReturn:
        raise ConfigurationError(f"audit_index(): {message}", key=key, model=spec.model_name)

    for key, value, least in (("batch_size", batch_size, 1), ("id_limit", id_limit, 0)):
        if not _whole(value, least):
            refuse(key, f"{key} must be a whole number >= {least}, got {value!r}")
    if sample is not None and not _whole(sample, 1):
        refuse("sample", f"sample must be a whole number >= 1, got {sample!r}")
    if isinstance(settle, bool) or not isinstance(settle, int | float) or not 0 <= settle <= 60:
        refuse("settle", f"settle must be a number of seconds from 0 to 60, got {settle!r}")


def _whole(value: object, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def drifted_ids(report: AuditReport, kinds: Iterable[str] = KINDS) -> list[Any]:
    """Every drifted id of `kinds`, in report order (what a repair touches)."""
    return [identifier for kind in kinds for identifier in getattr(report, kind).all_ids]
