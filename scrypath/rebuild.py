"""Zero-downtime reindex: rebuild a model's index beside the live one, verify it, swap.

The run is a pipeline of named steps; a failure names its step, says what was left
behind, and leaves the live index serving:

1. `check_ranking_rules`: refuse declared ranking rules that drop a built-in rule.
2. `lock`: create the lock `<live>__reindex_lock` before touching anything else. Creating
   an index is a task that fails with `index_already_exists` when the uid is taken, so of
   two runs exactly one gets it; the other is refused. `takeover` replaces a dead run's lock.
3. `prepare`: refuse a rebuild still announced by a run that holds no lock (unless
   `takeover`), and delete a leftover `<live>__reindex` from an earlier run.
4. `create_target`: create `<live>__reindex` with the document id as primary key and the
   declared settings.
5. `verify_settings`: compare the target's live settings with the declaration; drift aborts.
6. `announce`: create the marker (only now, so writers never copy to a missing target),
   then wait out the grace period so that every writer, in every process, sends each write
   to the target too.
7. `backfill`: every row into the target, each batch awaited and rechecked.
8. `verify`: every task on the target succeeded, and its document count equals the count
   of indexable rows.
9. `cutover`: one atomic swap (a rename when the live index does not exist yet).
10. `withdraw`: delete the marker and wait out the grace period again.
11. `cleanup`: delete the old index, now under the target's name, unless `keep_old`.
12. `unlock`: delete the lock; a failed run releases it too, after removing what it made.

How no write is lost is explained in the reindexing guide and in `scrypath.delivery`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import meilisearch
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scrypath.bulk import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_PAYLOAD_BYTES,
    BackfillProgress,
    BackfillResult,
    Plan,
    count_indexable,
    plan_backfill,
    run_backfill,
)
from scrypath.database_errors import error_text
from scrypath.declaration import SearchSpec
from scrypath.errors import (
    IndexNotFoundError,
    ReindexError,
    ScrypathError,
    TaskFailedError,
)
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.rebuild_marker import (
    GRACE_PERIOD,
    MARKER_DOCUMENT,
    can_rebuild,
    lock_name,
    marker_document,
    marker_exists,
    marker_name,
    remember,
    target_name,
)
from scrypath.meilisearch.settings_contract import (
    SettingsDelta,
    compare_settings,
    read_index_settings,
)
from scrypath.meilisearch.settings_wire import wire_settings
from scrypath.meilisearch.tasks import TaskRef, await_task, task_ref
from scrypath.telemetry import span

COUNT_SETTLE_TIMEOUT = 60.0
"""Seconds the count check keeps waiting for a moment when no write reaches the target."""
QUIET_MISMATCHES = 3
"""Counts that must disagree with no write in between before the check calls it a mismatch."""

_REQUIRED_RULES = ("words", "typo", "proximity", "sort", "exactness")
_ATTRIBUTE_PAIR = ("attributeRank", "wordPosition")


@dataclass(frozen=True, slots=True)
class ReindexResult:
    """A finished reindex: what was rebuilt, verified and swapped in.

    `first_run` is True when the live index did not exist and the target was renamed into
    place. `old_index` names the previous index when `keep_old` kept it for rollback.
    """

    model: str
    index: str
    target: str
    steps: tuple[str, ...]
    backfill: BackfillResult
    expected_documents: int
    documents: int
    first_run: bool
    leftover_deleted: bool
    stale_marker_replaced: bool
    stale_lock_replaced: bool
    old_index: str | None
    elapsed: float

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "index": self.index,
            "target": self.target,
            "steps": list(self.steps),
            "backfill": self.backfill.to_json(),
            "expected_documents": self.expected_documents,
            "documents": self.documents,
            "first_run": self.first_run,
            "leftover_deleted": self.leftover_deleted,
            "stale_marker_replaced": self.stale_marker_replaced,
            "stale_lock_replaced": self.stale_lock_replaced,
            "old_index": self.old_index,
            "elapsed": self.elapsed,
        }


@dataclass(frozen=True, slots=True)
class _Run:
    plan: Plan
    live: str
    keep_old: bool
    takeover: bool
    allow_partial_ranking_rules: bool
    grace_period: float
    progress: Callable[[BackfillProgress], None] | None
    identity: dict[str, Any]
    """The run's document in its lock and marker: who to name when another run finds them."""

    @property
    def spec(self) -> SearchSpec:
        return self.plan.spec

    @property
    def client(self) -> meilisearch.Client:
        return self.plan.client

    @property
    def target(self) -> str:
        return self.plan.index

    @property
    def marker(self) -> str:
        return marker_name(self.live)

    @property
    def lock(self) -> str:
        return lock_name(self.live)

    def context(self, operation: str) -> dict[str, Any]:
        return {"model": self.spec.model_name, "operation": f"reindex.{operation}"}


