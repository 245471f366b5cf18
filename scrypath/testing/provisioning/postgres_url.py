"""A PostgreSQL URL: checked, shown without its password, and asked for its version."""

from __future__ import annotations

import importlib.util

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from scrypath.errors import ConfigurationError

CONNECT_TIMEOUT_S = 5
DRIVER_HINT = "the postgres extra is not installed (pip install 'scrypath[postgres]')"


def parse(raw: str, variable: str) -> URL:
    """A SQLAlchemy URL for PostgreSQL; a malformed value fails naming `variable`.

    The raw value is never echoed: it may hold a password.
    """
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            f"{variable} must be a SQLAlchemy URL such as "
            "postgresql+psycopg://postgres@127.0.0.1:5432/test",
            variable=variable,
        ) from None
    if url.get_backend_name() != "postgresql":
        raise ConfigurationError(
            f"{variable} must point at PostgreSQL, got a {url.get_backend_name()!r} URL",
            variable=variable,
        )
    return url


def masked(url: str) -> str:
    """The URL with its password replaced by `***`, for headers, summaries and errors."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparsable URL>"


def driver_missing() -> str | None:
    """Why no PostgreSQL driver can be used, or None when psycopg is installed."""
    if importlib.util.find_spec("psycopg") is None:
        return DRIVER_HINT
    return None


def server_version(url: str, *, timeout: int = CONNECT_TIMEOUT_S) -> str:
    """Connect once and return the server's version (`15.4`), proving the URL works.

    Failures raise `ConfigurationError` with the driver's first line, the password scrubbed.
    """
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": timeout})
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
    except SQLAlchemyError as exc:
        raise ConfigurationError(
            f"PostgreSQL at {masked(url)} did not answer: {_first_line(exc, url)}"
        ) from None
    finally:
        engine.dispose()
    return str(version).split()[0]


def _first_line(exc: SQLAlchemyError, url: str) -> str:
    original = getattr(exc, "orig", None) or exc
    line = (str(original).strip().splitlines() or [type(original).__name__])[0][:200]
    password = make_url(url).password
    return line.replace(str(password), "***") if password else line
