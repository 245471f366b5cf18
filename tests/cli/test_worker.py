"""`scrypath worker`: drains, stops gracefully on signals, fails fast with one clear line."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrypath.cli import main
from scrypath.config import Config
from scrypath.queue import JobState, queue_counts
from tests.conftest import closed_port
from tests.queue import support
from tests.queue.support import (
    OutboxDatabase,
    all_jobs,
    documents,
    enqueue_items,
    executing,
    wait_for,
    worker_command,
    worker_environment,
)

app_items = support.app_items
queue_config = support.queue_config
shared_database = support.shared_database

PASSWORD = "cli-Pa55word-never-shown"


@pytest.fixture(autouse=True)
def _meilisearch_url_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argument checks must reach the outbox check, whatever earlier tests configured."""
    monkeypatch.setenv("SCRYPATH_MEILISEARCH_URL", "http://127.0.0.1:9")


def test_once_drains_and_prints_an_ok_line(
    app_items: OutboxDatabase,
    queue_config: Config,
    meilisearch: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    enqueue_items(app_items.engine, 12)
    code = main(
        ["worker", "--database", app_items.url, "--once", "--batch-size", "5", "--concurrency", "2"]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert out.startswith("OK: worker ")
    assert "12 job(s) claimed: 12 completed" in out
    assert "job 1 completed" in err
    assert queue_counts(app_items.engine).states["completed"] == 12


def test_json_summary_and_json_log_lines(
    app_items: OutboxDatabase,
    queue_config: Config,
    capsys: pytest.CaptureFixture[str],
) -> None:
    enqueue_items(app_items.engine, 3)
    code = main(["worker", "--database", app_items.url, "--once", "--json", "--log-format", "json"])
    out, err = capsys.readouterr()
    assert code == 0
    summary = json.loads(out)
    assert summary["outcomes"]["completed"] == 3
    assert summary["claimed"] == 3
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert sorted(event["job_id"] for event in events) == [1, 2, 3]
    assert {event["outcome"] for event in events} == {"completed"}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_lets_the_batch_in_flight_finish_and_claims_nothing_more(
    app_items: OutboxDatabase,
    queue_config: Config,
    meilisearch: Any,
    meilisearch_fake: Any,
    tmp_path: Path,
    signum: int,
) -> None:
    engine = app_items.engine
    enqueue_items(engine, 30)
    meilisearch_fake.faults.hold_tasks()
    environment = worker_environment(
        queue_config, SCRYPATH_ENSURE_INDEX_ON_FIRST_SYNC="false", SCRYPATH_TASK_TIMEOUT="30"
    )
    log = tmp_path / "worker.log"
    with log.open("w") as stream:
        process = subprocess.Popen(
            worker_command(app_items.url, "--batch-size", "10", "--poll-interval", "0.05"),
            env=environment,
            stdout=subprocess.PIPE,
            stderr=stream,
            text=True,
        )
        try:
            wait_for(lambda: executing(engine) == 10, time.monotonic() + 60, "a batch in flight")
            process.send_signal(signum)
            wait_for(
                lambda: "finishing the current batch" in log.read_text(),
                time.monotonic() + 30,
                "the worker to acknowledge the signal",
            )
        finally:
            meilisearch_fake.faults.release_tasks()
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert out.startswith("OK: worker ")
    states = [job.state for job in all_jobs(engine)]
    assert states == [JobState.COMPLETED] * 10 + [JobState.AVAILABLE] * 20


def test_an_unreachable_database_fails_fast_with_one_line(
    queue_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql+psycopg://app:{PASSWORD}@127.0.0.1:{closed_port()}/app"
    assert main(["worker", "--database", url, "--once"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("scrypath: error [outbox_unavailable]: ")
    assert err.count("\n") == 1
    assert PASSWORD not in err


def test_a_database_without_the_outbox_says_how_to_install_it(
    queue_config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert main(["worker", "--database", url, "--once"]) == 1
    assert "[outbox_not_installed]" in capsys.readouterr().err


def test_an_unimportable_module_is_a_configuration_error(
    queue_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["worker", "--import", "no_such_module_anywhere", "--once"]) == 1
    err = capsys.readouterr().err
    assert "[configuration]" in err and "no_such_module_anywhere" in err


def test_no_database_says_how_to_set_one(
    queue_config: Config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SCRYPATH_OUTBOX_URL", raising=False)
    assert main(["worker", "--once"]) == 1
    assert "SCRYPATH_OUTBOX_URL" in capsys.readouterr().err


OPTIONS = {"--concurrency": (1, 64), "--batch-size": (1, 10_000)}


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(sorted(OPTIONS)), text=st.text(max_size=12))
def test_whole_number_options_parse_or_fail_with_exit_1(
    option: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = f"sqlite:///{tmp_path}/no/such/dir/outbox.db"
    code = main(["worker", "--database", missing, "--once", option, text])
    err = capsys.readouterr().err
    assert code == 1
    low, high = OPTIONS[option]
    try:
        valid = low <= int(text) <= high
    except ValueError:
        valid = False
    if valid:
        assert "[outbox_unavailable]" in err
    else:
        assert f"'{option}'" in err


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=12))
def test_the_poll_interval_parses_or_fails_with_exit_1(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = f"sqlite:///{tmp_path}/no/such/dir/outbox.db"
    code = main(["worker", "--database", missing, "--once", "--poll-interval", text])
    err = capsys.readouterr().err
    assert code == 1
    try:
        value = float(text)
        valid = 0 < value <= 3600
    except ValueError:
        valid = False
    assert ("[outbox_unavailable]" in err) is valid


def test_documents_reach_the_index(
    app_items: OutboxDatabase,
    queue_config: Config,
    meilisearch: Any,
) -> None:
    enqueue_items(app_items.engine, 4)
    assert main(["worker", "--database", app_items.url, "--once"]) == 0
    from scrypath.declaration import spec_for
    from tests.queue.worker_app import QueueItem

    index = spec_for(QueueItem).index_name(queue_config.index_prefix)
    assert sorted(documents(meilisearch, index)) == [1, 2, 3, 4]
