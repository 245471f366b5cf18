"""`scrypath status | failed | retry | reconcile`: thin commands over the operator API.

Each parses its arguments, calls one root function (`sync_status`, `failed_sync_work`,
`retry_sync_work`, `reconcile_sync`) and renders the report: lines for a person, or with
`--json` exactly one JSON document. They exit 0 on success and 1 on any error, whatever
the report says (drift signals and failed work are data, not errors).
"""

from __future__ import annotations

from typing import Any

import click

from scrypath.cli import operator_lines as lines
from scrypath.cli.common import (
    EXIT_OK,
    configuration_options,
    declared_models,
    emit_json,
    import_modules,
    json_option,
    load_model,
    model_reference,
    overrides,
    paint,
    redact_option,
    shown,
)
from scrypath.errors import ConfigurationError
from scrypath.operator.failed import failed_sync_work
from scrypath.operator.reconcile import reconcile_sync
from scrypath.operator.retry import retry_sync_work
from scrypath.operator.status import sync_status

ACTIONS = ("retry", "backfill", "reindex", "repair")
MAX_TASK_LIMIT = 1_000_000


def _models(imports: tuple[str, ...], reference: str | None) -> list[type[Any]]:
    """The model named, or every declared one; none at all is an error, not a green run."""
    import_modules(imports)
    if reference is not None:
        return [load_model(reference)]
    found = declared_models()
    if not found:
        raise ConfigurationError(
            "no searchable model is declared; name one (package.module:ClassName) or "
            "--import the modules that declare them",
            key="model",
        )
    return found


def _echo(text_lines: list[str]) -> None:
    for line in text_lines:
        click.echo(line)


def _ok(message: str) -> None:
    click.echo(paint(f"OK: {message}", "green"))


@click.command()
@click.argument("model", required=False)
@configuration_options
@json_option
@redact_option
def status(
    model: str | None,
    imports: tuple[str, ...],
    meilisearch_url: str | None,
    index_prefix: str | None,
    outbox_url: str | None,
    as_json: bool,
    redact: bool,
) -> int:
    """Where MODEL's sync stands: Meilisearch's pending and failed tasks, the outbox's
    pending, retrying and failed jobs and its lag, and the index. Without MODEL, one line
    per declared model."""
    options = overrides(meilisearch_url, index_prefix, outbox_url)
    found = _models(imports, model)
    reports = shown(
        [(model_reference(item), sync_status(item, **options)) for item in found], redact
    )
    if as_json:
        emit_json(_one_or_many(model, [report.to_json() for _, report in reports]))
        return EXIT_OK
    if model is not None:
        name, report = reports[0]
        _echo(lines.status_lines(report, name))
        _ok(f"status read for {name} (index={report.index})")
        return EXIT_OK
    _echo([lines.status_summary_line(report, name) for name, report in reports])
    _ok(f"status read for {len(reports)} model(s)")
    return EXIT_OK


@click.command()
@click.argument("model", required=False)
@click.option("--no-class-summary", is_flag=True, help="Hide the rollup by reason class.")
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_TASK_LIMIT),
    default=1000,
    show_default=True,
    help="Most Meilisearch tasks to read; more than that is an error, never a partial list.",
)
@configuration_options
@json_option
@redact_option
def failed(
    model: str | None,
    no_class_summary: bool,
    limit: int,
    imports: tuple[str, ...],
    meilisearch_url: str | None,
    index_prefix: str | None,
    outbox_url: str | None,
    as_json: bool,
    redact: bool,
) -> int:
    """Failed and retrying work for MODEL, from the outbox and Meilisearch's task log, one
    row each with its reason class and recovery. Without MODEL, one line per model."""
    options = overrides(meilisearch_url, index_prefix, outbox_url)
    found = _models(imports, model)
    reports = [
        (
            model_reference(item),
            failed_sync_work(
                item, reason_class_counts=not no_class_summary, limit=limit, **options
            ),
        )
        for item in found
    ]
    reports = shown(reports, redact)
    if as_json:
        emit_json(_one_or_many(model, [report.to_json() for _, report in reports]))
        return EXIT_OK
    if model is not None:
        name, report = reports[0]
        _echo(lines.failed_lines(report, name))
        _ok(f"{len(report.rows)} failed or retrying row(s) listed for {name}")
        return EXIT_OK
    total = sum(len(report.rows) for _, report in reports)
    _echo([lines.failed_total_line(total)])
    _echo([lines.failed_summary_line(report, name) for name, report in reports])
    _ok(f"failed work read for {len(reports)} model(s)")
    return EXIT_OK


