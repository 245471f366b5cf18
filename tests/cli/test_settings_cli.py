"""`scrypath settings read | diff | hot-apply`: exact lines, exit codes, one JSON document,
refusals by name, colour rules and no secrets."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from scrypath.cli import main
from scrypath.config import Config
from scrypath.indexes import ensure_index
from scrypath.meilisearch.settings_contract import diff_settings, read_settings
from tests.cli.cli_support import Terminal, change, importable, run
from tests.conftest import Models

APP = "settings_cli_app"
POST = f"{APP}:Post"


@pytest.fixture
def posts(models: Models, scrypath_config: Config, monkeypatch: pytest.MonkeyPatch) -> str:
    """Post importable as `settings_cli_app:Post`, with its index created; returns the uid."""
    importable(monkeypatch, APP, models, "Post", "Author")
    return ensure_index(models.Post).index


def write(tmp_path: Path, content: Any) -> str:
    path = tmp_path / "changes.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


# read


def test_read_prints_each_live_key_then_an_ok_line(
    models: Models, posts: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "settings", "read", POST)
    live = read_settings(models.Post)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == 'displayedAttributes: ["*"]'
    assert 'searchableAttributes: ["title", "body"]' in lines
    assert lines[-1] == f"OK: live settings of {POST} (index={posts}), {len(live)} keys"
    assert len(lines) == len(live) + 1


def test_read_json_is_one_versioned_document(
    models: Models, posts: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "settings", "read", POST, "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert list(document) == ["version", "model", "index", "settings"]
    assert document["version"] == 1 and document["index"] == posts
    assert document["settings"] == read_settings(models.Post)


def test_read_of_a_named_index_and_of_a_missing_one(
    models: Models, posts: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "settings", "read", POST, "--index", posts, "--json")
    assert code == 0 and json.loads(out)["index"] == posts
    code, out, err = run(capsys, "settings", "read", POST, "--index", "absent_index")
    assert (code, out) == (1, "")
    assert err.startswith("scrypath settings read: error [index_not_found]: ")
    assert err.count("\n") == 1


def test_read_hides_an_embedder_api_key(
    posts: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fake stores no embedders, so the live answer gets one the way Meilisearch
    would return it."""
    secret = "sk-embedder-secret-never-shown"
    embedder = {"source": "rest", "url": "http://127.0.0.1:9/embed", "apiKey": secret}

    def with_embedder(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {**read_settings(*args, **kwargs), "embedders": {"default": embedder}}

    monkeypatch.setattr("scrypath.cli.settings.read_settings", with_embedder)
    code, out, err = run(capsys, "settings", "read", POST)
    assert code == 0 and secret not in out + err
    assert '"apiKey": "***"' in out
    code, out, err = run(capsys, "settings", "read", POST, "--json")
    assert code == 0 and secret not in out + err
    assert json.loads(out)["settings"]["embedders"]["default"]["apiKey"] == "***"


# diff


def test_diff_ok_line_when_the_settings_match(
    posts: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "settings", "diff", POST) == (
        0,
        f"OK: settings match the declaration for {POST} (index={posts})\n",
        "",
    )


def test_diff_lists_each_drifted_key_and_exits_2(
    posts: str, meilisearch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    change(
        meilisearch,
        posts,
        {"sortableAttributes": ["price"], "searchableAttributes": ["body", "title"]},
    )
    code, out, err = run(capsys, "settings", "diff", POST)
    assert (code, err) == (2, "")
    assert out.splitlines() == [
        f"SETTINGS DRIFT for {POST} (index={posts})",
        '  ! searchableAttributes: declared ["title", "body"], applied ["body", "title"]',
        '  ! sortableAttributes: declared ["price", "title"], applied ["price"]',
        "Next steps:",
        f"  scrypath settings hot-apply {POST} --settings-file FILE --ack-live: "
        "synonyms, stop words and typo tolerance only",
        "  reindex (scrypath.reindex): apply every other declared setting",
    ]


def test_diff_json_keeps_the_exit_code(
    models: Models, posts: str, meilisearch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "settings", "diff", POST, "--json")
    assert code == 0
    assert json.loads(out) == {
        "version": 1,
        "model": "Post",
        "index": posts,
        "match": True,
        "deltas": [],
    }
    change(meilisearch, posts, {"sortableAttributes": []})
    code, out, err = run(capsys, "settings", "diff", POST, "--json")
    document = json.loads(out)
    assert (code, err, out.count("\n")) == (2, "", 1)
    assert document["match"] is False
    assert document["deltas"] == [dict(delta) for delta in diff_settings(models.Post)]


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_diff_that_cannot_compare_exits_1(
    posts: str, capsys: pytest.CaptureFixture[str], as_json: list[str]
) -> None:
    code, out, err = run(capsys, "settings", "diff", POST, "--index", "absent_index", *as_json)
    assert (code, out) == (1, "")
    assert err.startswith("scrypath settings diff: error [index_not_found]: ")
    code, out, err = run(capsys, "settings", "diff", f"{APP}:Nope", *as_json)
    assert (code, out) == (1, "")
    assert err.startswith("scrypath settings diff: error [configuration]: ")


def test_diff_colour_only_on_a_terminal_and_never_with_no_color(
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
            assert main(["settings", "diff", POST]) == 2
        return terminal.getvalue()

    assert on_terminal().startswith("\x1b[31mSETTINGS DRIFT for ")
    monkeypatch.setenv("NO_COLOR", "")
    assert "\x1b[" not in on_terminal()
    monkeypatch.delenv("NO_COLOR")
    code, out, _ = run(capsys, "settings", "diff", POST)
    assert code == 2 and "\x1b[" not in out


# hot-apply


def test_hot_apply_changes_synonyms_and_reports_what_it_replaced(
    models: Models, posts: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"synonyms": {"tee": ["t-shirt"]}})
    code, out, err = run(
        capsys, "settings", "hot-apply", POST, "--settings-file", path, "--ack-live"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == '  synonyms: previous {}, now {"tee": ["t-shirt"]}'
    assert lines[-1].startswith(f"OK: hot-applied synonyms to {POST} (index={posts}), task ")
    assert lines[-1].endswith(" succeeded")
    assert read_settings(models.Post)["synonyms"] == {"tee": ["t-shirt"]}


def test_hot_apply_json_and_a_note_on_the_drift_it_leaves(
    models: Models, posts: str, meilisearch: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change(meilisearch, posts, {"sortableAttributes": []})
    path = write(tmp_path, {"stop_words": ["the"]})
    argv = ["settings", "hot-apply", POST, "--settings-file", path, "--ack-live"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert (
        "Note: the live settings now differ from the declaration in sortableAttributes; "
        "declare the change, or the next reindex undoes it"
    ) in out.splitlines()
    code, out, err = run(capsys, *argv, "--json")
    document = json.loads(out)
    assert (code, err) == (0, "")
    assert list(document) == ["version", "model", "index", "applied", "previous", "task", "drift"]
    assert document["applied"] == {"stopWords": ["the"]}
    assert document["previous"] == {"stopWords": ["the"]}
    assert document["task"]["status"] == "succeeded"
    assert [delta["key"] for delta in document["drift"]] == ["sortableAttributes"]


def test_hot_apply_needs_ack_live_and_changes_nothing_without_it(
    models: Models, posts: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"synonyms": {"tee": ["t-shirt"]}})
    code, out, err = run(capsys, "settings", "hot-apply", POST, "--settings-file", path)
    assert (code, out) == (1, "")
    assert err == (
        "scrypath settings hot-apply: error [hot_apply_refused]: hot-applying settings changes "
        f"search results on the live index '{posts}' at once; pass --ack-live to confirm\n"
    )
    assert read_settings(models.Post)["synonyms"] == {}


def test_hot_apply_needs_a_settings_file(posts: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "settings", "hot-apply", POST, "--ack-live")
    assert (code, out) == (1, "")
    assert err.startswith(
        "scrypath settings hot-apply: error [configuration]: pass --settings-file"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"sortable_attributes": ["price"]},
        {"synonyms": {}, "rankingRules": ["words"], "filterableAttributes": []},
    ],
)
def test_hot_apply_refuses_other_keys_by_name_before_sending_anything(
    models: Models,
    posts: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, Any],
) -> None:
    before = read_settings(models.Post)
    path = write(tmp_path, changes)
    for ack in ([], ["--ack-live"]):
        code, out, err = run(capsys, "settings", "hot-apply", POST, "--settings-file", path, *ack)
        assert (code, out) == (1, "")
        refused = ", ".join(key for key in changes if key != "synonyms")
        assert err.startswith("scrypath settings hot-apply: error [hot_apply_refused]: ")
        assert f"refused: {refused}." in err and err.count("\n") == 1
    assert read_settings(models.Post) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["synonyms"]', "expected a JSON object, found list"),
        (None, "cannot be read"),
    ],
)
def test_hot_apply_bad_settings_files(
    posts: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    path = str(tmp_path / "absent.json") if content is None else write(tmp_path, content)
    code, out, err = run(
        capsys, "settings", "hot-apply", POST, "--settings-file", path, "--ack-live"
    )
    assert (code, out) == (1, "")
    assert err.startswith("scrypath settings hot-apply: error [configuration]: --settings-file ")
    assert message in err and err.count("\n") == 1


def test_an_empty_change_is_refused(
    posts: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {})
    code, _, err = run(capsys, "settings", "hot-apply", POST, "--settings-file", path, "--ack-live")
    assert code == 1 and "[hot_apply_refused]: nothing to hot-apply" in err


def test_no_settings_output_holds_the_api_key(
    posts: str, meilisearch: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert meilisearch.api_key
    path = write(tmp_path, {"typo_tolerance": {"enabled": False}})
    runs = [
        run(capsys, "settings", command, POST, *extra)
        for command in ("read", "diff")
        for extra in ([], ["--json"])
    ]
    runs += [
        run(capsys, "settings", "hot-apply", POST, "--settings-file", path, "--ack-live", *extra)
        for extra in ([], ["--json"])
    ]
    assert [code for code, _, _ in runs] == [0, 0, 0, 0, 0, 0]
    assert all(meilisearch.api_key not in out + err for _, out, err in runs)


def test_an_unreachable_meilisearch_exits_1_without_the_api_key(
    posts: str, offline_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("read", "diff"):
        code, out, err = run(capsys, "settings", command, POST)
        assert (code, out) == (1, "")
        assert err.startswith(f"scrypath settings {command}: error [transport]: ")
        assert "offline-key-that-must-not-leak" not in err
