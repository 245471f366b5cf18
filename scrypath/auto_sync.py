"""Opt-in ORM auto-sync: keep the index in step with every flush of a session.

`auto_sync(SessionLocal, mode="queue")` registers session events on a sessionmaker, a
Session class or one session. On each flush it collects the searchable records inserted,
updated or deleted (see `scrypath.queue.changes` for how an unchanged update is skipped):

- **queue**: the flush writes the outbox rows in the same transaction, one insert per flush;
  a rollback drops them with the application's rows;
- **inline**: the changes wait in the session until the transaction commits, then are sent
  and awaited; a rollback (of the transaction, or of a savepoint for what was flushed inside
  it) sends nothing. A failure raises from `commit()`, after the commit itself succeeded.

`auto_sync_disabled()` turns it off for a block (imports, fixtures): flushes inside the block
record nothing.
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

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from scrypath.config import resolve
from scrypath.errors import ConfigurationError, ScrypathError
from scrypath.queue.changes import ChangeSet, deleted_ids, flushed
from scrypath.queue.database import outbox_call, require_installed, utcnow
from scrypath.queue.enqueue import enqueue, job_rows
from scrypath.sync import Plan, sync_plan

logger = logging.getLogger("scrypath.auto_sync")

AutoSyncMode = Literal["inline", "queue"]
AUTO_SYNC_MODES: tuple[AutoSyncMode, ...] = ("inline", "queue")

_disabled: ContextVar[bool] = ContextVar("scrypath_auto_sync_disabled", default=False)
_registered: weakref.WeakKeyDictionary[Any, AutoSync] = weakref.WeakKeyDictionary()
_DELETED = "scrypath_auto_sync_deleted"
_PENDING = "scrypath_auto_sync_pending"

Target = sessionmaker[Any] | type[Session] | Session


@contextmanager
def auto_sync_disabled() -> Iterator[None]:
    """Record nothing for flushes inside this block (in this thread or task)."""
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
        ]
        if self.mode == "inline":
            listeners += [
                ("after_commit", self._after_commit),
                ("after_soft_rollback", self._after_soft_rollback),
                ("after_transaction_end", self._after_transaction_end),
            ]
        return listeners

    def _before_flush(self, session: Session, context: Any, instances: Any) -> None:
        if not _disabled.get():
            session.info[_DELETED] = deleted_ids(session)

    def _after_flush(self, session: Session, context: Any) -> None:
        deleted: ChangeSet = session.info.pop(_DELETED, {})
        if _disabled.get():
            return
        changes = flushed(session, deleted)
        if not changes:
            return
        if self.mode == "queue":
            self._enqueue(session, changes)
        else:
            transaction = session.get_nested_transaction() or session.get_transaction()
            session.info.setdefault(_PENDING, []).append((transaction, changes))

    def _enqueue(self, session: Session, changes: ChangeSet) -> None:
        config = resolve(sync_mode=self.mode, **self.overrides)
        now = utcnow()
        rows = [
            row
            for spec, found in changes.items()
            for row in job_rows(
                spec,
                config,
                spec.index_name(config.index_prefix),
                found.upserts,
                tuple(found.deletes),
                now=now,
            )
        ]
        enqueue(session, rows)

    def _after_commit(self, session: Session) -> None:
        if session.in_nested_transaction():
            return
        pending: list[tuple[SessionTransaction | None, ChangeSet]] = session.info.pop(_PENDING, [])
        self._send(_merged(pending))

    def _after_soft_rollback(self, session: Session, previous: SessionTransaction) -> None:
        pending = session.info.get(_PENDING)
        if pending:
            pending[:] = [item for item in pending if not _within(item[0], previous)]

    def _after_transaction_end(self, session: Session, transaction: SessionTransaction) -> None:
        """A session transaction that ends without a commit (closed, say) sends nothing."""
        if transaction.parent is None:
            session.info.pop(_PENDING, None)

    def _send(self, changes: ChangeSet) -> None:
        """Sync each model's changes; every model is tried, the first failure is raised."""
        failures: list[ScrypathError] = []
        for spec, found in changes.items():
            plan = Plan(dict(found.upserts), tuple(found.deletes))
            try:
                sync_plan(spec, plan, mode="inline", **self.overrides)
            except ScrypathError as error:
                if failures:
                    logger.error("auto-sync of %s failed too: %s", spec.model_name, error)
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


def _merged(pending: list[tuple[SessionTransaction | None, ChangeSet]]) -> ChangeSet:
    """Every flush's changes of one transaction, in order: the last change of a document wins."""
    merged: ChangeSet = {}
    for _, changes in pending:
        for spec, found in changes.items():
            if spec in merged:
                merged[spec].merge(found)
            else:
                merged[spec] = found
    return merged


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """Whether `transaction` is `ended` or nested inside it."""
    current = transaction
    while current is not None:
        if current is ended:
            return True
        current = current.parent
    return False
