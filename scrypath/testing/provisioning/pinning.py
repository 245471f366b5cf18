"""An operator pinning one provider: read the choice, and the skip every other one records.

Meilisearch and database provisioning each have their own variable and provider names,
but the same rule: an unknown name is an error, and a provider that was not chosen
passes with a reason that names the one that was.
"""

from __future__ import annotations

from collections.abc import Mapping

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning.model import Skip


def forced_choice(env: Mapping[str, str], variable: str, choices: tuple[str, ...]) -> str | None:
    """The provider pinned in `variable`, if any; a name outside `choices` is an error."""
    raw = env.get(variable, "").strip().lower()
    if not raw:
        return None
    if raw not in choices:
        raise ConfigurationError(
            f"{variable} must be one of {', '.join(choices)}, got {raw!r}",
            variable=variable,
        )
    return raw


def pinned_skip(forced: str | None, provider: str) -> Skip | None:
    """A skip for `provider` when the operator pinned another one, else None."""
    if forced is None or forced == provider:
        return None
    return Skip(provider, f"not selected (provider pinned to {forced})")
