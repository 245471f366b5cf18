"""The external provider: a Meilisearch the operator points at with a URL."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from scrypath.errors import ConfigurationError
from scrypath.testing.meilisearch.routes.misc import COMMIT_MARK as FAKE_COMMIT_MARK
from scrypath.testing.provisioning._env import KEY_ENV, URL_ENV, checked_url, pinned_elsewhere
from scrypath.testing.provisioning.hookspecs import hookimpl
from scrypath.testing.provisioning.model import Provisioned, Skip


def read_version(url: str, api_key: str | None, *, timeout: float = 5.0) -> dict[str, Any]:
    """GET /version, proving that the URL answers and the key is accepted."""
    request = urllib.request.Request(url + "/version")
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        exc.close()
        raise ConfigurationError(
            f"the Meilisearch at {URL_ENV} answered /version with HTTP {exc.code}; check {KEY_ENV}",
            variable=URL_ENV,
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"the Meilisearch at {URL_ENV} did not answer: {exc}", variable=URL_ENV
        ) from None
    return body if isinstance(body, dict) else {}


class ExternalProvider:
    """Serves when `SCRYPATH_TEST_MEILISEARCH_URL` is set."""

    name = "external"

    @hookimpl(tryfirst=True)
    def scrypath_provision_meilisearch(
        self, env: Mapping[str, str], skipped: list[Skip]
    ) -> Provisioned | None:
        url = checked_url(env, URL_ENV)
        pinned = pinned_elsewhere(env, self.name)
        if pinned is not None:
            skipped.append(pinned)
            return None
        if url is None:
            skipped.append(Skip(self.name, f"{URL_ENV} is not set"))
            return None
        api_key = env.get(KEY_ENV) or None
        version = read_version(url, api_key)
        real = not str(version.get("commitSha", "")).startswith(FAKE_COMMIT_MARK)
        return Provisioned(self.name, url, api_key, real=real, skipped=tuple(skipped))
