"""Tests skipped because a resource was absent, recognised by the reason they give.

A skip for a missing PostgreSQL or a missing OpenAPI description must not hide inside a
run that reads "passed": the pytest plugin counts these skips by their reason, prints the
counts, and can write them to a file (`SCRYPATH_VERIFY_COUNTS`) for a verify run to sum.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

COUNTS_ENV = "SCRYPATH_VERIFY_COUNTS"
OPENAPI_ENV = "SCRYPATH_MEILISEARCH_OPENAPI"

POSTGRES_ABSENT = "no PostgreSQL for this run"
OPENAPI_ABSENT = "no Meilisearch OpenAPI description"

Absence = Literal["postgres", "openapi"]


def postgres_skip_reason(detail: str) -> str:
    """The skip reason of a test that needs PostgreSQL when none was provisioned."""
    return f"{POSTGRES_ABSENT}, SQLite only ({detail})"


def openapi_skip_reason(path: Path) -> str:
    """The skip reason of a test that needs the OpenAPI description when it is not found."""
    return f"{OPENAPI_ABSENT} at {path} (set {OPENAPI_ENV} to its path)"


def openapi_path(default: Path, env: Mapping[str, str] | None = None) -> Path:
    """The OpenAPI description's path: `SCRYPATH_MEILISEARCH_OPENAPI`, else `default`."""
    env = os.environ if env is None else env
    raw = env.get(OPENAPI_ENV, "").strip()
    return Path(raw) if raw else default


def absence_of(reason: str) -> Absence | None:
    """Which resource a skip reason says was missing, if any."""
    text = reason.removeprefix("Skipped: ")
    if text.startswith(POSTGRES_ABSENT):
        return "postgres"
    if text.startswith(OPENAPI_ABSENT):
        return "openapi"
    return None


@dataclass(frozen=True, slots=True)
class SkipCounts:
    """How many tests skipped for a missing PostgreSQL and a missing OpenAPI description."""

    postgres: int = 0
    openapi: int = 0

    def add(self, absence: Absence) -> SkipCounts:
        if absence == "postgres":
            return SkipCounts(self.postgres + 1, self.openapi)
        return SkipCounts(self.postgres, self.openapi + 1)

    def __add__(self, other: SkipCounts) -> SkipCounts:
        return SkipCounts(self.postgres + other.postgres, self.openapi + other.openapi)

    def to_json(self) -> dict[str, int]:
        return {"postgres": self.postgres, "openapi": self.openapi}

    @classmethod
    def from_json(cls, data: Any) -> SkipCounts:
        """Counts from a decoded file; anything malformed counts as zero."""
        if not isinstance(data, dict):
            return cls()
        values = [data.get(name, 0) for name in ("postgres", "openapi")]
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
            return cls()
        return cls(*values)

    def postgres_line(self) -> str:
        return f"{_tests(self.postgres)} skipped for the lack of PostgreSQL"

    def openapi_line(self) -> str:
        return (
            f"{_tests(self.openapi)} skipped for the lack of Meilisearch's OpenAPI description"
            f" (set {OPENAPI_ENV} to its path)"
        )


def _tests(count: int) -> str:
    return f"{count} test" if count == 1 else f"{count} tests"


def write_counts(path: Path, counts: SkipCounts) -> None:
    path.write_text(json.dumps(counts.to_json()) + "\n", encoding="utf-8")


def read_counts(path: Path) -> SkipCounts | None:
    """The counts a pytest run wrote, or None when it wrote none (it did not get that far)."""
    try:
        return SkipCounts.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None
