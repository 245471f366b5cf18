"""Any module imports first, on its own: no import cycle hides behind the root's order."""

from __future__ import annotations

import subprocess
import sys

import pytest

FIRST_IMPORTS = (
    "scrypath.results",
    "scrypath.planning",
    "scrypath.delivery",
    "scrypath.meilisearch.tasks",
    "scrypath.meilisearch.settings_contract",
    "scrypath.changes",
    "scrypath.queue.deliver",
    "scrypath.orm_events",
    "scrypath.rebuild",
)


@pytest.mark.parametrize("module", FIRST_IMPORTS)
def test_a_module_imports_in_a_fresh_interpreter(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
