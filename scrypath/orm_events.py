"""Opt-in ORM auto-sync: keep the index in step with every write of a session.

`auto_sync(SessionLocal, mode="queue")` registers session events on a sessionmaker, a
Session class or one session. Each flush's searchable inserts, updates and deletes (see
`scrypath.changes`), and each ORM `insert`/`update`/`delete` statement on a searchable model
(see `scrypath.statement_changes`), become one plan per model: retired document ids deleted,
then the rows as written.

- **queue**: the outbox rows join the same transaction, one insert per flush or statement; a
  rollback drops them with the application's rows;
- **inline**: the plans wait in the session until the transaction commits, then are sent
  and awaited; a rollback (of the transaction, or of a savepoint for what was written inside
  it) sends nothing. A failure raises from `commit()`, after the commit itself succeeded.

Writes auto-sync cannot follow (legacy bulk saves, Core statements on a searchable table,
statements whose rows it cannot tell) raise a `ScrypathWarning` saying the index was not
updated. `auto_sync_disabled()` turns it off for a block (imports, fixtures): writes inside
the block record nothing and warn about nothing.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType
from typing import Any, Literal

from sqlalchemy import Engine, Result, event
from sqlalchemy.orm import (
    ORMExecuteState,
    Session,
    SessionTransaction,
    SessionTransactionOrigin,
    sessionmaker,
)

from scrypath.changes import FlushChanges
from scrypath.config import resolve
from scrypath.declaration import SearchSpec
from scrypath.errors import ConfigurationError, ScrypathError
from scrypath.planning import Plan
from scrypath.queue.database import outbox_call, require_installed
from scrypath.queue.enqueue import enqueue, job_rows
from scrypath.statement_changes import follow_statement, is_write, warn_bulk_save
from scrypath.sync import sync_plan
from scrypath.telemetry.logs import error_fields, log_event

logger = logging.getLogger("scrypath.auto_sync")

AutoSyncMode = Literal["inline", "queue"]
AUTO_SYNC_MODES: tuple[AutoSyncMode, ...] = ("inline", "queue")

_disabled: ContextVar[bool] = ContextVar("scrypath_auto_sync_disabled", default=False)
_registered: weakref.WeakKeyDictionary[Any, AutoSync] = weakref.WeakKeyDictionary()
_FLUSH = "scrypath_auto_sync_flush"
_FLUSH_CONTEXT = "scrypath_auto_sync_flush_context"
_PENDING = "scrypath_auto_sync_pending"

Plans = dict[SearchSpec, Plan]

Target = sessionmaker[Any] | type[Session] | Session


@contextmanager
def auto_sync_disabled() -> Iterator[None]:
    """Record nothing, and warn about nothing, for writes inside this block (in this thread
    or task)."""
    token = _disabled.set(True)
    try:
        yield
    finally:
        _disabled.reset(token)


@dataclass(frozen=True, slots=True)
class AutoSync:
    """A registration made by `auto_sync`; `remove()` (or leaving its `with`) undoes it."""

    target: Any
    mode: AutoSyncMode
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def remove(self) -> None:
        """Unregister the session events."""
        for name, listener in self._listeners():
            if event.contains(self.target, name, listener):
                event.remove(self.target, name, listener)
        if _registered.get(self.target) is self:
            del _registered[self.target]

    def __enter__(self) -> AutoSync:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.remove()

    def _listeners(self) -> list[tuple[str, Any]]:
        listeners: list[tuple[str, Any]] = [
            ("before_flush", self._before_flush),
            ("after_flush", self._after_flush),
            ("persistent_to_deleted", self._persistent_to_deleted),
            ("after_flush_postexec", self._after_flush_postexec),
            ("do_orm_execute", self._do_orm_execute),
            ("after_transaction_end", self._after_transaction_end),
        ]
        if self.mode == "inline":
            listeners += [
                ("after_commit", self._after_commit),
                ("after_soft_rollback", self._after_soft_rollback),
            ]
        return listeners

    def _before_flush(self, session: Session, context: Any, instances: Any) -> None:
        session.info[_FLUSH_CONTEXT] = context
        session.info.pop(_FLUSH, None)
        if not _disabled.get():
            session.info[_FLUSH] = FlushChanges(session)

    def _after_flush(self, session: Session, context: Any) -> None:
        changes: FlushChanges | None = session.info.get(_FLUSH)
        if changes is not None:
            changes.collect_written(session)

    def _persistent_to_deleted(self, session: Session, record: object) -> None:
        """Every row a flush deleted, cascades and orphans included; outside a flush (an ORM
        DELETE statement synchronizing the session) the statement itself was followed."""
        changes: FlushChanges | None = session.info.get(_FLUSH)
        if changes is not None:
            changes.collect_deleted(record)

    def _after_flush_postexec(self, session: Session, context: Any) -> None:
        changes: FlushChanges | None = session.info.pop(_FLUSH, None)
        if changes is not None:
            self._deliver(session, changes.plans())

    def _do_orm_execute(self, state: ORMExecuteState) -> Result[Any] | None:
        if _disabled.get() or not is_write(state):
            return None
        followed = follow_statement(state)
        if followed is None:
            return None
        self._deliver(state.session, {followed.spec: followed.plan})
        return followed.result

    def _after_transaction_end(self, session: Session, transaction: SessionTransaction) -> None:
        """Closes the books on a flush; warns after a legacy bulk save (the only other
        internal transaction); a session transaction that ends without a commit (closed,
        say) sends nothing."""
        if transaction.origin is SessionTransactionOrigin.SUBTRANSACTION:
            context = session.info.get(_FLUSH_CONTEXT)
            if context is not None and getattr(context, "transaction", None) is transaction:
                del session.info[_FLUSH_CONTEXT]
            elif not _disabled.get():
                warn_bulk_save()
        elif transaction.parent is None and self.mode == "inline":
            session.info.pop(_PENDING, None)

    def _deliver(self, session: Session, plans: Plans) -> None:
        """Queue mode: outbox rows in the session's transaction now; inline: after commit."""
        plans = {spec: plan for spec, plan in plans.items() if plan}
        if not plans:
            return
        if self.mode == "queue":
            self._enqueue(session, plans)
        else:
            transaction = session.get_nested_transaction() or session.get_transaction()
            session.info.setdefault(_PENDING, []).append((transaction, plans))

    def _enqueue(self, session: Session, plans: Plans) -> None:
        config = resolve(sync_mode=self.mode, **self.overrides)
        rows = [
            row
            for spec, plan in plans.items()
            for row in job_rows(
                spec, config, spec.index_name(config.index_prefix), plan.upserts, plan.deletes
            )
        ]
        enqueue(session, rows)

    def _after_commit(self, session: Session) -> None:
        if session.in_nested_transaction():
            return
        pending: list[tuple[SessionTransaction | None, Plans]] = session.info.pop(_PENDING, [])
        self._send(_merged(pending))

    def _after_soft_rollback(self, session: Session, previous: SessionTransaction) -> None:
        pending = session.info.get(_PENDING)
        if pending:
            pending[:] = [item for item in pending if not _within(item[0], previous)]

    def _send(self, plans: Plans) -> None:
        """Sync each model's plan; every model is tried, the first failure is raised."""
        failures: list[ScrypathError] = []
        for spec, plan in plans.items():
            try:
                sync_plan(spec, plan, mode="inline", **self.overrides)
            except ScrypathError as error:
                if failures:
                    log_event(
                        logger,
                        logging.ERROR,
                        "auto-sync of %s failed too: %s",
                        spec.model_name,
                        error,
                        event="auto_sync_failed",
                        model=spec.model_name,
                        **error_fields(error),
                    )
                failures.append(error)
        if failures:
            raise failures[0]


