"""`scrypath worker`: drains, stops gracefully on signals, fails fast with one clear line."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrypath.cli import main
from scrypath.cli.worker import EXIT_JOBS_FAILED, _job_logging, _JSONLines, _TextLines
from scrypath.config import Config, configure
from scrypath.queue import JobState, queue_counts
from scrypath.queue.table import jobs
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
        [
            "worker",
            "--outbox-url",
            app_items.url,
            "--once",
            "--batch-size",
            "5",
            "--concurrency",
            "2",
        ]
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
    code = main(
        ["worker", "--outbox-url", app_items.url, "--once", "--json", "--log-format", "json"]
    )
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
    assert main(["worker", "--outbox-url", url, "--once"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("scrypath worker: error [outbox_unavailable]: ")
    assert err.count("\n") == 1
    assert PASSWORD not in err


def test_a_database_without_the_outbox_says_how_to_install_it(
    queue_config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert main(["worker", "--outbox-url", url, "--once"]) == 1
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
    code = main(["worker", "--outbox-url", missing, "--once", option, text])
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
    code = main(["worker", "--outbox-url", missing, "--once", "--poll-interval", text])
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
    assert main(["worker", "--outbox-url", app_items.url, "--once"]) == 0
    from scrypath.declaration import spec_for
    from tests.queue.worker_app import QueueItem

    index = spec_for(QueueItem).index_name(queue_config.index_prefix)
    assert sorted(documents(meilisearch, index)) == [1, 2, 3, 4]


# --- the outbox option: one name, an old alias ------------------------------------------------


def test_the_deprecated_database_option_still_works_and_says_so(
    app_items: OutboxDatabase, queue_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    enqueue_items(app_items.engine, 2)
    assert main(["worker", "--database", app_items.url, "--once"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("OK: ")
    assert "scrypath: warning: --database is deprecated; use --outbox-url" in err


def test_the_outbox_url_comes_from_the_environment_when_not_given(
    app_items: OutboxDatabase,
    queue_config: Config,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    enqueue_items(app_items.engine, 2)
    monkeypatch.setenv("SCRYPATH_OUTBOX_URL", app_items.url)
    assert main(["worker", "--once"]) == 0
    assert "2 job(s) claimed: 2 completed" in capsys.readouterr().out


def test_both_spellings_at_once_is_a_usage_error(
    queue_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "sqlite://"
    assert main(["worker", "--outbox-url", url, "--database", url, "--once"]) == 1
    assert "--outbox-url only" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--outbox-url", "--database"])
def test_a_bad_outbox_url_names_the_option_and_masks_the_password(
    queue_config: Config, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    assert main(["worker", option, f"postgresql//app:{PASSWORD}@db/app", "--once"]) == 1
    err = capsys.readouterr().err
    assert f"scrypath worker: error [configuration]: {option}: 'postgresql//app:***@db/app'" in err
    assert PASSWORD not in err


def test_a_bad_outbox_url_in_the_environment_names_the_variable(
    queue_config: Config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCRYPATH_OUTBOX_URL", f"postgresql//app:{PASSWORD}@db/app")
    assert main(["worker", "--once"]) == 1
    err = capsys.readouterr().err
    assert "SCRYPATH_OUTBOX_URL: 'postgresql//app:***@db/app'" in err
    assert PASSWORD not in err


# --- exit codes: a job that failed for good is not OK ------------------------------------------


def insert_ghost_job(engine: Any) -> None:
    """A job naming a model nobody declares: the worker cancels it (`validation`)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    row = {
        "operation": "upsert",
        "model": "tests.nowhere:Ghost",
        "index_uid": "ghosts",
        "payload": json.dumps([{"id": 1}]),
        "document_ids": "[1]",
        "document_count": 1,
        "state": "available",
        "attempt": 0,
        "max_attempts": 8,
        "inserted_at": now,
        "scheduled_at": now,
        "errors": [],
    }
    with engine.begin() as connection:
        connection.execute(jobs.insert(), [row])


def test_once_exits_3_when_a_job_was_cancelled(
    app_items: OutboxDatabase, queue_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    enqueue_items(app_items.engine, 2)
    insert_ghost_job(app_items.engine)
    assert main(["worker", "--outbox-url", app_items.url, "--once"]) == EXIT_JOBS_FAILED == 3
    out = capsys.readouterr().out
    assert out.startswith("FAILED: worker ")
    assert "2 completed, 0 superseded, 0 retryable, 0 discarded, 1 cancelled" in out
    assert "1 job(s) cancelled or discarded" in out


def test_once_exits_3_when_a_job_was_discarded_and_json_says_not_ok(
    app_items: OutboxDatabase,
    queue_config: Config,
    meilisearch_fake: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure(queue_max_attempts=1)
    enqueue_items(app_items.engine, 1)
    meilisearch_fake.faults.fail_next_tasks(
        1, code="internal", task_type="documentAdditionOrUpdate"
    )
    code = main(["worker", "--outbox-url", app_items.url, "--once", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 3
    assert summary["ok"] is False
    assert summary["outcomes"]["discarded"] == 1


def test_once_exits_0_and_json_says_ok_when_every_job_was_delivered(
    app_items: OutboxDatabase, queue_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    enqueue_items(app_items.engine, 1)
    assert main(["worker", "--outbox-url", app_items.url, "--once", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


# --- log lines carry the traceback of a logged exception ---------------------------------------


def record_with_exception() -> logging.LogRecord:
    try:
        raise RuntimeError("the hook broke")
    except RuntimeError:
        return logging.LogRecord(
            "scrypath.queue", logging.ERROR, __file__, 1, "job %s failed", (7,), sys.exc_info()
        )


def test_text_log_lines_append_the_traceback() -> None:
    text = _TextLines().format(record_with_exception())
    first, *rest = text.splitlines()
    assert first == "error: job 7 failed"
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1] == "RuntimeError: the hook broke"


def test_json_log_lines_carry_the_traceback_in_a_field() -> None:
    line = _JSONLines().format(record_with_exception())
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "job 7 failed"
    assert data["level"] == "error"
    assert data["traceback"].startswith("Traceback (most recent call last):")
    assert data["traceback"].endswith("RuntimeError: the hook broke")


def test_log_lines_without_an_exception_have_no_traceback() -> None:
    record = logging.LogRecord("scrypath.queue", logging.INFO, __file__, 1, "quiet", (), None)
    assert _TextLines().format(record) == "info: quiet"
    assert "traceback" not in json.loads(_JSONLines().format(record))


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_worker_logging_shows_an_exception_it_logs(
    capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    with _job_logging(log_format):
        try:
            raise ValueError("batch exploded")
        except ValueError:
            logging.getLogger("scrypath.queue").exception("could not record job %s", 4)
    err = capsys.readouterr().err
    assert "could not record job 4" in err
    assert "Traceback (most recent call last):" in err.replace("\\n", "\n")
    assert "ValueError: batch exploded" in err