@dataclass(slots=True)
class _Ledger:
    """What the run has done so far: the record its cleanup and its result are built from."""

    steps: list[str] = field(default_factory=list)
    locked: bool = False
    stale_lock_replaced: bool = False
    leftover_deleted: bool = False
    stale_marker_replaced: bool = False
    target_created: bool = False
    first_task: int = 0
    announced: bool = False
    backfill: BackfillResult | None = None
    expected: int = 0
    documents: int = 0
    cut_over: bool = False
    renamed: bool = False
    old_index: str | None = None


class _Abort(Exception):
    """A check refused to go on; `cause` and `details` land in the ReindexError's context."""

    def __init__(self, message: str, *, cause: str = "check_failed", **details: Any) -> None:
        super().__init__(message)
        self.cause = cause
        self.details = details


def reindex(
    model: type[Any],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
    keep_old: bool = False,
    takeover: bool = False,
    allow_partial_ranking_rules: bool = False,
    grace_period: float = GRACE_PERIOD,
    progress: Callable[[BackfillProgress], None] | None = None,
    mode: Literal["inline"] | None = None,
    session: Session | None = None,
    **overrides: Any,
) -> ReindexResult:
    """Rebuild the model's index from the database without downtime; see the module docs.

    A rebuild awaits every batch, so its only mode is `inline` (`mode=` and `sync_mode=`
    accept nothing else). Rows are read through `session`'s connection when given, else
    through the configured `session_factory`.

    `grace_period` must stay longer than the writers' marker cache (two seconds); lower it
    only when every writer runs in this process. Another run of the same index is refused
    with a `ReindexError` at step `lock`; `takeover` replaces the lock and marker of a run
    that died. `keep_old` keeps the previous index (as `<live>__reindex`) for rollback.
    """
    plan = plan_backfill(
        model,
        statement=None,
        index=None,
        mode=mode,
        session=session,
        batch_size=batch_size,
        max_payload_bytes=max_payload_bytes,
        recheck=True,
        verb="reindex",
        modes=("inline",),
        **overrides,
    )
    live = plan.index
    run = _Run(
        plan=replace(plan, index=target_name(live)),
        live=live,
        keep_old=keep_old,
        takeover=takeover,
        allow_partial_ranking_rules=allow_partial_ranking_rules,
        grace_period=max(0.0, grace_period),
        progress=progress,
        identity=marker_document(target_name(live)),
    )
    started = time.monotonic()
    ledger = _Ledger()
    with span("scrypath.reindex", model=run.spec.model_name, index=live, mode="inline"):
        return _steps(run, ledger, started)


def _steps(run: _Run, ledger: _Ledger, started: float) -> ReindexResult:
    """Run every step in order under its own span; a failure rolls back and raises."""
    model = run.spec.model_name
    for name, step in STEPS:
        try:
            with span("scrypath.reindex.step", model=model, index=run.live, step=name):
                step(run, ledger)
        except (ScrypathError, SQLAlchemyError, _Abort) as error:
            raise _failed(run, ledger, name, error) from error
        except BaseException:
            _roll_back(run, ledger)
            raise
        ledger.steps.append(name)
    return _result(run, ledger, time.monotonic() - started)


def _result(run: _Run, ledger: _Ledger, elapsed: float) -> ReindexResult:
    assert ledger.backfill is not None
    return ReindexResult(
        model=run.spec.model_name,
        index=run.live,
        target=run.target,
        steps=tuple(ledger.steps),
        backfill=ledger.backfill,
        expected_documents=ledger.expected,
        documents=ledger.documents,
        first_run=ledger.renamed,
        leftover_deleted=ledger.leftover_deleted,
        stale_marker_replaced=ledger.stale_marker_replaced,
        stale_lock_replaced=ledger.stale_lock_replaced,
        old_index=ledger.old_index,
        elapsed=elapsed,
    )


def missing_ranking_rules(rules: Sequence[str]) -> list[str]:
    """The built-in ranking rules a declared list leaves out (`attribute` stands for the
    `attributeRank` and `wordPosition` pair)."""
    missing = [rule for rule in _REQUIRED_RULES if rule not in rules]
    if "attribute" not in rules:
        missing += [rule for rule in _ATTRIBUTE_PAIR if rule not in rules]
    return missing


