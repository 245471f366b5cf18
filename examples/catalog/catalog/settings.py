"""Where the catalogue's database and Meilisearch are: environment variables, with defaults
that run on one laptop (a SQLite file and a Meilisearch on its default port)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Settings:
    """The app's settings; the Meilisearch key is never shown in a repr."""

    database_url: str = "sqlite:///catalog.db"
    meilisearch_url: str = "http://127.0.0.1:7700"
    meilisearch_api_key: str | None = field(default=None, repr=False)
    index_prefix: str = ""
    lag_warning_seconds: float = 60.0


def from_environment() -> Settings:
    """`CATALOG_DATABASE_URL`, `SCRYPATH_MEILISEARCH_URL`, `SCRYPATH_MEILISEARCH_API_KEY`,
    `SCRYPATH_INDEX_PREFIX` and `CATALOG_LAG_WARNING_SECONDS`, each optional."""
    defaults = Settings()
    return Settings(
        database_url=os.environ.get("CATALOG_DATABASE_URL", defaults.database_url),
        meilisearch_url=os.environ.get("SCRYPATH_MEILISEARCH_URL", defaults.meilisearch_url),
        meilisearch_api_key=os.environ.get("SCRYPATH_MEILISEARCH_API_KEY") or None,
        index_prefix=os.environ.get("SCRYPATH_INDEX_PREFIX", defaults.index_prefix),
        lag_warning_seconds=float(
            os.environ.get("CATALOG_LAG_WARNING_SECONDS", defaults.lag_warning_seconds)
        ),
    )