def auto_sync(target: Target, *, mode: AutoSyncMode, **overrides: Any) -> AutoSync:
    """Sync searchable records on every flush of sessions from `target`.

    `target` is a `sessionmaker`, a `Session` class, or one session. `mode` is required:
    `"queue"` (outbox rows in the same transaction) or `"inline"` (sent after commit).
    `overrides` are configuration keywords, checked now.
    """
    _check_target(target)
    if mode not in AUTO_SYNC_MODES:
        raise ConfigurationError(
            f"auto_sync(mode=...): expected 'queue' or 'inline', got {mode!r}; manual mode "
            "would drop the task references, since a commit returns nothing",
            key="mode",
        )
    if "sync_mode" in overrides:
        raise ConfigurationError("auto_sync(): pass mode=, not sync_mode=", key="sync_mode")
    resolve(sync_mode=mode, **overrides)
    if target in _registered:
        raise ConfigurationError(
            "auto_sync is already registered on this target; remove() the first registration "
            "before registering again",
            key="target",
        )
    if mode == "queue":
        _check_outbox(target)
    handle = AutoSync(target, mode, MappingProxyType(dict(overrides)))
    for name, listener in handle._listeners():
        event.listen(target, name, listener)
    _registered[target] = handle
    return handle


def _check_target(target: object) -> None:
    if isinstance(target, sessionmaker | Session):
        return
    if isinstance(target, type) and issubclass(target, Session):
        return
    raise ConfigurationError(
        f"auto_sync() takes a sessionmaker, a Session class or a Session, got "
        f"{type(target).__name__}",
        key="target",
    )


def _check_outbox(target: object) -> None:
    """Fail now, not at the first flush, when a sessionmaker's engine lacks the outbox."""
    bind = target.kw.get("bind") if isinstance(target, sessionmaker) else None
    if isinstance(bind, Engine):
        with outbox_call(bind, "check the outbox table"), bind.connect() as connection:
            require_installed(connection)


def _merged(pending: list[tuple[SessionTransaction | None, Plans]]) -> Plans:
    """Every write's plans of one transaction, in order: the last change of a document wins."""
    merged: Plans = {}
    for _, plans in pending:
        for spec, plan in plans.items():
            merged[spec] = merged[spec].then(plan) if spec in merged else plan
    return merged


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """Whether `transaction` is `ended` or nested inside it."""
    current = transaction
    while current is not None:
        if current is ended:
            return True
        current = current.parent
    return False
