"""A job's payload: written from a plan at enqueue time, checked again before delivery.

The payload is the JSON the search write needs and nothing more: the projected documents
(encoded by the one encoder, exactly as the inline path sends them) or the ids to delete.
It never holds a URL or a key. The worker re-checks it before sending, because rows can be
edited by hand or written by an older release: a payload that does not hold together (an
unknown model, a count that does not match, a bad shape) is invalid and the job is
cancelled, never retried.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scrypath.declaration import INDEX_UID, SearchSpec, registry
from scrypath.errors import InvalidDocumentIdError
from scrypath.projection import DocumentEncoder, validate_document_id
from scrypath.queue.jobs import Job
from scrypath.results import DocumentId


@dataclass(frozen=True, slots=True)
class Encoded:
    """A payload ready for a row: the JSON text, its ids, and how many documents."""

    payload: str
    document_ids: str
    document_count: int


@dataclass(frozen=True, slots=True)
class Decoded:
    """A checked payload: `(id, document)` pairs to upsert, or ids (with None) to delete."""

    spec: SearchSpec
    items: tuple[tuple[DocumentId, dict[str, Any] | None], ...]


@dataclass(frozen=True, slots=True)
class Invalid:
    """Why a payload cannot be delivered."""

    message: str


def model_reference(model: type[Any]) -> str:
    """How a row names its model: `module:QualifiedName`."""
    return f"{model.__module__}:{model.__qualname__}"


def encode_upserts(ids: Sequence[DocumentId], body: bytes) -> Encoded:
    """An upsert payload: the request body the inline path would send, and its ids."""
    return Encoded(body.decode("utf-8"), _ids_json(ids), len(ids))


def encode_deletes(ids: Sequence[DocumentId]) -> Encoded:
    text = _ids_json(ids)
    return Encoded(text, text, len(ids))


def _ids_json(ids: Sequence[DocumentId]) -> str:
    return json.dumps(list(ids), cls=DocumentEncoder, separators=(",", ":"))


def decode(job: Job) -> Decoded | Invalid:
    """The job's checked payload, or why it is invalid."""
    spec = resolve_model(job.model)
    if spec is None:
        return Invalid(f"unknown model {job.model!r}: not importable or not searchable")
    problem = _header_problem(job)
    if problem:
        return Invalid(problem)
    try:
        data = json.loads(job.payload, parse_constant=_no_constant)
        ids = json.loads(job.document_ids, parse_constant=_no_constant)
    except ValueError:
        return Invalid("the payload is not valid JSON (NaN and Infinity included)")
    return _decoded(job, spec, data, ids)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} has no JSON form")


def _header_problem(job: Job) -> str | None:
    if job.operation not in ("upsert", "delete"):
        return f"unknown operation {job.operation!r}"
    if not INDEX_UID.fullmatch(job.index):
        return f"invalid index uid {job.index!r}"
    if job.document_count < 1:
        return f"document count {job.document_count} is not positive"
    return None


def _decoded(job: Job, spec: SearchSpec, data: object, ids: object) -> Decoded | Invalid:
    if not isinstance(data, list) or not isinstance(ids, list):
        return Invalid("the payload and its ids must be JSON arrays")
    if len(data) != job.document_count or len(ids) != job.document_count:
        return Invalid(
            f"count mismatch: document_count is {job.document_count} but the payload holds "
            f"{len(data)} entries and {len(ids)} ids"
        )
    try:
        items = _upserts(spec, data) if job.operation == "upsert" else _deletes(data)
    except (InvalidDocumentIdError, _ShapeError) as error:
        return Invalid(str(error))
    if [identifier for identifier, _ in items] != ids:
        return Invalid("the payload's document ids do not match its document_ids column")
    return Decoded(spec, items)


class _ShapeError(ValueError):
    """A payload entry of the wrong shape (never leaves this module)."""


def _upserts(
    spec: SearchSpec, data: list[Any]
) -> tuple[tuple[DocumentId, dict[str, Any] | None], ...]:
    items: list[tuple[DocumentId, dict[str, Any] | None]] = []
    for document in data:
        if not isinstance(document, dict) or spec.document_id not in document:
            raise _ShapeError(
                f"each document must be a JSON object holding {spec.model_name}'s document id "
                f"field {spec.document_id!r}"
            )
        identifier = validate_document_id(document[spec.document_id], model=spec.model_name)
        items.append((identifier, document))
    return tuple(items)


def _deletes(data: list[Any]) -> tuple[tuple[DocumentId, dict[str, Any] | None], ...]:
    return tuple((validate_document_id(value), None) for value in data)


def resolve_model(reference: str) -> SearchSpec | None:
    """The searchable spec a row's model reference names, importing its module if needed."""
    spec = _registered(reference)
    if spec is not None:
        return spec
    module, _, name = reference.partition(":")
    if not module or not name:
        return None
    try:
        importlib.import_module(module)
    except Exception:  # an unimportable module makes the reference unknown, not a crash
        return None
    return _registered(reference)


def _registered(reference: str) -> SearchSpec | None:
    for spec in registry.specs():
        if model_reference(spec.model) == reference:
            return spec
    return None
