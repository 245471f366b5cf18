"""The last resort: scrypath's own fake Meilisearch, started in this process."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from scrypath.testing.provisioning._env import pinned_elsewhere
from scrypath.testing.provisioning.hookspecs import hookimpl
from scrypath.testing.provisioning.model import Provisioned, Skip


class FakeProvider:
    """Serves an in-process fake; always last, and always reported as the fake."""

    name = "fake"

    @hookimpl(trylast=True)
    def scrypath_provision_meilisearch(
        self, env: Mapping[str, str], skipped: list[Skip]
    ) -> Provisioned | None:
        pinned = pinned_elsewhere(env, self.name)
        if pinned is not None:
            skipped.append(pinned)
            return None
        try:
            from scrypath.testing.meilisearch import FakeMeilisearch
        except ImportError as exc:
            skipped.append(Skip(self.name, f"the fake Meilisearch is not available ({exc})"))
            return None
        server = FakeMeilisearch(master_key=secrets.token_urlsafe(24)).start()
        return Provisioned(
            self.name,
            server.url,
            server.master_key,
            real=False,
            skipped=tuple(skipped),
            fake=server,
            close=server.stop,
        )
