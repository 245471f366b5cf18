"""console: the operator console, its route and security tests, then the same console driven
in a real headless Chromium (which also retakes the docs' screenshots), then the docs build.

Where no Chromium and chromedriver can be found, the browser step does not run: its label
says so, and so the verify summary does, rather than reading as a pass of tests never run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.steps import DocsStep, PytestStep, StepContext

INSTALL_HINT = "apt-get install -y chromium chromium-driver"
BROWSER_TESTS = ("tests/web/browser",)
WEB_TESTS = ("tests/web",)
"""The browser tests live under it but are collected only with the switch below."""


def browser_found() -> bool:
    """Chromium and chromedriver, from `SCRYPATH_CHROMIUM`/`SCRYPATH_CHROMEDRIVER` or PATH."""
    chromium = os.environ.get("SCRYPATH_CHROMIUM") or shutil.which("chromium")
    driver = os.environ.get("SCRYPATH_CHROMEDRIVER") or shutil.which("chromedriver")
    return bool(chromium and driver)


@dataclass(frozen=True, slots=True)
class BrowserTests:
    """pytest on the browser tests, with the switch that lets them be collected."""

    label: str = "pytest: the console in headless Chromium (Selenium; retakes the screenshots)"
    kind: str = field(default="pytest", init=False)
    needs_meilisearch: bool = field(default=True, init=False)

    def run(self, context: StepContext) -> int:
        argv = PytestStep(self.label, BROWSER_TESTS, markers="browser").argv()
        env = {**context.env, "SCRYPATH_BROWSER_TESTS": "1"}
        sys.stdout.flush()
        return subprocess.call(argv, cwd=context.root, env=env)


@dataclass(frozen=True, slots=True)
class NoBrowser:
    """Stands in for the browser tests where no browser exists, and says why in its label."""

    label: str = f"SKIPPED browser tests: no Chromium/chromedriver (install: {INSTALL_HINT})"
    kind: str = field(default="skipped", init=False)
    needs_meilisearch: bool = field(default=False, init=False)
    needs_database: bool = field(default=False, init=False)

    def run(self, context: StepContext) -> int:
        print(f"console: the browser tests did not run: {self.label}", flush=True)
        return 0


def phase() -> Phase:
    browser = BrowserTests() if browser_found() else NoBrowser()
    return Phase(
        "console",
        "the operator console: route and security tests, the browser tests in headless"
        " Chromium (skipped, and said so, only where no browser exists), the docs build",
        (
            PytestStep("pytest: console routes, security and CLI", WEB_TESTS),
            browser,
            DocsStep(),
        ),
    )


@hookimpl
def verify_phases() -> list[Phase]:
    return [phase()]
