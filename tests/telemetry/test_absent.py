"""Without OpenTelemetry importable, scrypath works the same and records nothing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import scrypath
from scrypath.config import Config
from scrypath.telemetry import api, observe_outbox, span
from tests.conftest import Models
from tests.queue.support import worker_for
from tests.telemetry.conftest import Telemetry


@pytest.fixture
def without_opentelemetry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every `opentelemetry` module made unimportable, and scrypath's import retried."""
    for name in [name for name in sys.modules if name.split(".")[0] == "opentelemetry"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    api.reset()
    yield
    api.reset()


def test_everything_works_and_nothing_is_recorded(
    telemetry: Telemetry,
    without_opentelemetry: None,
    outbox: Models,
    queue_config: Config,
    meilisearch: Any,
) -> None:
    assert api.otel() is None
    with outbox.session() as session:
        post = outbox.Post(id=1, title="green tea")
        session.add(post)
        session.flush()
        assert scrypath.sync_record(post, session=session).status == "accepted"
        session.commit()
    report = worker_for(outbox.database.engine).drain(handle_signals=False)
    assert report.outcomes == {"completed": 1}
    assert scrypath.sync_record(post, mode="inline").status == "completed"
    with outbox.session() as session:
        found = scrypath.search(outbox.Post, "green", session=session)
    assert [record.id for record in found.records or ()] == [1]
    assert scrypath.failed_sync_work(outbox.Post).rows == ()
    observation = observe_outbox(outbox.database.engine)
    observation.close()
    with span("scrypath.sync", model="Post") as handle:
        handle.set(outcome="ok")
    assert telemetry.spans() == []
    assert telemetry.points() == []


def test_a_failure_still_raises_as_before(
    telemetry: Telemetry, without_opentelemetry: None, models: Models, offline_config: Config
) -> None:
    with models.session() as session:
        post = models.Post(id=1, title="t")
        session.add(post)
        session.commit()
    with pytest.raises(scrypath.ScrypathError) as raised:
        scrypath.sync_record(post)
    assert raised.value.reason == "transport"
    assert telemetry.spans() == []


def test_importing_scrypath_never_imports_opentelemetry() -> None:
    code = (
        "import sys, scrypath, scrypath.telemetry, scrypath.queue, scrypath.operator\n"
        "print(sorted(n for n in sys.modules if n.startswith('opentelemetry')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_an_import_hook_refusing_opentelemetry_leaves_scrypath_working() -> None:
    code = """
import sys
from importlib.abc import MetaPathFinder

class Refuse(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "opentelemetry":
            raise ImportError(f"no {name}")
        return None

sys.meta_path.insert(0, Refuse())
from scrypath.telemetry import api, span, sync_call
with span("scrypath.sync", model="Post") as handle:
    handle.set(outcome="ok")
with sync_call("Post", "posts", "inline", 1) as call:
    call.set(outcome="completed")
print(api.otel())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "None"