# -- steps -----------------------------------------------------------------------------------


def check_ranking_rules(run: _Run, ledger: _Ledger) -> None:
    rules = run.spec.settings.get("ranking_rules")
    if rules is None or run.allow_partial_ranking_rules:
        return
    missing = missing_ranking_rules(list(rules))
    if missing:
        raise _Abort(
            f"the declared ranking_rules leave out {', '.join(missing)}; the rebuilt index "
            "would rank (and, without 'sort', sort) differently from what users get now. "
            "Declare them, or pass allow_partial_ranking_rules=True",
            missing_rules=missing,
        )


def lock(run: _Run, ledger: _Ledger) -> None:
    if not can_rebuild(run.live):
        raise _Abort(f"index {run.live!r} leaves no room for the rebuild's index names; shorten it")
    if not _create_lock(run):
        if not run.takeover:
            raise _held_elsewhere(run, run.lock, "is already running")
        _delete(run, run.lock, "lock")
        ledger.stale_lock_replaced = True
        if not _create_lock(run):
            raise _held_elsewhere(run, run.lock, "took the lock while this run was taking over")
    ledger.locked = True
    _submit(run, "post", f"indexes/{run.lock}/documents", [run.identity], "lock", run.lock)


def _create_lock(run: _Run) -> bool:
    """Create the lock index; False when it exists (the one atomic test-and-set there is)."""
    body = {"uid": run.lock, "primaryKey": "id"}
    try:
        _submit(run, "post", "indexes", body, "lock", run.lock)
    except TaskFailedError as error:
        if error.code != "index_already_exists":
            raise
        return False
    return True


def prepare(run: _Run, ledger: _Ledger) -> None:
    if marker_exists(run.client, run.live, **run.context("prepare")):
        if not run.takeover:
            raise _held_elsewhere(run, run.marker, "is still announced")
        _withdraw_marker(run)
        ledger.stale_marker_replaced = True
    if _exists(run, run.target, "prepare"):
        _delete(run, run.target, "prepare")
        ledger.leftover_deleted = True


def create_target(run: _Run, ledger: _Ledger) -> None:
    body = {"uid": run.target, "primaryKey": run.spec.document_id}
    task = _submit(run, "post", "indexes", body, "create_target", run.target)
    ledger.target_created = True
    ledger.first_task = task.uid
    path = f"indexes/{run.target}/settings"
    _submit(run, "patch", path, target_settings(run.spec), "create_target", run.target)


def target_settings(spec: SearchSpec) -> dict[str, Any]:
    """The settings the target is created with: exactly what `ensure_index` applies."""
    return wire_settings(spec)


def verify_settings(run: _Run, ledger: _Ledger) -> None:
    live = read_index_settings(run.client, run.target, **run.context("verify_settings"))
    drift = compare_settings(wire_settings(run.spec), live)
    if drift:
        keys = ", ".join(delta["key"] for delta in drift)
        raise _Abort(
            f"the settings of {run.target!r} differ from the declaration in: {keys}",
            drift=_json_drift(drift),
        )


def announce(run: _Run, ledger: _Ledger) -> None:
    body = {"uid": run.marker, "primaryKey": "id"}
    _submit(run, "post", "indexes", body, "announce", run.marker)
    ledger.announced = True
    document = [run.identity]
    _submit(run, "post", f"indexes/{run.marker}/documents", document, "announce", run.marker)
    remember(run.client, run.live, rebuilding=True)
    _pause(run)


def backfill(run: _Run, ledger: _Ledger) -> None:
    ledger.backfill = run_backfill(run.plan, progress=run.progress)


def verify(run: _Run, ledger: _Ledger) -> None:
    _check_count(run, ledger)
    failed = _failed_tasks(run, run.target, since=ledger.first_task)
    if failed:
        raise _Abort(
            f"{len(failed)} task(s) on {run.target!r} did not succeed (first: task "
            f"{failed[0]}); a write may be missing from the rebuild",
            failed_tasks=failed,
        )


