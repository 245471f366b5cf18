"""The phase step that runs one release check, sharing one build of the dists per run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from verify.steps import StepContext

DIST_DIR_ENV = "SCRYPATH_RELEASE_DIST_DIR"
"""Names the directory the checks build the sdist and wheel into, or reuse them from."""


@dataclass(slots=True, weakref_slot=True)
class DistWorkspace:
    """Where one run's dists live: made on first use, so the run builds them once.

    By default a temporary directory, removed when the runner exits. When the runner's own
    environment names `SCRYPATH_RELEASE_DIST_DIR` (the release workflow does, to publish
    exactly what was checked), that directory is used and kept; dists a previous run left
    there are removed first, so nothing stale is reused.
    """

    prefix: str = "scrypath-release-"
    _path: Path | None = field(default=None, init=False)

    def path(self) -> Path:
        if self._path is None:
            self._path = self._prepare()
        return self._path

    def _prepare(self) -> Path:
        named = os.environ.get(DIST_DIR_ENV, "").strip()
        if not named:
            path = Path(tempfile.mkdtemp(prefix=self.prefix))
            weakref.finalize(self, shutil.rmtree, path, True)
            return path
        path = Path(named).resolve()
        path.mkdir(parents=True, exist_ok=True)
        for stale in [*path.glob("scrypath-*.whl"), *path.glob("scrypath-*.tar.gz")]:
            stale.unlink()
        return path


@dataclass(frozen=True, slots=True)
class ReleaseStep:
    """A command step running `python -m verify.release CHECK`, told where the run's dists live."""

    label: str
    check: str
    workspace: DistWorkspace
    kind: str = field(default="command", init=False)
    needs_meilisearch: bool = field(default=False, init=False)

    def argv(self) -> list[str]:
        return [sys.executable, "-m", "verify.release", self.check]

    def run(self, context: StepContext) -> int:
        env = {**context.env, DIST_DIR_ENV: str(self.workspace.path())}
        sys.stdout.flush()
        return subprocess.call(self.argv(), cwd=context.root, env=env)
