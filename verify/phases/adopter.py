"""adopter: the example application's tests, as an adopter's proof that scrypath works.

`adopter` (fast, the default) runs them on scrypath's fake Meilisearch and SQLite, whatever
the environment names. `adopter-live` (what `python -m verify adopter --live` runs) probes the
Meilisearch and PostgreSQL the environment names, stops at once when one is missing or does
not answer, and otherwise runs the same tests against them: never the fake or SQLite in
silence, never a container.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from scrypath.testing.provisioning._env import (
    FORCE_ENV,
    KEY_ENV,
    SERVED_BY_ENV,
    SKIPPED_ENV,
    URL_ENV,
)
from verify.hookspecs import hookimpl
from verify.live_services import DATABASE_URL, probe_meilisearch, probe_postgres
from verify.model import Phase
from verify.steps import PytestStep, StepContext

EXAMPLE = "examples/catalog"
EXAMPLE_TESTS = (f"{EXAMPLE}/tests",)
OWN_CONFIG = ("-c", f"{EXAMPLE}/pyproject.toml", "--rootdir", EXAMPLE)
EXAMPLE_DATABASE = "CATALOG_TEST_DATABASE_URL"
"""The example's tests use this database when set, else a SQLite file of their own."""


def fast_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The fake and SQLite, even when the environment names real services."""
    dropped = {URL_ENV, KEY_ENV, SERVED_BY_ENV, SKIPPED_ENV, EXAMPLE_DATABASE}
    return {**{k: v for k, v in env.items() if k not in dropped}, FORCE_ENV: "fake"}


def live_environment(env: Mapping[str, str]) -> dict[str, str]:
    """Exactly the services the environment names: the external provider, its PostgreSQL."""
    return {**env, FORCE_ENV: "external", EXAMPLE_DATABASE: env[DATABASE_URL]}


@dataclass(frozen=True, slots=True)
class ExampleTests:
    """pytest on the example's tests, under its own configuration, in the chosen environment."""

    live: bool
    kind: str = field(default="pytest", init=False)

    @property
    def label(self) -> str:
        if self.live:
            return "pytest: the example application's tests, on the named services"
        return "pytest: the example application's tests, on scrypath's fake and SQLite"

    @property
    def needs_meilisearch(self) -> bool:
        """Live runs take the run's provisioned services, which are then the named ones (the
        probe ran first), so the summary names them; fast runs start the example's own fake."""
        return self.live

    @property
    def needs_database(self) -> bool:
        return self.live

    def run(self, context: StepContext) -> int:
        choose = live_environment if self.live else fast_environment
        argv = PytestStep(self.label, EXAMPLE_TESTS, extra_args=OWN_CONFIG).argv()
        sys.stdout.flush()
        return subprocess.call(argv, cwd=context.root, env=choose(context.env))


@dataclass(frozen=True, slots=True)
class LiveProbe:
    """Both services must answer before any test runs; every problem is reported at once."""

    label: str = "probe: the Meilisearch and PostgreSQL the environment names"
    kind: str = field(default="probe", init=False)
    needs_meilisearch: bool = field(default=False, init=False)
    needs_database: bool = field(default=False, init=False)

    def run(self, context: StepContext) -> int:
        probes = (probe_meilisearch(context.env), probe_postgres(context.env))
        for probe in probes:
            if probe.problem is not None:
                print(f"adopter --live: {probe.problem}", flush=True)
            else:
                print(f"adopter --live: serving: {probe.description}", flush=True)
        return 1 if any(probe.problem for probe in probes) else 0


FAST = Phase(
    "adopter",
    "the example application's tests on scrypath's fake Meilisearch and SQLite"
    " (with --live: against the services the environment names)",
    (ExampleTests(live=False),),
)
LIVE = Phase(
    "adopter-live",
    "the example application's tests against the Meilisearch and PostgreSQL named by"
    f" {URL_ENV} and {DATABASE_URL}, probed first",
    (LiveProbe(), ExampleTests(live=True)),
)


@hookimpl
def verify_phases() -> list[Phase]:
    return [FAST, LIVE]