def _check_count(run: _Run, ledger: _Ledger) -> None:
    """Compare the target's document count with the indexable rows.

    Writers keep writing, so a count is only trusted when no task reached the target while
    the rows were counted; a mismatch must repeat in such quiet moments to count.
    """
    deadline = time.monotonic() + COUNT_SETTLE_TIMEOUT
    quiet_mismatches = 0
    while True:
        before = _settled_state(run, run.target)
        ledger.expected = count_indexable(run.plan)
        after = _settled_state(run, run.target)
        ledger.documents = after[1]
        if before == after:
            if ledger.expected == ledger.documents:
                return
            quiet_mismatches += 1
        if quiet_mismatches >= QUIET_MISMATCHES or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    settled = "" if quiet_mismatches else " (writes never paused long enough to compare)"
    raise _Abort(
        f"{run.target!r} holds {ledger.documents} documents but {ledger.expected} rows are "
        f"indexable{settled}; two rows may share a document id, or documents went missing",
        expected_documents=ledger.expected,
        documents=ledger.documents,
    )


def cutover(run: _Run, ledger: _Ledger) -> None:
    if _exists(run, run.live, "cutover"):
        _swap(run, [run.live, run.target], rename=False)
    else:
        try:
            _swap(run, [run.target, run.live], rename=True)
            ledger.renamed = True
        except TaskFailedError as error:
            if error.code != "index_already_exists":
                raise
            _swap(run, [run.live, run.target], rename=False)
    ledger.cut_over = True


def withdraw(run: _Run, ledger: _Ledger) -> None:
    _withdraw_marker(run)
    ledger.announced = False


def cleanup(run: _Run, ledger: _Ledger) -> None:
    if not _exists(run, run.target, "cleanup"):
        return
    if run.keep_old and not ledger.renamed:
        ledger.old_index = run.target
        return
    _delete(run, run.target, "cleanup")


def unlock(run: _Run, ledger: _Ledger) -> None:
    _delete(run, run.lock, "unlock")
    ledger.locked = False


_Step = Callable[[_Run, _Ledger], None]
STEPS: tuple[tuple[str, _Step], ...] = (
    ("check_ranking_rules", check_ranking_rules),
    ("lock", lock),
    ("prepare", prepare),
    ("create_target", create_target),
    ("verify_settings", verify_settings),
    ("announce", announce),
    ("backfill", backfill),
    ("verify", verify),
    ("cutover", cutover),
    ("withdraw", withdraw),
    ("cleanup", cleanup),
    ("unlock", unlock),
)
"""The reindex pipeline, in order; a failure is reported under the step's name."""


# -- failure ---------------------------------------------------------------------------------


def _failed(run: _Run, ledger: _Ledger, step: str, error: BaseException) -> ReindexError:
    left = _roll_back(run, ledger)
    details = error.details if isinstance(error, _Abort) else {}
    cause = _cause(error)
    if ledger.cut_over:
        state = f"cutover had happened: {run.live!r} serves the rebuilt index"
    else:
        state = f"the live index {run.live!r} was not touched and keeps serving"
    behind = f"left behind: {', '.join(left)}" if left else "nothing was left behind"
    return ReindexError(
        f"reindex of {run.spec.model_name} failed at step {step!r}: {error_text(error)}. "
        f"{state}; {behind}",
        model=run.spec.model_name,
        index=run.live,
        target=run.target,
        step=step,
        cause=cause,
        live_untouched=not ledger.cut_over,
        left_behind=left,
        completed_steps=list(ledger.steps),
        **details,
    )


def _cause(error: BaseException) -> str:
    if isinstance(error, ScrypathError):
        inner = error.context.get("cause")
        return inner if isinstance(inner, str) else error.reason
    return error.cause if isinstance(error, _Abort) else "database"


def _roll_back(run: _Run, ledger: _Ledger) -> list[str]:
    """Undo what the run created (best effort); returns what is still there.

    The lock goes last, so that no other run starts while this one is still cleaning up.
    """
    owned: list[str] = []
    withdrawn = True
    if ledger.announced:
        owned.append(run.marker)
        withdrawn = _quietly(lambda: _withdraw_marker(run))
    if ledger.target_created and not (ledger.cut_over and run.keep_old):
        owned.append(run.target)
        if withdrawn:
            _quietly(lambda: _delete(run, run.target, "rollback"))
    if ledger.locked:
        owned.append(run.lock)
        _quietly(lambda: _delete(run, run.lock, "rollback"))
    return [uid for uid in owned if _still_there(run, uid)]


def _quietly(action: Callable[[], None]) -> bool:
    """Run a cleanup action; a failure only means something stays behind."""
    try:
        action()
    except ScrypathError:
        return False
    return True


