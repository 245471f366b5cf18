"""Probe the Meilisearch and PostgreSQL an adopter names, before any test runs against them.

`python -m verify adopter --live` must never fall back to the fake or to SQLite in silence, so
it asks both services first and reports every problem at once, each naming the variable to fix.
A server that answers as scrypath's fake is accepted, and labelled as exactly that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from scrypath.config_values import masked_database_url
from scrypath.errors import ConfigurationError
from scrypath.testing.meilisearch.routes.misc import COMMIT_MARK as FAKE_COMMIT_MARK
from scrypath.testing.provisioning._env import FORCE_ENV, KEY_ENV, URL_ENV, checked_url
from scrypath.testing.provisioning.database_env import DATABASE_PROVIDER_ENV
from scrypath.testing.provisioning.external import read_version

DATABASE_URL = "SCRYPATH_TEST_DATABASE_URL"
CONNECT_TIMEOUT_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Probe:
    """What one service answered: a description when it serves, else the problem."""

    description: str | None = None
    problem: str | None = None


def probe_meilisearch(env: Mapping[str, str]) -> Probe:
    """The URL must be set and answer `/version` with the key accepted, and no provider may
    be pinned instead of it."""
    pinned = _pinned_elsewhere(env, FORCE_ENV, URL_ENV)
    if pinned is not None:
        return pinned
    try:
        url = checked_url(env, URL_ENV)
        if url is None:
            return Probe(problem=f"{URL_ENV} is not set: name the Meilisearch to verify")
        version = read_version(url, env.get(KEY_ENV, "").strip() or None)
    except ConfigurationError as error:
        return Probe(problem=str(error))
    number = version.get("pkgVersion", "unknown")
    if str(version.get("commitSha", "")).startswith(FAKE_COMMIT_MARK):
        return Probe(
            description=f"scrypath's fake Meilisearch behind a URL, not a real one "
            f"(mimics {number}) at {url}"
        )
    return Probe(description=f"Meilisearch {number} at {url}")


def probe_postgres(env: Mapping[str, str]) -> Probe:
    """The URL must name PostgreSQL and the server answer a query; no provider pinned."""
    pinned = _pinned_elsewhere(env, DATABASE_PROVIDER_ENV, DATABASE_URL)
    if pinned is not None:
        return pinned
    raw = env.get(DATABASE_URL, "").strip()
    if not raw:
        return Probe(problem=f"{DATABASE_URL} is not set: name the PostgreSQL to verify")
    try:
        url = make_url(raw)
    except ArgumentError:
        return Probe(problem=f"{DATABASE_URL} is not a SQLAlchemy database URL")
    shown = masked_database_url(url)
    if url.get_backend_name() != "postgresql":
        return Probe(problem=f"{DATABASE_URL} must name PostgreSQL, got {shown}")
    engine = create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
    except SQLAlchemyError as error:
        detail = " ".join(str(getattr(error, "orig", None) or error).split())
        return Probe(problem=f"{DATABASE_URL} ({shown}) cannot be reached: {detail}")
    finally:
        engine.dispose()
    return Probe(description=f"PostgreSQL {version} at {shown}")


def _pinned_elsewhere(env: Mapping[str, str], variable: str, named_by: str) -> Probe | None:
    """A live run verifies what `named_by` names; a provider pinned to anything else would
    serve in its place, so it is refused rather than reported as the named service."""
    pinned = env.get(variable, "").strip().lower()
    if pinned in ("", "external"):
        return None
    return Probe(
        problem=f"{variable}={pinned} pins another provider; a live run verifies what "
        f"{named_by} names, so unset {variable}"
    )
