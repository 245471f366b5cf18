"""What every `scrypath` command shares: naming a model, importing the application's modules,
configuration flags, JSON output and colour.

Commands stay thin: they parse with these helpers, call one root function and render its
report. Data goes to stdout; errors reach `scrypath.cli.main`, which prints them as one line.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from scrypath.declaration import is_searchable, registry
from scrypath.errors import ConfigurationError, NotSearchableError
from scrypath.operator.redaction import Redactor

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_DRIFT = 2
"""Compared and found drift: only the drift and diff commands return it."""


def import_user_module(name: str) -> Any:
    """Import one of the application's modules, finding it from the working directory as
    `python -m` would: a console script's path holds only its installation."""
    here = os.getcwd()
    if here not in sys.path and "" not in sys.path:
        sys.path.insert(0, here)
    return importlib.import_module(name)


def import_modules(modules: Iterable[str]) -> None:
    """Import the modules named by `--import` (they declare models and may configure)."""
    for name in modules:
        try:
            import_user_module(name)
        except Exception as error:
            raise ConfigurationError(
                f"--import {name}: the module could not be imported ({type(error).__name__}: "
                f"{error})",
                key="import",
            ) from error


def load_model(reference: str) -> type[Any]:
    """The searchable model a `package.module:ClassName` reference names."""
    module_name, _, name = reference.partition(":")
    if not module_name or not name:
        raise ConfigurationError(
            f"model {reference!r}: expected package.module:ClassName", key="model"
        )
    try:
        found: Any = import_user_module(module_name)
    except Exception as error:
        raise ConfigurationError(
            f"model {reference!r}: the module {module_name} could not be imported "
            f"({type(error).__name__}: {error})",
            key="model",
        ) from error
    for part in name.split("."):
        found = getattr(found, part, None)
        if found is None:
            raise ConfigurationError(
                f"model {reference!r}: {module_name} has no {name}", key="model"
            )
    if not isinstance(found, type) or not is_searchable(found):
        raise NotSearchableError(f"model {reference!r} is not a searchable model", model=name)
    return found


def declared_models() -> list[type[Any]]:
    """Every searchable model declared so far, in a stable order."""
    models = [spec.model for spec in registry.specs()]
    return sorted(models, key=model_reference)


def model_reference(model: type[Any]) -> str:
    """How the CLI names a model: `package.module:ClassName`."""
    return f"{model.__module__}:{model.__qualname__}"


def configuration_options(command: F) -> F:
    """`--import`, `--meilisearch-url`, `--index-prefix` and `--outbox-url` (the API key
    comes only from the environment or `configure()`, never from a command line)."""
    options = (
        click.option(
            "--import",
            "imports",
            metavar="MODULE",
            multiple=True,
            help="Import a module that declares models or configures scrypath (repeatable).",
        ),
        click.option(
            "--meilisearch-url",
            metavar="URL",
            help="Meilisearch URL [default: SCRYPATH_MEILISEARCH_URL or configure()].",
        ),
        click.option(
            "--index-prefix",
            metavar="PREFIX",
            help="Index prefix [default: SCRYPATH_INDEX_PREFIX or configure()].",
        ),
        click.option(
            "--outbox-url",
            metavar="URL",
            help="The outbox database [default: SCRYPATH_OUTBOX_URL or configure()].",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def json_option(command: F) -> F:
    """`--json`: print exactly one JSON document on stdout, and nothing else."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Write only the JSON report to stdout."
    )(command)


def redact_option(command: F) -> F:
    """`--redact`: index names, hosts and record ids become placeholders, for public pastes."""
    return click.option(
        "--redact",
        is_flag=True,
        help="Replace index names, hosts and record ids with stable placeholders.",
    )(command)


def shown(report: T, redact: bool) -> T:
    """The report as the command prints it: redacted when `--redact` was given."""
    return Redactor().report(report) if redact else report


def overrides(
    meilisearch_url: str | None, index_prefix: str | None, outbox_url: str | None
) -> dict[str, Any]:
    """The configuration flags given, as per-call keywords of the root functions."""
    given = {
        "meilisearch_url": meilisearch_url,
        "index_prefix": index_prefix,
        "outbox_url": outbox_url,
    }
    return {key: value for key, value in given.items() if value is not None}


def emit_json(document: Any) -> None:
    """Write one JSON document (and a newline) to stdout."""
    click.echo(json.dumps(document, ensure_ascii=False, sort_keys=False))


def colour_enabled() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return "NO_COLOR" not in os.environ and sys.stdout.isatty()


def paint(text: str, colour: str) -> str:
    """`text` in `colour` when colour is enabled, else as is."""
    return click.style(text, fg=colour) if colour_enabled() else text


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