def _still_there(run: _Run, uid: str) -> bool:
    try:
        return _exists(run, uid, "rollback")
    except ScrypathError:
        return True


def _held_elsewhere(run: _Run, uid: str, what: str) -> _Abort:
    """The refusal when another run's lock or marker is in the way; names that run."""
    holder = _holder(run, uid)
    who = f" (run {holder.get('run')} on {holder.get('host')}, pid {holder.get('pid')})"
    return _Abort(
        f"another reindex of {run.live!r} {what}{who if holder else ''}; if that run died, "
        f"pass takeover=True to replace its {uid!r}",
        cause="already_running",
        held_by=uid,
        holder=holder or None,
    )


def _holder(run: _Run, uid: str) -> dict[str, Any]:
    """The run document in a lock or marker; empty when it cannot be read (yet)."""
    try:
        with backend_call(index=uid, **run.context("lock")):
            info = run.client.http.get(f"indexes/{uid}/documents/{MARKER_DOCUMENT}")
    except ScrypathError:
        return {}
    fields = ("run", "host", "pid", "started_at")
    return {key: info[key] for key in fields if key in info} if isinstance(info, dict) else {}


def _json_drift(drift: list[SettingsDelta]) -> list[dict[str, Any]]:
    return [dict(delta) for delta in drift]


# -- Meilisearch index operations ------------------------------------------------------------


def _submit(run: _Run, verb: str, path: str, body: Any, operation: str, index: str) -> TaskRef:
    context = {"index": index, **run.context(operation)}
    with backend_call(**context):
        summary = getattr(run.client.http, verb)(path, body)
    return _wait(run, task_ref(summary), context)


def _wait(run: _Run, task: TaskRef, context: dict[str, Any]) -> TaskRef:
    config = run.plan.config
    return await_task(run.client, task, config, timeout=config.bulk_task_timeout, **context)


def _exists(run: _Run, uid: str, operation: str) -> bool:
    try:
        with backend_call(index=uid, **run.context(operation)):
            run.client.http.get(f"indexes/{uid}")
    except IndexNotFoundError:
        return False
    return True


def _delete(run: _Run, uid: str, operation: str) -> None:
    try:
        with backend_call(index=uid, **run.context(operation)):
            summary = run.client.http.delete(f"indexes/{uid}")
        _wait(run, task_ref(summary), {"index": uid, **run.context(operation)})
    except (IndexNotFoundError, TaskFailedError) as error:
        if isinstance(error, TaskFailedError) and error.code != "index_not_found":
            raise


def _withdraw_marker(run: _Run) -> None:
    _delete(run, run.marker, "withdraw")
    remember(run.client, run.live, rebuilding=False)
    _pause(run)


def _pause(run: _Run) -> None:
    if run.grace_period > 0:
        time.sleep(run.grace_period)


def _swap(run: _Run, indexes: list[str], *, rename: bool) -> None:
    body = [{"indexes": indexes, "rename": rename}]
    _submit(run, "post", "swap-indexes", body, "cutover", run.live)


def _settled_state(run: _Run, uid: str) -> tuple[int, int]:
    """The newest task on `uid` and the document count once that task has finished."""
    with backend_call(index=uid, **run.context("verify")):
        newest = run.client.http.get(f"tasks?indexUids={uid}&limit=1")["results"]
    newest_uid = int(newest[0]["uid"]) if newest else -1
    if newest:
        with contextlib.suppress(TaskFailedError):
            _wait(run, TaskRef(newest_uid, uid), {"index": uid, **run.context("verify")})
    with backend_call(index=uid, **run.context("verify")):
        stats = run.client.http.get(f"indexes/{uid}/stats")
    return newest_uid, int(stats["numberOfDocuments"])


def _failed_tasks(run: _Run, uid: str, *, since: int) -> list[int]:
    """Every failed or canceled task on `uid` from task `since` on, page by page (newest
    first), so that no cap can hide one."""
    found: list[int] = []
    cursor: int | None = None
    while True:
        path = f"tasks?indexUids={uid}&statuses=failed,canceled&limit=100"
        if cursor is not None:
            path += f"&from={cursor}"
        with backend_call(index=uid, **run.context("verify")):
            page = run.client.http.get(path)
        uids = [int(task["uid"]) for task in page["results"]]
        found += [task_uid for task_uid in uids if task_uid >= since]
        cursor = page.get("next")
        if cursor is None or not uids or min(uids) < since:
            return sorted(found)
