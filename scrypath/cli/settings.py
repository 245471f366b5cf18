"""`scrypath settings read | diff | hot-apply MODEL`: the settings contract of a model's index.

Thin wrappers over `scrypath.meilisearch.read_settings`, `diff_settings` and
`hot_apply_settings`. `diff` exits 0 when the live settings match the declaration, 2 when
they drift and 1 when it could not compare; `read` and `hot-apply` exit 0 or 1. `--json`
changes only the format, never the code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from scrypath.cli.common import (
    EXIT_DRIFT,
    EXIT_OK,
    configuration_options,
    emit_json,
    import_modules,
    json_option,
    load_model,
    overrides,
    paint,
)
from scrypath.config import resolve
from scrypath.declaration import spec_for
from scrypath.errors import ConfigurationError, HotApplyRefusedError
from scrypath.meilisearch.settings_contract import (
    HOT_APPLY_FAMILIES,
    HotApplyResult,
    SettingsDelta,
    diff_settings,
    hot_apply_body,
    hot_apply_settings,
    read_settings,
)
from scrypath.operator.contract_drift import without_secrets

F = TypeVar("F", bound=Callable[..., Any])


@click.group("settings")
def settings() -> None:
    """Read, diff and hot-apply the settings of a model's index."""


def _target(command: F) -> F:
    """MODEL, `--index`, the configuration flags and `--json`, shared by every subcommand."""
    command = json_option(command)
    command = configuration_options(command)
    command = click.option(
        "--index",
        "index_uid",
        metavar="UID",
        help="Use this index instead of the model's own (a rebuild target, say).",
    )(command)
    return click.argument("model")(command)


@settings.command("read")
@_target
def read(model: str, index_uid: str | None, as_json: bool, **options: Any) -> int:
    """Print the live settings of MODEL's index."""
    found, call = _prepare(model, options)
    index = _index(found, index_uid, call)
    live = without_secrets(read_settings(found, index=index, **call))
    if as_json:
        emit_json(_document(found, index, settings=live))
        return EXIT_OK
    for key, value in live.items():
        click.echo(f"{key}: {_compact(value)}")
    click.echo(paint(f"OK: live settings of {model} (index={index}), {len(live)} keys", "green"))
    return EXIT_OK


@settings.command("diff")
@_target
def diff(model: str, index_uid: str | None, as_json: bool, **options: Any) -> int:
    """Compare MODEL's declared settings with its live index, key by key.

    Exit 0 when they match, 2 on drift, 1 when the comparison could not run.
    """
    found, call = _prepare(model, options)
    index = _index(found, index_uid, call)
    deltas = [without_secrets(delta) for delta in diff_settings(found, index=index, **call)]
    if as_json:
        emit_json(_document(found, index, match=not deltas, deltas=[dict(d) for d in deltas]))
    else:
        _render_diff(model, index, deltas)
    return EXIT_DRIFT if deltas else EXIT_OK


@settings.command("hot-apply")
@_target
@click.option(
    "--settings-file",
    metavar="FILE",
    help="A JSON object of synonyms, stop_words and typo_tolerance changes.",
)
@click.option(
    "--ack-live",
    is_flag=True,
    help="Confirm: search results on the live index change at once.",
)
def hot_apply(
    model: str,
    index_uid: str | None,
    as_json: bool,
    settings_file: str | None,
    ack_live: bool,
    **options: Any,
) -> int:
    """Change synonyms, stop words or typo tolerance on MODEL's live index, and wait.

    Every other key is refused by name: it changes what is indexed, so declare it and
    reindex instead.
    """
    found, call = _prepare(model, options)
    index = _index(found, index_uid, call)
    changes = _changes(settings_file)
    spec = spec_for(found)
    hot_apply_body(spec, changes, acknowledge=True, index=index)
    if not ack_live:
        raise HotApplyRefusedError(
            f"hot-applying settings changes search results on the live index {index!r} at "
            "once; pass --ack-live to confirm",
            key="ack_live",
            model=spec.model_name,
            index=index,
        )
    result = hot_apply_settings(found, changes, acknowledge=True, index=index, **call)
    if as_json:
        emit_json(_document(found, index, **_hot_apply_json(result)))
    else:
        _render_hot_apply(model, result)
    return EXIT_OK


def _prepare(model: str, options: dict[str, Any]) -> tuple[type[Any], dict[str, Any]]:
    """Import what `--import` names, load MODEL, and gather the configuration overrides."""
    import_modules(options["imports"])
    found = load_model(model)
    call = overrides(options["meilisearch_url"], options["index_prefix"], options["outbox_url"])
    return found, call


def _index(model: type[Any], index_uid: str | None, call: dict[str, Any]) -> str:
    if index_uid is not None:
        return index_uid
    return spec_for(model).index_name(resolve(**call).index_prefix)


def _document(model: type[Any], index: str, **fields: Any) -> dict[str, Any]:
    return {"version": 1, "model": spec_for(model).model_name, "index": index, **fields}


def _changes(path: str | None) -> dict[str, Any]:
    """The JSON object `--settings-file` holds."""
    if path is None:
        raise ConfigurationError(
            f"pass --settings-file FILE: a JSON object of {', '.join(HOT_APPLY_FAMILIES)} changes",
            key="settings_file",
        )
    try:
        with open(path, encoding="utf-8") as handle:
            changes = json.load(handle)
    except OSError as error:
        raise ConfigurationError(
            f"--settings-file {path}: cannot be read ({error.strerror or type(error).__name__})",
            key="settings_file",
        ) from None
    except ValueError as error:
        raise ConfigurationError(
            f"--settings-file {path}: not valid JSON ({error})", key="settings_file"
        ) from None
    if not isinstance(changes, dict):
        raise ConfigurationError(
            f"--settings-file {path}: expected a JSON object, found {type(changes).__name__}",
            key="settings_file",
        )
    return changes


def _render_diff(reference: str, index: str, deltas: list[SettingsDelta]) -> None:
    where = f"for {reference} (index={index})"
    if not deltas:
        click.echo(paint(f"OK: settings match the declaration {where}", "green"))
        return
    click.echo(paint(f"SETTINGS DRIFT {where}", "red"))
    for delta in deltas:
        click.echo(
            f"  ! {delta['key']}: declared {_compact(delta['declared'])}, "
            f"applied {_compact(delta['applied'])}"
        )
    click.echo("Next steps:")
    click.echo(
        f"  scrypath settings hot-apply {reference} --settings-file FILE --ack-live: "
        "synonyms, stop words and typo tolerance only"
    )
    click.echo("  reindex (scrypath.reindex): apply every other declared setting")


def _hot_apply_json(result: HotApplyResult) -> dict[str, Any]:
    document: dict[str, Any] = without_secrets(result.to_json())
    document.pop("index")
    return document


def _render_hot_apply(reference: str, result: HotApplyResult) -> None:
    for key, value in result.applied.items():
        click.echo(f"  {key}: previous {_compact(result.previous.get(key))}, now {_compact(value)}")
    if result.drift:
        keys = ", ".join(delta["key"] for delta in result.drift)
        click.echo(
            f"Note: the live settings now differ from the declaration in {keys}; declare "
            "the change, or the next reindex undoes it"
        )
    families = ", ".join(result.applied)
    click.echo(
        paint(
            f"OK: hot-applied {families} to {reference} (index={result.index}), "
            f"task {result.task.uid} {result.task.status}",
            "green",
        )
    )


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
