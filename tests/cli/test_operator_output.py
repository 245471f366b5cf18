"""The operator commands' channels: no secret in any output, one error line without a
traceback (unless `--debug`), colour only on a terminal and never with NO_COLOR, and no
argument list that exits 2 or escapes as a traceback."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scrypath.cli import main
from scrypath.config import configure
from scrypath.errors import ConfigurationError
from scrypath.indexes import ensure_index
from tests.cli import operator_support
from tests.cli.operator_app import DATABASE_VARIABLE
from tests.cli.operator_support import (
    PRODUCT,
    App,
    error_entry,
    failed_task,
    insert_job,
    run,
)
from tests.conftest import closed_port
from tests.queue.support import REPO, all_jobs, worker_environment

app = operator_support.app
shared_database = operator_support.shared_database

PASSWORD = "operator-Pa55word-never-shown"
COMMANDS = (
    ("status", PRODUCT),
    ("status",),
    ("failed", PRODUCT),
    ("failed",),
    ("reconcile", PRODUCT),
    ("reconcile", PRODUCT, "--include-index-contract-drift"),
)


def with_password(url: str) -> str:
    """The PostgreSQL URL with a password in it (trust authentication ignores it)."""
    return url.replace(
        "postgresql+psycopg://postgres@", f"postgresql+psycopg://postgres:{PASSWORD}@"
    )


def test_no_api_key_or_password_in_any_output(
    app: App, meilisearch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_index(app.product)
    retries = [retrying_job(app) for _ in range(2)]
    secrets = [meilisearch.api_key]
    extra: tuple[str, ...] = ()
    if app.database.backend == "postgresql":
        extra = ("--outbox-url", with_password(app.url))
        secrets.append(PASSWORD)
    assert all(secrets)
    runs = [(command, output) for command in COMMANDS for output in ((), ("--json",))]
    runs += [(("retry", "--id", retries[0]), ()), (("retry", "--id", retries[1]), ("--json",))]
    for command, output in runs:
        code, out, err = run(capsys, *command, *extra, *output)
        assert code == 0, (command, err)
        for secret in secrets:
            assert secret not in out and secret not in err, command


def retrying_job(app: App) -> str:
    errors = [error_entry("transport", "transport", "no answer")]
    return f"job:{insert_job(app, 'retryable', attempt=1, errors=errors)}"


def test_errors_never_show_the_key_or_the_password(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(meilisearch_api_key="a-wrong-key-that-must-stay-secret")
    unreachable = f"postgresql+psycopg://app:{PASSWORD}@127.0.0.1:{closed_port()}/app"
    for command in (*COMMANDS, ("retry", "--id", "task:1")):
        for extra in ((), ("--outbox-url", unreachable)):
            code, out, err = run(capsys, *command, *extra, "--json")
            assert (code, out) == (1, ""), (command, extra)
            assert err.startswith(f"scrypath {command[0]}: error ["), err
            assert err.count("\n") == 1 and "Traceback" not in err
            assert "a-wrong-key" not in err and PASSWORD not in err


def test_debug_lets_the_traceback_through(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigurationError):
        main(["--debug", "retry", "--id", "nonsense"])
    assert main(["retry", "--id", "nonsense"]) == 1
    assert capsys.readouterr().err.startswith("scrypath retry: error [configuration]: work id")


def command_line(*argv: str) -> list[str]:
    runner = "import sys; from scrypath.cli import main; sys.exit(main())"
    return [sys.executable, "-c", runner, *argv]


def environment(app: App, **extra: str) -> dict[str, str]:
    values = worker_environment(app.config)
    values.pop("NO_COLOR", None)
    return {**values, DATABASE_VARIABLE: app.url, **extra}


def test_a_process_prints_one_error_line_and_a_traceback_only_with_debug(app: App) -> None:
    argv = ("failed", PRODUCT, "--limit", "5", "--import", "tests.cli.operator_app")
    configured = environment(app, SCRYPATH_MEILISEARCH_URL=f"http://127.0.0.1:{closed_port()}")
    configured["SCRYPATH_HTTP_TIMEOUT"] = "1"
    quiet = subprocess.run(
        command_line(*argv), env=configured, capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert quiet.returncode == 1
    assert quiet.stdout == ""
    assert quiet.stderr.startswith("scrypath failed: error [")
    assert quiet.stderr.count("\n") == 1
    loud = subprocess.run(
        command_line("--debug", *argv),
        env=configured,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert loud.returncode == 1
    assert "Traceback (most recent call last)" in loud.stderr


def on_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run `argv` with its stdout on a pseudo-terminal; its exit code and what it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        argv, env=env, stdout=follower, stderr=subprocess.PIPE, cwd=REPO, text=True
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    process.communicate(timeout=120)  # drains and closes its stderr pipe
    return process.returncode, b"".join(chunks).decode()


def test_colour_only_on_a_terminal_and_never_with_no_color(app: App) -> None:
    ensure_index(app.product)
    argv = command_line("status", PRODUCT, "--import", "tests.cli.operator_app")
    code, shown = on_a_terminal(argv, environment(app))
    assert code == 0
    assert "\x1b[32mOK: status read" in shown
    code, shown = on_a_terminal(argv, environment(app, NO_COLOR="1"))
    assert code == 0
    assert "OK: status read" in shown and "\x1b[" not in shown
    piped = subprocess.run(argv, env=environment(app), capture_output=True, text=True, cwd=REPO)
    assert piped.returncode == 0
    assert "OK: status read" in piped.stdout and "\x1b[" not in piped.stdout


# --- no argument list exits 2 or escapes as a traceback ---------------------------------------

TEXT = st.text(max_size=8).filter(
    lambda text: ":" not in text and text not in {"this", "antigravity"}
)
MODELS = st.sampled_from(
    [
        PRODUCT,
        "tests.cli.operator_app:Review",
        "tests.cli.operator_app:Nope",
        "tests.cli.operator_app:AppBase",
        "no.such.module:Model",
        "nocolon",
        ":",
        "",
    ]
)
KNOWN_OPTIONS = st.one_of(
    st.sampled_from(
        [
            "--json",
            "--json",
            "--no-class-summary",
            "--include-index-contract-drift",
            "--help",
            "--nope",
        ]
    ).map(lambda flag: [flag]),
    st.tuples(st.just("--limit"), st.integers(-2, 5).map(str) | TEXT).map(list),
    st.tuples(
        st.just("--id"),
        st.sampled_from(["job:1", "job:2", "job:3", "task:1", "job:0", "job:" + "9" * 30]) | TEXT,
    ).map(list),
    st.tuples(
        st.just("--action"), st.sampled_from(["retry", "backfill", "reindex", "explode"])
    ).map(list),
    st.tuples(
        st.just("--import"), st.sampled_from(["tests.cli.operator_app", "no_such_module_x"])
    ).map(list),
    st.tuples(st.just("--index-prefix"), st.sampled_from(["other_", "", "bad prefix!"])).map(list),
    st.tuples(st.just("--outbox-url"), st.sampled_from(["sqlite://", "nope://x", ""])).map(list),
    st.tuples(st.just("--meilisearch-url"), st.sampled_from(["not a url", ""])).map(list),
)
# Mostly well-formed options (they reach the operator API), sometimes a stray word.
OPTIONS = st.one_of(KNOWN_OPTIONS, KNOWN_OPTIONS, KNOWN_OPTIONS, TEXT.map(lambda text: [text]))
MODEL_COMMANDS = st.builds(
    lambda command, model, options: [
        command,
        *model,
        *(word for group in options for word in group),
    ],
    st.sampled_from(["status", "failed", "reconcile"]),
    st.lists(MODELS, min_size=1, max_size=1) | st.just([]),
    st.lists(OPTIONS, max_size=4),
)
RETRY = st.builds(
    lambda options: ["retry", *(word for group in options for word in group)],
    st.lists(OPTIONS, max_size=3),
)
ARGV = MODEL_COMMANDS | RETRY


def seed(app: App, meilisearch: Any, fake: Any) -> None:
    """Work in every state, once: jobs to retry or refuse, and a failed task."""
    if all_jobs(app.engine):
        return
    ensure_index(app.product)
    insert_job(app, "retryable", attempt=1, errors=[error_entry("transport", "transport", "x")])
    insert_job(app, "discarded", attempt=8)
    insert_job(app, "completed")
    failed_task(meilisearch, fake, app.index())


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=ARGV)
def test_no_argument_list_exits_2_or_raises(
    argv: list[str],
    app: App,
    meilisearch: Any,
    meilisearch_fake: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed(app, meilisearch, meilisearch_fake)
    code = main(argv)
    _, err = capsys.readouterr()
    event(f"exit {code} {err.partition(']')[0] if code else ''}"[:60])
    assert code in (0, 1), argv
    assert "Traceback" not in err
    if code == 1:
        assert err.startswith(f"scrypath {argv[0]}: error [") and err.count("\n") == 1, err


@pytest.mark.parametrize("word", ["\n", "a\nb", "\r", "\x1b[31m"])
def test_a_stray_argument_with_control_characters_still_gives_one_error_line(
    word: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("status", "failed", "retry", "reconcile"):
        code, out, err = run(capsys, command, "x:Y", word)
        assert (code, out) == (1, "")
        assert err.startswith(f"scrypath {command}: error [usage]: "), err
        assert err.count("\n") == 1 and "\r" not in err and "\x1b" not in err, err
