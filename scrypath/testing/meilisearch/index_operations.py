"""Index tasks: creation, update (primary key, rename), deletion, swap, settings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from . import settings as settings_mod
from .errors import MeiliError
from .state import State
from .tasks import Task


@dataclass(frozen=True, slots=True)
class IndexChange:
    """The payload of indexCreation and indexUpdate tasks."""

    primary_key: str | None = None
    new_uid: str | None = None


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """The payload of a settingsUpdate task; deletions never create the index."""

    update: dict[str, Any]
    is_deletion: bool = False


@dataclass(frozen=True, slots=True)
class Swap:
    indexes: tuple[str, ...]
    rename: bool = False


def create_index(state: State, task: Task, now: int) -> dict[str, Any] | None:
    change: IndexChange = task.payload
    uid = task.index_uid or ""
    if uid in state.indexes:
        raise MeiliError("index_already_exists", f"Index `{uid}` already exists.")
    state.indexes[uid] = state.new_index(uid, change.primary_key, now)
    return task.details


def update_index(state: State, task: Task, now: int) -> dict[str, Any] | None:
    change: IndexChange = task.payload
    index = state.require_index(task.index_uid or "")
    if change.primary_key is not None and change.primary_key != index.primary_key:
        if len(index.store):
            raise MeiliError(
                "index_primary_key_already_exists",
                f"Index `{index.uid}`: Index already has a primary key: `{index.primary_key}`.",
            )
        index = state.with_primary_key(index, change.primary_key)
    index = replace(index, updated_at=now)
    if change.new_uid is not None and change.new_uid != index.uid:
        if change.new_uid in state.indexes:
            raise MeiliError("index_already_exists", f"Index `{change.new_uid}` already exists.")
        del state.indexes[index.uid]
        state.relabel_tasks({index.uid: change.new_uid}, task.uid)
        index = replace(index, uid=change.new_uid)
    state.indexes[index.uid] = index
    return task.details


def delete_index(state: State, task: Task, now: int) -> dict[str, Any] | None:
    index = state.require_index(task.index_uid or "")
    del state.indexes[index.uid]
    return {"deletedDocuments": len(index.store)}


def update_settings(state: State, task: Task, now: int) -> dict[str, Any] | None:
    change: SettingsChange = task.payload
    uid = task.index_uid or ""
    index = state.indexes.get(uid)
    if index is None:
        if change.is_deletion:
            raise MeiliError("index_not_found", f"Index `{uid}` not found.")
        index = state.new_index(uid, None, now)
    merged = settings_mod.apply(index.settings, change.update)
    index.store.reconfigure(merged)
    state.indexes[uid] = replace(index, settings=merged, updated_at=now)
    return task.details


def swap_indexes(state: State, task: Task, now: int) -> dict[str, Any] | None:
    swaps: tuple[Swap, ...] = task.payload
    _check_swaps(state, swaps)
    renames: dict[str, str] = {}
    for swap in swaps:
        left, right = swap.indexes
        renames[left] = right
        if not swap.rename:
            renames[right] = left
    moved = {uid: state.indexes.pop(uid) for uid in renames if uid in state.indexes}
    for old_uid, index in moved.items():
        new_uid = renames[old_uid]
        state.indexes[new_uid] = replace(index, uid=new_uid, updated_at=now)
    state.relabel_tasks(renames, task.uid)
    return task.details


def _check_swaps(state: State, swaps: tuple[Swap, ...]) -> None:
    missing: list[str] = []
    taken: list[tuple[str, str]] = []
    for swap in swaps:
        left, right = swap.indexes
        if left not in state.indexes:
            missing.append(left)
        if swap.rename and right in state.indexes:
            taken.append((left, right))
        elif not swap.rename and right not in state.indexes:
            missing.append(right)
    if missing:
        raise _swap_missing(missing)
    if taken:
        raise _swap_taken(taken)


def _swap_missing(missing: list[str]) -> MeiliError:
    if len(missing) == 1:
        return MeiliError("index_not_found", f"Index `{missing[0]}` not found.")
    listed = ", ".join(f"`{uid}`" for uid in missing)
    return MeiliError("index_not_found", f"Indexes {listed} not found.")


def _swap_taken(taken: list[tuple[str, str]]) -> MeiliError:
    if len(taken) == 1:
        left, right = taken[0]
        return MeiliError(
            "index_already_exists",
            f"Cannot rename `{left}` to `{right}` as the index already exists. Hint: You can "
            f"remove `{right}` first and then do your remove.",
        )
    listed = ", ".join(f"`{right}`" for _, right in taken)
    return MeiliError(
        "index_already_exists",
        "The following indexes are being renamed but cannot because their new name "
        f"conflicts with an already existing index: {listed}. Renaming doesn't overwrite "
        "the other index name.",
    )
