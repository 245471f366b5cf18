"""Failed or retrying sync work, from both sources, one row each, newest failure first.

- **outbox** rows: jobs that are retrying (`retryable`) or failed for good (`discarded`,
  `cancelled`) on the model's index or its rebuild target;
- **meilisearch** rows: failed document tasks on the same two indexes, read page by page
  up to `limit` (more is `TaskHistoryLimitError`, never a partial list).

A failed task that belongs to a job (its uid is recorded on one of the job's error entries)
is shown once, as the job, and not at all once that job completed: the work it carried was
delivered after all. Ids name their source (`job:812`, `task:4031`).

Reasons are safe to print: a failure's message on one line, cut short, with the API keys in
use and the outbox password masked. Read-only: nothing is written anywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    and_,
    case,
    cast,
    func,
    make_url,
    null,
    select,
)
from sqlalchemy.exc import ArgumentError

from scrypath.config import Config, resolve
from scrypath.declaration import spec_for
from scrypath.errors import ConfigurationError
from scrypath.indexes import index_for
from scrypath.meilisearch.boundary import scrub
from scrypath.meilisearch.client import api_keys_in_use, client_for
from scrypath.meilisearch.rebuild_marker import target_name
from scrypath.operator.reasons import (
    REASON_CLASSES,
    class_counts,
    reason_class_for_task,
    reason_class_of,
)
from scrypath.operator.status import PENDING_STATES, iso_utc, of_indexes
from scrypath.operator.task_log import DEFAULT_LIMIT, SYNC_TASK_TYPES, read_tasks
from scrypath.queue.database import outbox_call, outbox_engine, read_installed
from scrypath.queue.jobs import JobState
from scrypath.queue.table import jobs
from scrypath.telemetry import operator_command, record_failed_work

FAILED_JOB_STATES = (JobState.RETRYABLE, JobState.DISCARDED, JobState.CANCELLED)
REASON_LENGTH = 300
CLOCK_SLACK = dt.timedelta(hours=1)
"""How far the database's clock may trail Meilisearch's when matching tasks to jobs."""

_OPERATIONS: Mapping[str, str] = MappingProxyType(
    {"documentAdditionOrUpdate": "upsert", "documentDeletion": "delete"}
)
_COLUMNS = (
    jobs.c.id,
    jobs.c.operation,
    jobs.c.state,
    jobs.c.attempt,
    jobs.c.max_attempts,
    jobs.c.index_uid,
    jobs.c.document_count,
    jobs.c.attempted_at,
    jobs.c.completed_at,
    jobs.c.errors,
)
"""The columns a report shows: never the payload (document snapshots no report shows)."""
_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z")

Source = Literal["outbox", "meilisearch"]


@dataclass(frozen=True, slots=True)
class FailedWork:
    """One failed or retrying piece of sync work; `id` names its source."""

    id: str
    source: str
    operation: str
    state: str
    retryable: bool
    reason: str
    reason_class: str
    failed_at: str | None
    attempt: int | None
    max_attempts: int | None
    index: str
    recovery: str
    metadata: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "operation": self.operation,
            "state": self.state,
            "retryable": self.retryable,
            "reason": self.reason,
            "reason_class": self.reason_class,
            "failed_at": self.failed_at,
            "attempt": self.attempt,
            "max_attempts": self.max_attempts,
            "index": self.index,
            "recovery": self.recovery,
            "metadata": dict(self.metadata),
        }


@dataclass(frozen=True, slots=True)
class FailedWindow:
    """Which rows a windowed report holds (`offset`, `max_rows`, `reason_class`), and what
    the whole report holds: every row, the rows of that class, and the retryable rows."""

    offset: int
    max_rows: int | None
    reason_class: str | None
    total: int
    matching: int
    retryable: int

    def to_json(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "max_rows": self.max_rows,
            "reason_class": self.reason_class,
            "total": self.total,
            "matching": self.matching,
            "retryable": self.retryable,
        }


@dataclass(frozen=True, slots=True)
class FailedWorkReport:
    """`failed_sync_work`: every row (or, with `window`, one page of them), and (when asked)
    the class counts of every row."""

    model: str
    index: str
    rows: tuple[FailedWork, ...]
    class_counts: Mapping[str, int] | None = None
    window: FailedWindow | None = None

    @property
    def total(self) -> int:
        """How many rows the whole report holds, shown or not."""
        return len(self.rows) if self.window is None else self.window.total

    @property
    def stuck(self) -> int:
        """How many rows of the whole report cannot be replayed, shown or not."""
        if self.window is None:
            return sum(1 for row in self.rows if not row.retryable)
        return self.window.total - self.window.retryable

    def to_json(self) -> dict[str, Any]:
        counts = None
        if self.class_counts is not None:
            counts = {"version": 1, "total": self.total, **self.class_counts}
        shown: dict[str, Any] = {
            "version": 1,
            "model": self.model,
            "index": self.index,
            "total": self.total,
            "rows": [row.to_json() for row in self.rows],
            "reason_class_counts": counts,
        }
        if self.window is not None:
            shown["window"] = self.window.to_json()
        return shown


@operator_command("failed_sync_work")
def failed_sync_work(
    model: type[Any],
    *,
    reason_class_counts: bool = False,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    max_rows: int | None = None,
    reason_class: str | None = None,
    **overrides: Any,
) -> FailedWorkReport:
    """`model`'s failed and retrying work from the outbox and Meilisearch, newest first.

    `offset`, `max_rows` and `reason_class` ask for one page of the rows (of one class):
    only those rows are built, while the class counts and the report's `window` still
    cover every row."""
    _check_window(offset, max_rows, reason_class)
    spec = spec_for(model)
    config = resolve(**overrides)
    index = index_for(spec, config)
    indexes = (index, target_name(index))
    context = {"model": spec.model_name, "index": index}
    tasks = read_tasks(
        client_for(config),
        index_uids=indexes,
        statuses=["failed"],
        types=SYNC_TASK_TYPES,
        limit=limit,
        **context,
    )
    windowed = (offset, max_rows, reason_class) != (0, None, None)
    ranked, claimed = _read_ranked(config, indexes, tasks, windowed=windowed)
    secrets = _secrets(config)
    ranked += [
        _built(_task_row(task, index, spec.model_name, secrets))
        for task in tasks
        if task["uid"] not in claimed
    ]
    ranked.sort(key=_rank_key, reverse=True)
    dense = class_counts(ranked)
    record_failed_work(spec.model_name, dense)
    counts = MappingProxyType(dense) if reason_class_counts else None
    chosen = ranked
    if reason_class is not None:
        chosen = [row for row in ranked if row.reason_class == reason_class]
    end = None if max_rows is None else offset + max_rows
    page = _with_jobs(config, chosen[offset:end])
    shown = tuple(_build(row, spec.model_name, secrets) for row in page)
    window = None
    if windowed:
        retryable = sum(1 for row in ranked if row.retryable)
        window = FailedWindow(offset, max_rows, reason_class, len(ranked), len(chosen), retryable)
    return FailedWorkReport(spec.model_name, index, shown, counts, window)


@dataclass(frozen=True, slots=True)
class _Ranked:
    """A row before it is built: what ordering, counting and paging need, and its source (a
    selected job row, or a task row already built: tasks are few, jobs can be thousands)."""

    key: tuple[bool, str, int]
    reason_class: str
    retryable: bool
    job: Any = None
    built: FailedWork | None = None


def _read_ranked(
    config: Config, indexes: Sequence[str], tasks: Sequence[Mapping[str, Any]], *, windowed: bool
) -> tuple[list[_Ranked], set[int]]:
    """The failed jobs, ranked, and the uids of the failed tasks that belong to a job. For a
    window on SQLite or PostgreSQL the database takes each job's last error fields out of
    its JSON, so no whole row is read (`_with_jobs` reads the page's rows afterwards)."""
    fields = None
    if windowed and config.outbox is not None:
        fields = _last_error_fields(outbox_engine(config).dialect.name)
    if fields is None:
        failed, claimed = _read_jobs(config, indexes, tasks)
        return [_job_rank(job) for job in failed], claimed
    states = [state.value for state in FAILED_JOB_STATES]
    columns = (jobs.c.id, jobs.c.state, jobs.c.attempted_at, jobs.c.completed_at, *fields)

    def read(connection: Connection) -> tuple[list[_Ranked], set[int]]:
        statement = select(*columns).where(jobs.c.state.in_(states), of_indexes(indexes))
        ranked = [_field_rank(row) for row in connection.execute(statement)]
        claimed = claimed_task_uids(connection, indexes, tasks) if tasks else set()
        return ranked, claimed

    nothing: tuple[list[_Ranked], set[int]] = ([], set())
    return read_installed(config, "read failed work", read, nothing)


_LAST_ERROR_FIELDS = ("at", "reason_class", "reason", "code")


def _last_error_fields(dialect: str) -> list[ColumnElement[Any]] | None:
    """SQL for the string fields of a job's last error entry (NULL when absent or not a
    string, as the report reads them), on the databases whose JSON functions allow it."""
    if dialect == "sqlite":
        return [
            case(
                (
                    func.json_type(jobs.c.errors, path) == "text",
                    func.json_extract(jobs.c.errors, path),
                ),
                else_=null(),
            )
            for path in (f"$[#-1].{name}" for name in _LAST_ERROR_FIELDS)
        ]
    if dialect == "postgresql":
        return [
            case((func.json_typeof(entry) == "string", entry.as_string()), else_=null())
            for entry in (jobs.c.errors[-1][name] for name in _LAST_ERROR_FIELDS)
        ]
    return None


def _field_rank(row: Any) -> _Ranked:
    """`_job_rank` from the last error entry's fields as the database extracted them."""
    job_id, state_name, attempted, completed, at, recorded, reason, code = row
    reason_class = reason_class_of(recorded, reason, code)
    retryable = replayable(_STATES[state_name], reason)
    failed_at = _failed_at(at, completed or attempted)
    return _Ranked((failed_at is not None, failed_at or "", job_id), reason_class, retryable)


def _with_jobs(config: Config, page: Sequence[_Ranked]) -> list[_Ranked]:
    """The page with its jobs' rows read (ranked from their fields alone). A job gone since
    it was ranked is no longer failed work, and is left out."""
    wanted = [row.key[2] for row in page if row.job is None and row.built is None]
    if not wanted:
        return list(page)
    engine = outbox_engine(config)
    with outbox_call(engine, "read failed work"), engine.connect() as connection:
        statement = select(*_COLUMNS).where(jobs.c.id.in_(wanted))
        found = {job[0]: job for job in connection.execute(statement)}
    return [
        row if row.job is not None or row.built is not None else replace(row, job=job)
        for row in page
        if row.built is not None or row.job is not None or (job := found.get(row.key[2]))
    ]


def _rank_key(row: _Ranked) -> tuple[bool, str, int]:
    return row.key


def _built(row: FailedWork) -> _Ranked:
    return _Ranked(_newest_first(row), row.reason_class, row.retryable, built=row)


def _build(row: _Ranked, model: str, secrets: tuple[str, ...]) -> FailedWork:
    return row.built if row.built is not None else _job_row(row, model, secrets)


def _check_window(offset: object, max_rows: object, reason_class: object) -> None:
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ConfigurationError(
            f"offset must be a non-negative integer, not {offset!r}", key="offset"
        )
    if max_rows is not None and (
        not isinstance(max_rows, int) or isinstance(max_rows, bool) or max_rows < 1
    ):
        raise ConfigurationError(
            f"max_rows must be a positive integer, not {max_rows!r}", key="max_rows"
        )
    if reason_class is not None and reason_class not in REASON_CLASSES:
        raise ConfigurationError(
            f"reason_class must be one of {', '.join(REASON_CLASSES)}, not "
            f"{str(reason_class)[:40]!r}",
            key="reason_class",
        )


def _read_jobs(
    config: Config, indexes: Sequence[str], tasks: Sequence[Mapping[str, Any]]
) -> tuple[list[Any], set[int]]:
    """The failed jobs, and the uids of the failed tasks that belong to a job."""

    def read(connection: Connection) -> tuple[list[Any], set[int]]:
        failed = _jobs(connection, indexes, [state.value for state in FAILED_JOB_STATES])
        if not tasks:  # the claims only sort tasks out: without any, nothing to look up
            return failed, set()
        claimed = {uid for row in failed for uid in _named_tasks(row[-1])}
        unclaimed = [task for task in tasks if task.get("uid") not in claimed]
        if unclaimed:
            claimed |= _other_task_uids(connection, indexes, unclaimed)
        return failed, claimed

    nothing: tuple[list[Any], set[int]] = ([], set())
    return read_installed(config, "read failed work", read, nothing)


def claimed_task_uids(
    connection: Connection, indexes: Sequence[str], tasks: Sequence[Mapping[str, Any]]
) -> set[int]:
    """The uids of failed `tasks` that belong to a job (shown as the job, or not at all once
    it completed), for a reader that counts rows without building them."""
    states = [state.value for state in FAILED_JOB_STATES]
    statement = select(jobs.c.errors).where(jobs.c.state.in_(states), of_indexes(indexes))
    claimed = {uid for (errors,) in connection.execute(statement) for uid in _named_tasks(errors)}
    unclaimed = [task for task in tasks if task.get("uid") not in claimed]
    if unclaimed:
        claimed |= _other_task_uids(connection, indexes, unclaimed)
    return claimed


def _jobs(connection: Connection, indexes: Sequence[str], states: Sequence[str]) -> list[Any]:
    """The selected rows (`_COLUMNS`) of the jobs in `states`; rows, not `Job`s: building a
    full job costs too much over thousands of rows, and a report needs only the last entry."""
    statement = select(*_COLUMNS).where(jobs.c.state.in_(list(states)), of_indexes(indexes))
    return list(connection.execute(statement))


def _other_task_uids(
    connection: Connection, indexes: Sequence[str], tasks: Sequence[Mapping[str, Any]]
) -> set[int]:
    """The task uids named by jobs still in flight, or completed since the oldest of `tasks`
    finished: the only other jobs whose error entries can name one of them."""
    finished = [_task_time(task) for task in tasks]
    known = [moment for moment in finished if moment is not None]
    pending = and_(jobs.c.state.in_([state.value for state in PENDING_STATES]), of_indexes(indexes))
    completed = and_(
        jobs.c.state == JobState.COMPLETED.value,
        jobs.c.index_uid.in_(list(indexes)),
        cast(jobs.c.errors, String) != "[]",  # a job that never failed names no task
    )
    if len(known) == len(finished):
        completed = and_(completed, jobs.c.completed_at >= min(known) - CLOCK_SLACK)
    uids: set[int] = set()
    for where in (pending, completed):
        for (errors,) in connection.execute(select(jobs.c.errors).where(where)):
            uids |= _named_tasks(errors)
    return uids


def _named_tasks(errors: Any) -> frozenset[int]:
    """The task uids a job's error entries record."""
    if not isinstance(errors, list):
        return frozenset()
    return frozenset(
        task for entry in errors if type(entry) is dict and type(task := entry.get("task")) is int
    )


_STATES: Mapping[str, JobState] = MappingProxyType({str(state): state for state in JobState})


def replayable(state: JobState, last_reason: str | None) -> bool:
    """Whether a failed job's payload can be sent again: all but one cancelled as invalid."""
    return not (state == JobState.CANCELLED and last_reason == "invalid_payload")


def _job_rank(row: Any) -> _Ranked:
    """What ordering and counting need of a selected job row (`_COLUMNS`, unpacked in that
    order: attribute access per column would cost more than the rest), from its last error
    entry."""
    job_id, _, state_name, _, _, _, _, attempted, completed, errors = row
    last = _last_entry(errors)
    reason = last.get("reason")
    code = last.get("code") if isinstance(last.get("code"), str) else None
    reason_class = reason_class_of(last.get("reason_class"), reason, code) if last else "unknown"
    retryable = replayable(_STATES[state_name], reason if isinstance(reason, str) else None)
    failed_at = _failed_at(last.get("at"), completed or attempted)
    return _Ranked((failed_at is not None, failed_at or "", job_id), reason_class, retryable, row)


def _last_entry(errors: Any) -> Mapping[str, Any]:
    entries = errors if isinstance(errors, list) else []
    return entries[-1] if entries and type(entries[-1]) is dict else {}


def _job_row(ranked: _Ranked, model: str, secrets: tuple[str, ...]) -> FailedWork:
    """The report row of a ranked job row, read from its last error entry."""
    (job_id, operation, state_name, attempt, max_attempts, index, count, _, _,
     errors) = ranked.job  # fmt: skip
    last = _last_entry(errors)
    state = _STATES[state_name]
    reason = last.get("reason")
    code = last.get("code") if isinstance(last.get("code"), str) else None
    reason_class = ranked.reason_class
    retryable = ranked.retryable
    message = last.get("message")
    return FailedWork(
        id=f"job:{job_id}",
        source="outbox",
        operation=operation if operation in ("upsert", "delete") else "unknown",
        state="retrying" if state == JobState.RETRYABLE else "failed",
        retryable=retryable,
        reason=_safe(str(message) if message else f"job {job_id} is {state}", secrets),
        reason_class=reason_class,
        failed_at=ranked.key[1] if ranked.key[0] else None,
        attempt=attempt,
        max_attempts=max_attempts,
        index=index,
        recovery=_job_recovery(job_id, state, reason, reason_class, retryable, model),
        metadata={
            "job_state": str(state),
            "document_count": count,
            "code": code,
            "tasks": sorted(_named_tasks(errors)),
        },
    )


def _failed_at(recorded: object, finished: dt.datetime | None) -> str | None:
    """When the job last failed, as `iso_utc` writes it: the last entry's time (stored as a
    naive ISO string, so only the microseconds may need adding), else when it finished."""
    if isinstance(recorded, str) and _NAIVE_ISO.fullmatch(recorded):
        return (recorded if len(recorded) > 19 else recorded + ".000000") + "Z"
    if isinstance(recorded, str):
        try:
            return iso_utc(dt.datetime.fromisoformat(recorded))
        except ValueError:
            pass
    return None if finished is None else iso_utc(finished)


_NAIVE_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?")


def _job_recovery(
    job_id: int,
    state: JobState,
    last_reason: object,
    reason_class: str,
    retryable: bool,
    model: str,
) -> str:
    work = f"job:{job_id}"
    if not retryable:
        return f"Run a backfill of {model}: this job's payload cannot be replayed."
    if state == JobState.RETRYABLE:
        if reason_class == "transport":
            return f"Check that Meilisearch is reachable; the worker retries {work} on its own."
        return f"Fix the cause of the error, then retry {work} (the worker also retries it)."
    if last_reason == "payload_too_large":
        return (
            f"Raise Meilisearch's payload limit, then retry {work}; or run a backfill of {model}."
        )
    return f"Fix the cause of the error, then retry {work}."


def _task_row(
    task: Mapping[str, Any], live: str, model: str, secrets: tuple[str, ...]
) -> FailedWork:
    uid = int(task["uid"])
    error = task.get("error") if isinstance(task.get("error"), Mapping) else None
    message = error.get("message") if error is not None else None
    code = error.get("code") if error is not None else None
    index = str(task.get("indexUid") or live)
    moment = _task_time(task)
    return FailedWork(
        id=f"task:{uid}",
        source="meilisearch",
        operation=_OPERATIONS.get(str(task.get("type")), "unknown"),
        state="failed",
        retryable=False,
        reason=_safe(f"task {uid} failed: {message or 'no error message'}", secrets),
        reason_class=reason_class_for_task(error),
        failed_at=None if moment is None else iso_utc(moment),
        attempt=None,
        max_attempts=None,
        index=index,
        recovery=_task_recovery(index, live, model),
        metadata=MappingProxyType(
            {
                "task_uid": uid,
                "type": task.get("type"),
                "code": code if isinstance(code, str) else None,
            }
        ),
    )


def _task_recovery(index: str, live: str, model: str) -> str:
    if index != live:
        return f"Run a reindex of {model}: the rebuild target missed this write."
    return f"Run a backfill of {model}: a failed task has nothing to replay."


def _task_time(task: Mapping[str, Any]) -> dt.datetime | None:
    """A task's `finishedAt` (Meilisearch's nanosecond RFC 3339) as naive UTC."""
    text = task.get("finishedAt")
    match = _RFC3339.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    fraction = (match.group(2) or "").ljust(6, "0")[:6]
    return dt.datetime.fromisoformat(f"{match.group(1)}.{fraction}")


def _secrets(config: Config) -> tuple[str, ...]:
    """The API keys in use and the outbox password, in the forms a message may quote them."""
    found = {*api_keys_in_use(), config.meilisearch_api_key, _outbox_password(config)}
    forms = {
        form
        for secret in found
        if secret
        for form in (secret, secret.strip(), repr(secret)[1:-1], ascii(secret)[1:-1])
        if form
    }
    return tuple(sorted(forms, key=len, reverse=True))


def _outbox_password(config: Config) -> str | None:
    outbox = config.outbox
    try:
        url = outbox.url if isinstance(outbox, Engine) else make_url(outbox) if outbox else None
    except ArgumentError:
        return None
    return None if url is None else url.password


@functools.lru_cache(maxsize=4096)
def _safe(text: str, secrets: tuple[str, ...]) -> str:
    """A reason fit to print: one line, secrets masked, cut to `REASON_LENGTH` (cached: the
    jobs of one outage share their message)."""
    if "bearer" in text.lower() or any(secret in text for secret in secrets):
        text = scrub(text)
        for secret in secrets:
            text = text.replace(secret, "***")
    line = " ".join(text.split())
    return line if len(line) <= REASON_LENGTH else line[: REASON_LENGTH - 3] + "..."


def _newest_first(row: FailedWork) -> tuple[bool, str, int]:
    """The sort key (reversed) of the rows: by failure time, rows without one last."""
    return (row.failed_at is not None, row.failed_at or "", int(row.id.partition(":")[2]))


__all__ = [
    "REASON_CLASSES",
    "FailedWindow",
    "FailedWork",
    "FailedWorkReport",
    "claimed_task_uids",
    "failed_sync_work",
]
