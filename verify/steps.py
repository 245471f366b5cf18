"""The kinds of step a phase is made of. Each runs as a subprocess from the repo root."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StepContext:
    """Where and with what environment steps run."""

    root: Path
    env: Mapping[str, str]


class Step(Protocol):
    """A step: a label for the output, a kind for the report, and a way to run."""

    @property
    def label(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def needs_meilisearch(self) -> bool: ...
    def run(self, context: StepContext) -> int: ...


def _call(argv: Sequence[str], context: StepContext) -> int:
    sys.stdout.flush()
    return subprocess.call(list(argv), cwd=context.root, env=dict(context.env))


@dataclass(frozen=True, slots=True)
class PytestStep:
    """pytest on focused files or markers, in a subprocess, against the provisioned server."""

    label: str
    targets: tuple[str, ...] = ("tests",)
    markers: str | None = None
    warnings_as_errors: bool = False
    extra_args: tuple[str, ...] = ()
    kind: str = field(default="pytest", init=False)
    needs_meilisearch: bool = field(default=True, init=False)

    def argv(self) -> list[str]:
        argv = [sys.executable, "-m", "pytest", *self.targets]
        if self.markers:
            argv += ["-m", self.markers]
        if self.warnings_as_errors:
            argv += ["-W", "error"]
        return argv + list(self.extra_args)

    def run(self, context: StepContext) -> int:
        return _call(self.argv(), context)


@dataclass(frozen=True, slots=True)
class DocsStep:
    """`mkdocs build --strict` into a throwaway directory."""

    label: str = "docs: mkdocs build --strict"
    kind: str = field(default="docs", init=False)
    needs_meilisearch: bool = field(default=False, init=False)

    def run(self, context: StepContext) -> int:
        with tempfile.TemporaryDirectory(prefix="scrypath-site-") as site:
            argv = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", site]
            quiet = StepContext(context.root, {**context.env, "NO_MKDOCS_2_WARNING": "1"})
            return _call(argv, quiet)


@dataclass(frozen=True, slots=True)
class CommandStep:
    """Any command; it passes when it exits 0."""

    label: str
    command: tuple[str, ...]
    needs_meilisearch: bool = False
    kind: str = field(default="command", init=False)

    def run(self, context: StepContext) -> int:
        argv = [sys.executable if part == "{python}" else part for part in self.command]
        return _call(argv, context)
