"""The environment variables of provisioning, read and written in one place."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning.model import Provisioned, Skip
from scrypath.testing.provisioning.pinning import forced_choice, pinned_skip

URL_ENV = "SCRYPATH_TEST_MEILISEARCH_URL"
KEY_ENV = "SCRYPATH_TEST_MEILISEARCH_KEY"
FORCE_ENV = "SCRYPATH_TEST_MEILISEARCH_PROVIDER"
IMAGE_ENV = "SCRYPATH_TEST_MEILISEARCH_IMAGE"
# Set by a parent process (a verify run) that already chose, so that a child
# reports who really served and why the others passed.
SERVED_BY_ENV = "SCRYPATH_TEST_MEILISEARCH_SERVED_BY"
SKIPPED_ENV = "SCRYPATH_TEST_MEILISEARCH_SKIPPED"

PROVIDERS = ("external", "testcontainers", "fake")


def checked_url(env: Mapping[str, str], name: str) -> str | None:
    """The URL in `name`, or None when unset; malformed values fail naming the variable."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{name} must be an http(s) URL such as http://127.0.0.1:7700, got {raw!r}",
            variable=name,
        )
    try:
        parts.port  # noqa: B018 - parsing the port validates it
    except ValueError:
        raise ConfigurationError(f"{name} has an invalid port: {raw!r}", variable=name) from None
    return raw.rstrip("/")


def forced_provider(env: Mapping[str, str]) -> str | None:
    """The provider an operator pinned, if any; an unknown name is an error."""
    return forced_choice(env, FORCE_ENV, PROVIDERS)


def pinned_elsewhere(env: Mapping[str, str], provider: str) -> Skip | None:
    """A skip for `provider` when the operator pinned another one, else None."""
    return pinned_skip(forced_provider(env), provider)


def validate(env: Mapping[str, str]) -> None:
    """Fail fast on a malformed provisioning variable, before any test runs."""
    checked_url(env, URL_ENV)
    forced_provider(env)


def inherited_skips(env: Mapping[str, str]) -> tuple[Skip, ...]:
    """The skip reasons a parent process passed down, if any."""
    raw = env.get(SKIPPED_ENV)
    if not raw:
        return ()
    try:
        items = json.loads(raw)
        return tuple(Skip(str(i["provider"]), str(i["reason"])) for i in items)
    except (ValueError, TypeError, KeyError):
        return ()


def handoff_environment(provisioned: Provisioned) -> dict[str, str]:
    """Variables that make a child process use what this process provisioned.

    A fake is not shared across processes: the child starts its own, so its
    tests keep in-process control of fault injection. A real server is shared.
    """
    env = {
        SERVED_BY_ENV: provisioned.provider,
        SKIPPED_ENV: json.dumps([s.to_json() for s in provisioned.skipped]),
    }
    if provisioned.real:
        env[FORCE_ENV] = "external"
        env[URL_ENV] = provisioned.url
        if provisioned.api_key:
            env[KEY_ENV] = provisioned.api_key
    else:
        env[FORCE_ENV] = "fake"
    return env
