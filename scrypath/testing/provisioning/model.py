"""What provisioning hands to tests: a server, who served it, and who passed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Skip:
    """A provider that did not serve, and why."""

    provider: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"provider": self.provider, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Provisioned:
    """A Meilisearch ready for tests.

    `real` is false only for scrypath's fake; every report says so. The API
    key is kept out of `repr` so that it never reaches logs.
    """

    provider: str
    url: str
    api_key: str | None = field(repr=False)
    real: bool
    skipped: tuple[Skip, ...] = ()
    fake: Any = field(default=None, repr=False, compare=False)
    close: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    def stop(self) -> None:
        """Release the server, if this run started it."""
        if self.close is not None:
            self.close()

    def describe(self) -> str:
        """One line for headers and summaries."""
        kind = "a real Meilisearch" if self.real else "scrypath's fake Meilisearch, not a real one"
        line = f"Meilisearch served by {self.provider} ({kind}) at {self.url}"
        return line + skipped_suffix(self.skipped)

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "real": self.real,
            "url": self.url,
            "skipped": [s.to_json() for s in self.skipped],
        }


def skipped_suffix(skipped: tuple[Skip, ...]) -> str:
    """The `; skipped provider: reason` tail of a one-line description (empty if none)."""
    if not skipped:
        return ""
    return "; skipped " + "; ".join(f"{s.provider}: {s.reason}" for s in skipped)
