"""`scrypath index contract-drift`: exact lines, exit codes 0/2/1, one JSON document, colour
rules, no secrets; and a property over argument lists for the drift and diff commands."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrypath.cli import main
from scrypath.config import Config
from scrypath.indexes import ensure_index
from scrypath.operator.contract_drift import index_contract_drift
from tests.cli.cli_support import Terminal, change, importable, run
from tests.conftest import Models, closed_port

APP = "drift_cli_app"
POST = f"{APP}:Post"


@pytest.fixture
def app(models: Models, scrypath_config: Config, monkeypatch: pytest.MonkeyPatch) -> Models:
    """The test's models importable as `drift_cli_app:Post` (and `:Author`, `:Note`)."""
    importable(monkeypatch, APP, models, "Post", "Author", "Note")
    return models


@pytest.fixture
def posts(app: Models) -> str:
    return ensure_index(app.Post).index


def test_a_matching_index_prints_the_ok_line_and_exits_0(
    posts: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "index", "contract-drift", POST) == (
        0,
        f"Index contract OK for {POST} (index={posts})\n",
        "",
    )


def test_drift_prints_only_the_mismatches_and_exits_2(
    posts: str, meilisearch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    change(
        meilisearch,
        posts,
        {
            "filterableAttributes": ["author_id", "status", "tenant_id"],
            "sortableAttributes": ["price"],
        },
    )
    code, out, err = run(capsys, "index", "contract-drift", POST)
    assert (code, err) == (2, "")
    assert out.splitlines() == [
        f"INDEX CONTRACT DRIFT for {POST} (index={posts})",
        "  ! filterable_attributes: declared but not applied: price",
        "  ! sortable_attributes: declared but not applied: title",
        "  ! faceting: declared facets not filterable on the live index: price",
        "Next steps:",
        f"  scrypath settings diff {POST}: the settings, declared vs applied, key by key",
        f"  scrypath reconcile {POST}: the sync state and the recommended actions",
        "  reindex (scrypath.reindex): rebuild the index with the declared contract",
    ]


def test_json_writes_one_document_and_keeps_the_exit_code(
    app: Models, posts: str, meilisearch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "index", "contract-drift", POST, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == index_contract_drift(app.Post).to_json()
    change(meilisearch, posts, {"searchableAttributes": ["body", "title"]})
    code, out, err = run(capsys, "index", "contract-drift", POST, "--json")
    document = json.loads(out)
    assert (code, err) == (2, "")
    assert out.count("\n") == 1
    assert document["version"] == 1 and document["match"] is False
    assert document == index_contract_drift(app.Post).to_json()


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_a_missing_index_cannot_compare_and_exits_1(
    app: Models, capsys: pytest.CaptureFixture[str], as_json: list[str]
) -> None:
    code, out, err = run(capsys, "index", "contract-drift", POST, *as_json)
    assert (code, out) == (1, "")
    assert err.startswith("scrypath index contract-drift: error [index_not_found]: ")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_prefix_flag_that_names_no_index_exits_1(
    posts: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "index", "contract-drift", POST, "--index-prefix", "elsewhere_")
    assert (code, out) == (1, "")
    assert "[index_not_found]" in err and "elsewhere_posts" in err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["index", "contract-drift", f"{APP}:Missing"], "configuration"),
        (["index", "contract-drift", "no_such_module_for_drift:Post"], "configuration"),
        (["index", "contract-drift", "not-a-reference"], "configuration"),
        (
            ["index", "contract-drift", POST, "--import", "no_such_module_for_drift"],
            "configuration",
        ),
        (["index", "contract-drift", POST, "--meilisearch-url", "not a url"], "configuration"),
    ],
)
def test_bad_arguments_exit_1_with_one_error_line(
    app: Models, capsys: pytest.CaptureFixture[str], argv: list[str], reason: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err.startswith(f"scrypath index contract-drift: error [{reason}]: ")
    assert err.count("\n") == 1


def test_usage_errors_exit_1_never_2(app: Models, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "index", "contract-drift")[0] == 1
    assert run(capsys, "index", "contract-drift", POST, "--nope")[0] == 1
    assert run(capsys, "index", "nope")[0] == 1


def test_an_unreachable_meilisearch_exits_1_without_the_api_key(
    app: Models, offline_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "index", "contract-drift", POST, "--json")
    assert (code, out) == (1, "")
    assert err.startswith("scrypath index contract-drift: error [transport]: ")
    assert "offline-key-that-must-not-leak" not in err


def test_no_output_holds_the_api_key(
    posts: str, meilisearch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert meilisearch.api_key
    outputs = [run(capsys, "index", "contract-drift", POST, *extra) for extra in ([], ["--json"])]
    change(meilisearch, posts, {"sortableAttributes": []})
    outputs += [run(capsys, "index", "contract-drift", POST, *extra) for extra in ([], ["--json"])]
    assert [code for code, _, _ in outputs] == [0, 0, 2, 2]
    assert all(meilisearch.api_key not in out + err for _, out, err in outputs)


def test_colour_only_on_a_terminal_and_never_with_no_color(
    posts: str,
    meilisearch: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    change(meilisearch, posts, {"sortableAttributes": []})

    def on_terminal() -> str:
        terminal = Terminal()
        with monkeypatch.context() as patch:
            patch.setattr(sys, "stdout", terminal)
            assert main(["index", "contract-drift", POST]) == 2
        return terminal.getvalue()

    coloured = on_terminal()
    assert coloured.startswith("\x1b[31mINDEX CONTRACT DRIFT for ")
    monkeypatch.setenv("NO_COLOR", "1")
    plain = on_terminal()
    assert "\x1b[" not in plain and plain.startswith("INDEX CONTRACT DRIFT for ")
    monkeypatch.delenv("NO_COLOR")
    code, out, _ = run(capsys, "index", "contract-drift", POST)
    assert code == 2 and "\x1b[" not in out


# The property: no argument list exits 2 unless it compared and found drift.

DRIFT_COMMANDS = (("index", "contract-drift"), ("settings", "diff"))


@pytest.fixture
def compared(app: Models, meilisearch: Any, meilisearch_index_prefix: str) -> dict[str, Any]:
    """Post's index drifts, Author's matches, Note's does not exist."""
    posts = ensure_index(app.Post).index
    ensure_index(app.Author)
    change(meilisearch, posts, {"sortableAttributes": ["price"]})
    return {"prefix": meilisearch_index_prefix, "url": meilisearch.url, "posts": posts}


MODELS = (f"{APP}:Post", f"{APP}:Author", f"{APP}:Note", f"{APP}:Nope", APP, "x:y", "")


@st.composite
def drift_argv(draw: st.DrawFn, good: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """An argument list for a drift or diff command, and what it was built from: known
    options (good and bad values) and, sometimes, random words."""
    command = draw(st.sampled_from(DRIFT_COMMANDS))
    model = draw(
        st.sampled_from(MODELS[:2])
        | st.sampled_from(MODELS)
        | st.text(max_size=12).filter(lambda s: not s.startswith("-"))
    )
    harmless = st.sampled_from(
        [
            ("--json",),
            ("--index-prefix", good["prefix"]),
            ("--meilisearch-url", good["url"]),
            ("--import", APP),
        ]
    )
    known = harmless | st.sampled_from(
        [
            ("--json",),
            ("--index-prefix", good["prefix"]),
            ("--index-prefix", "other_"),
            ("--meilisearch-url", good["url"]),
            ("--meilisearch-url", f"http://127.0.0.1:{good['closed']}"),
            ("--meilisearch-url", "nope"),
            ("--import", APP),
            ("--import", "no_such_module_for_drift"),
            ("--index", good["posts"]),
            ("--index", "no_such_index"),
            ("-h",),
        ]
    )
    random_word = st.builds(lambda word: ("?", word), st.text(max_size=8))
    options = draw(st.lists(known, max_size=3))
    options += draw(st.lists(random_word, max_size=1) | st.just([]))
    words = [word for option in options for word in (option[1:] if option[0] == "?" else option)]
    return [*command, model, *words], {"command": command, "model": model, "options": options}


def expected_code(built: dict[str, Any], good: dict[str, Any]) -> int:
    """What the command must return for an argument list of known options only."""
    options, command = built["options"], built["command"]
    if command == ("index", "contract-drift") and any(o[0] == "--index" for o in options):
        return 1
    if ("-h",) in options:
        return 0
    last = {option[0]: option[1] for option in options if len(option) == 2}
    if ("--import", "no_such_module_for_drift") in options:
        return 1
    if (
        built["model"] not in MODELS[:3]
        or last.get("--meilisearch-url", good["url"]) != good["url"]
    ):
        return 1
    if "--index" in last:
        return 2 if last["--index"] == good["posts"] else 1
    if last.get("--index-prefix", good["prefix"]) != good["prefix"]:
        return 1
    return {f"{APP}:Post": 2, f"{APP}:Author": 0}.get(built["model"], 1)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_argument_list_exits_2_unless_it_compared_and_found_drift(
    compared: dict[str, Any], data: st.DataObject
) -> None:
    good = {**compared, "closed": closed_port()}
    argv, built = data.draw(drift_argv(good))
    stdout, stderr = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr
    try:
        code = main(argv)
    finally:
        sys.stdout, sys.stderr = saved
    output = stdout.getvalue() + stderr.getvalue()
    assert code in (0, 1, 2), argv
    assert "Traceback" not in output, argv
    known = {**built, "options": [o for o in built["options"] if o[0] != "?"]}
    if len(known["options"]) == len(built["options"]):
        assert code == expected_code(known, good), (argv, output)
    elif code == 2:
        assert expected_code(known, good) == 2, (argv, output)


@pytest.fixture(autouse=True)
def _no_color_leak(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Colour decisions here depend only on what each test sets."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield
