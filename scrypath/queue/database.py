"""The outbox database: which engine to use, its clock, and the one boundary for its errors.

Every time the outbox stores or compares (when a job is due, when a lease expires) is read
from the database's clock, not the host's, so workers on hosts whose clocks disagree still
agree on who holds a lease. SQLite is embedded, so there the database's clock is this host's.

Database driver errors become `OutboxUnavailableError` here, with a message that names the
database without its password and never quotes the statement or its parameters (they hold
document snapshots).
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Interval,
    create_engine,
    func,
    literal,
    select,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import Pool

from scrypath.config import Config, masked_database_url
from scrypath.database_errors import database_cause
from scrypath.errors import ConfigurationError, OutboxNotInstalledError, OutboxUnavailableError

TABLE_NAME = "scrypath_jobs"
SUPPORTED_DIALECTS = ("postgresql", "sqlite")

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
_installed: weakref.WeakKeyDictionary[Pool, set[str | None]] = weakref.WeakKeyDictionary()

INSTALL_HINT = (
    "install it once with scrypath.install_outbox(engine), or add scrypath.queue.metadata "
    "to your Alembic target_metadata and run a migration"
)


def utcnow() -> dt.datetime:
    """Now, as the naive UTC time the outbox stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def database_time(
    connection: Connection, *, after: float = 0.0, now: dt.datetime | None = None
) -> ColumnElement[dt.datetime]:
    """The database's current time as naive UTC, plus `after` seconds, for use in a statement
    (`now` pins the time instead, for tests)."""
    if now is not None:
        return literal(now + dt.timedelta(seconds=after), DateTime())
    if connection.dialect.name == "postgresql":
        current: ColumnElement[dt.datetime] = func.timezone("utc", func.now(), type_=DateTime())
        if not after:
            return current
        return current + literal(dt.timedelta(seconds=after), Interval())
    return literal(utcnow() + dt.timedelta(seconds=after), DateTime())


def database_now(connection: Connection) -> dt.datetime:
    """The database's current time as naive UTC (its transaction's time on PostgreSQL, so
    it equals what `database_time` puts in the same transaction's statements)."""
    if connection.dialect.name != "postgresql":
        return utcnow()
    now: dt.datetime = connection.execute(select(database_time(connection))).scalar_one()
    return now


def outbox_engine(config: Config) -> Engine:
    """The configured outbox engine; a URL gets one engine per process."""
    outbox = config.outbox
    if outbox is None:
        raise ConfigurationError(
            "no outbox database is set; pass an engine, call "
            "scrypath.configure(outbox_url=engine_or_url) or set SCRYPATH_OUTBOX_URL",
            key="outbox_url",
        )
    if isinstance(outbox, Engine):
        return outbox
    with _engines_lock:
        engine = _engines.get(outbox)
        if engine is None:
            with outbox_call(None, "connect", url=outbox):
                engine = _engines[outbox] = _create(outbox)
    return engine


def require_dialect(engine: Engine | Connection) -> str:
    """The dialect name, refusing databases the outbox's claim is not written for."""
    name = engine.dialect.name
    if name not in SUPPORTED_DIALECTS:
        raise ConfigurationError(
            f"the outbox supports {' and '.join(SUPPORTED_DIALECTS)}, not {name}",
            key="outbox_url",
        )
    return name


def require_installed(connection: Connection) -> None:
    """Refuse, with how to fix it, when the outbox table is missing (positive answers cached)."""
    schema = _schema(connection)
    seen = _installed.setdefault(connection.engine.pool, set())
    if schema in seen:
        return
    with outbox_call(connection.engine, "check the outbox table"):
        present = sa_inspect(connection).has_table(TABLE_NAME, schema=schema)
    if not present:
        raise OutboxNotInstalledError(
            f"the outbox table {TABLE_NAME} is not installed in this database; {INSTALL_HINT}",
            table=TABLE_NAME,
        )
    seen.add(schema)


def forget_installed() -> None:
    """Check for the outbox table again on next use (for tests that drop it)."""
    _installed.clear()


def forget_engines() -> None:
    """Dispose of the engines built from outbox URLs; the next use builds them anew."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()


def _schema(connection: Connection) -> str | None:
    translate = connection.get_execution_options().get("schema_translate_map") or {}
    schema = translate.get(None)
    return schema if isinstance(schema, str) else None


@contextmanager
def transaction(engine: Engine, what: str) -> Iterator[Connection]:
    """A short transaction on the outbox, committed on success, with driver errors translated."""
    with outbox_call(engine, what), engine.begin() as connection:
        yield connection


Read = TypeVar("Read")


def read_installed(
    config: Config, operation: str, read: Callable[[Connection], Read], absent: Read
) -> Read:
    """`read` on a connection to the outbox; `absent` when none is configured or installed.

    The operator reports observe the queue when there is one and say so when there is not,
    rather than failing on an app that syncs without an outbox.
    """
    if config.outbox is None:
        return absent
    engine = outbox_engine(config)
    with outbox_call(engine, operation), engine.connect() as connection:
        try:
            require_installed(connection)
        except OutboxNotInstalledError:
            return absent
        return read(connection)


@contextmanager
def outbox_call(engine: Engine | None, operation: str, *, url: str | None = None) -> Iterator[None]:
    """Run a block against the outbox database; driver errors leave it translated."""
    try:
        yield
    except SQLAlchemyError as exc:
        where = _where(engine, url)
        raise OutboxUnavailableError(
            f"the outbox database{where} failed to {operation}: {database_cause(exc, engine, url)}",
            operation=operation,
        ) from exc


def _where(engine: Engine | None, url: str | None) -> str:
    target = engine if engine is not None else url
    if target is None:
        return ""
    try:
        return f" ({masked_database_url(target)})"
    except Exception:  # an unparsable URL is shown not at all rather than raw
        return ""


def _create(url: str) -> Engine:
    """An engine for `url`; a missing database driver is a configuration error."""
    try:
        return create_engine(url, pool_pre_ping=True)
    except ImportError as exc:
        raise ConfigurationError(
            f"the outbox database driver {exc.name!r} is not installed; install it "
            "(PostgreSQL: pip install 'scrypath[postgres]') or point outbox at another database",
            key="outbox_url",
        ) from None
