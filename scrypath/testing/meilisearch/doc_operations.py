"""Document tasks: additions (with primary-key inference and id checks) and deletions.

A task either applies completely or fails without touching the index, as in Meilisearch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .errors import MeiliError
from .indexes import Index
from .names import document_id_problem, document_id_text
from .state import State
from .tasks import Task
from .wire import compact_json


@dataclass(frozen=True, slots=True)
class DocumentWrite:
    """The payload of a documentAdditionOrUpdate task."""

    documents: list[dict[str, Any]]
    merge: bool
    primary_key: str | None
    skip_creation: bool = False


@dataclass(frozen=True, slots=True)
class DocumentDeletion:
    """The payload of a documentDeletion task: by ids, by filter, or everything."""

    ids: tuple[str, ...] | None = None
    filter: Any = None
    clear: bool = False


def add_documents(state: State, task: Task, now: int) -> dict[str, Any]:
    write: DocumentWrite = task.payload
    uid = task.index_uid or ""
    index = state.indexes.get(uid) or state.new_index(uid, None, now)
    primary_key = resolve_primary_key(index.primary_key, write.primary_key, write.documents)
    if primary_key is None:
        state.indexes[uid] = index
        return {"receivedDocuments": 0, "indexedDocuments": 0}
    check_documents(write.documents, primary_key)
    if index.primary_key is None:
        index = state.with_primary_key(index, primary_key)
    documents = write.documents
    if write.skip_creation:
        documents = [doc for doc in documents if _exists(index, doc[primary_key])]
    indexed = index.store.upsert(documents, merge=write.merge)
    state.indexes[uid] = replace(index, updated_at=now)
    return {"receivedDocuments": len(write.documents), "indexedDocuments": indexed}


def _exists(index: Index, doc_id: Any) -> bool:
    return index.store.get(document_id_text(doc_id)) is not None


def resolve_primary_key(
    current: str | None, requested: str | None, documents: list[dict[str, Any]]
) -> str | None:
    """The primary key a write uses: the index's, the requested one, or an inferred one."""
    if current is not None:
        if requested is not None and requested != current:
            raise MeiliError(
                "index_primary_key_already_exists",
                f"Index already has a primary key: `{current}`.",
            )
        return current
    if requested is not None:
        return requested
    if not documents:
        return None
    return infer_primary_key(documents[0])


def infer_primary_key(document: dict[str, Any]) -> str:
    """The only attribute whose name ends with `id` (any case), as Meilisearch guesses it."""
    candidates = sorted(name for name in document if name.lower().endswith("id"))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise MeiliError(
            "index_primary_key_no_candidate_found",
            "The primary key inference failed as the engine did not find any field ending "
            "with `id` in its name. Please specify the primary key manually using the "
            "`primaryKey` query parameter.",
        )
    raise MeiliError(
        "index_primary_key_multiple_candidates_found",
        f"The primary key inference failed as the engine found {len(candidates)} fields "
        f"ending with `id` in their names: '{candidates[0]}' and '{candidates[1]}'. Please "
        "specify the primary key manually using the `primaryKey` query parameter.",
    )


def check_documents(documents: list[dict[str, Any]], primary_key: str) -> None:
    """Every document carries a valid id under `primary_key`, or the task fails."""
    for document in documents:
        if primary_key not in document:
            raise MeiliError(
                "missing_document_id",
                f"Document doesn't have a `{primary_key}` attribute: `{compact_json(document)}`.",
            )
        problem = document_id_problem(document[primary_key])
        if problem:
            raise MeiliError("invalid_document_id", problem)


def delete_documents(state: State, task: Task, now: int) -> dict[str, Any]:
    deletion: DocumentDeletion = task.payload
    index = state.require_index(task.index_uid or "")
    details = dict(task.details or {})
    if deletion.clear:
        deleted = index.store.clear()
    elif deletion.ids is not None:
        deleted = index.store.delete(deletion.ids)
    else:
        deleted = index.store.delete(_matching(index, deletion.filter))
    state.indexes[index.uid] = replace(index, updated_at=now)
    details["deletedDocuments"] = deleted
    return details


def _matching(index: Index, filter_expr: Any) -> list[str]:
    try:
        return index.store.matching(
            filter_expr, index.settings, error_code="invalid_document_filter"
        )
    except MeiliError as error:
        raise MeiliError(error.code, f"Index `{index.uid}`: {error.message}") from None
