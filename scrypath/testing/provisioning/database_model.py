"""What database provisioning hands to tests: a PostgreSQL, who served it, who passed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scrypath.testing.provisioning.model import Skip, skipped_suffix
from scrypath.testing.provisioning.postgres_url import masked


@dataclass(frozen=True, slots=True)
class ProvisionedDatabase:
    """A PostgreSQL ready for tests.

    `kind` says what it is in words ("external URL", "throwaway cluster", "throwaway
    container"). The URL may carry a password, so it stays out of `repr`, and every
    description shows it masked.
    """

    provider: str
    url: str = field(repr=False)
    kind: str
    version: str
    skipped: tuple[Skip, ...] = ()
    close: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    @property
    def display_url(self) -> str:
        return masked(self.url)

    def stop(self) -> None:
        """Release the server, if this run started it."""
        if self.close is not None:
            self.close()

    def describe(self) -> str:
        """One line for headers and summaries."""
        line = (
            f"PostgreSQL {self.version} served by {self.provider} ({self.kind})"
            f" at {self.display_url}"
        )
        return line + skipped_suffix(self.skipped)

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "kind": self.kind,
            "version": self.version,
            "url": self.display_url,
            "skipped": [s.to_json() for s in self.skipped],
        }