@click.command()
@click.option("--id", "work_id", metavar="ID", help="The row to retry: job:N (from a report).")
@configuration_options
@json_option
@redact_option
def retry(
    work_id: str | None,
    imports: tuple[str, ...],
    meilisearch_url: str | None,
    index_prefix: str | None,
    outbox_url: str | None,
    as_json: bool,
    redact: bool,
) -> int:
    """Retry exactly one failed row, chosen by --id from `scrypath failed` or `reconcile`.

    A job is re-queued; the worker then sends the rows as the database holds them now."""
    if not work_id:
        raise ConfigurationError(
            "retry needs --id ID, a row of `scrypath failed` (for example --id job:812)",
            key="work_id",
        )
    import_modules(imports)
    result = shown(
        retry_sync_work(work_id, **overrides(meilisearch_url, index_prefix, outbox_url)), redact
    )
    if as_json:
        emit_json(result.to_json())
        return EXIT_OK
    _ok(
        f"{result.id} {result.status} (model={result.model}, index={result.index}); the "
        "worker will send the rows as the database holds them now"
    )
    return EXIT_OK


@click.command()
@click.argument("model")
@click.option(
    "--action",
    type=click.Choice(ACTIONS),
    help="Apply one of the report's recommended actions (nothing changes without it).",
)
@click.option("--id", "work_id", metavar="ID", help="With --action retry: the row to retry.")
@click.option(
    "--include-index-contract-drift",
    is_flag=True,
    help="Also compare the declaration with the live index contract.",
)
@click.option(
    "--include-document-drift",
    is_flag=True,
    help="Also audit every document against its row (may recommend repair).",
)
@configuration_options
@json_option
@redact_option
def reconcile(
    model: str,
    action: str | None,
    work_id: str | None,
    include_index_contract_drift: bool,
    include_document_drift: bool,
    imports: tuple[str, ...],
    meilisearch_url: str | None,
    index_prefix: str | None,
    outbox_url: str | None,
    as_json: bool,
    redact: bool,
) -> int:
    """Report MODEL's sync drift and the recommended actions; with --action, apply one of
    them (and only one the report itself recommends)."""
    _check_action(action, work_id)
    import_modules(imports)
    found = load_model(model)
    report = reconcile_sync(
        found,
        action=action,
        work_id=work_id,
        include_index_contract_drift=include_index_contract_drift,
        include_document_drift=include_document_drift,
        **overrides(meilisearch_url, index_prefix, outbox_url),
    )
    report = shown(report, redact)
    if as_json:
        emit_json(report.to_json())
        return EXIT_OK
    name = model_reference(found)
    _echo(lines.reconcile_lines(report, name))
    if report.applied is None:
        _ok(f"reconcile report for {name} (index={report.index}); nothing was changed")
    else:
        _ok(f"applied {action} for {name} (index={report.index})")
    return EXIT_OK


def _check_action(action: str | None, work_id: str | None) -> None:
    """`--id` goes with `--action retry`, and `--action retry` needs it."""
    if action == "retry" and not work_id:
        raise ConfigurationError(
            "--action retry needs --id ID, one of the report's retryable rows",
            key="work_id",
        )
    if work_id is not None and action != "retry":
        raise ConfigurationError("--id goes with --action retry only", key="work_id")


def _one_or_many(model: str | None, documents: list[dict[str, Any]]) -> dict[str, Any]:
    """One model's report as is; several under `models`, in one versioned document."""
    if model is not None:
        return documents[0]
    return {"version": 1, "models": documents}


COMMANDS: tuple[click.Command, ...] = (status, failed, retry, reconcile)
"""The operator commands, in the order `scrypath --help` lists them."""
