"""How database errors are told: the driver's first line, with any password masked.

A driver's full message quotes the SQL statement and its parameters, which can hold user
data; scrypath's own errors carry only the first line.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError


def database_cause(exc: BaseException, engine: Engine | None = None, url: str | None = None) -> str:
    """`Type: first line` of a database error, without the statement or a password."""
    source = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(source).strip().splitlines()
    detail = lines[0][:300] if lines else ""
    text = f"{type(source).__name__}: {detail}" if detail else type(source).__name__
    return without_password(text, engine, url)


def without_password(text: str, engine: Engine | None, url: str | None) -> str:
    """`text` with the database password (from the engine or the URL) masked."""
    try:
        password = engine.url.password if engine is not None else make_url(url or "").password
    except Exception:  # no parsable URL: nothing to mask
        password = None
    return text.replace(password, "***") if password else text


def error_text(error: BaseException) -> str:
    """An error as another error's message may quote it: database errors lose their SQL."""
    return database_cause(error) if isinstance(error, SQLAlchemyError) else str(error)
