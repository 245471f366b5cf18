"""`scrypath index contract-drift MODEL`: the declaration against the live index.

Exit codes: 0 compared and everything matches; 2 compared and found drift; 1 could not
compare (bad arguments, unknown model, missing index, Meilisearch unreachable). `--json`
changes only the format, never the code.
"""

from __future__ import annotations

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
    redact_option,
    shown,
)
from scrypath.operator.contract_drift import ContractDriftReport, index_contract_drift


@click.group("index")
def index() -> None:
    """Inspect a model's live index."""


@index.command("contract-drift")
@click.argument("model")
@configuration_options
@json_option
@redact_option
def contract_drift(
    model: str,
    imports: tuple[str, ...],
    meilisearch_url: str | None,
    index_prefix: str | None,
    outbox_url: str | None,
    as_json: bool,
    redact: bool,
) -> int:
    """Compare MODEL's declaration with its live index in five dimensions.

    Exit 0 when everything matches, 2 on drift, 1 when the comparison could not run.
    """
    import_modules(imports)
    found = load_model(model)
    report = shown(
        index_contract_drift(found, **overrides(meilisearch_url, index_prefix, outbox_url)),
        redact,
    )
    if as_json:
        emit_json(report.to_json())
    else:
        render(report, model)
    return EXIT_OK if report.match else EXIT_DRIFT


def render(report: ContractDriftReport, reference: str) -> None:
    """The OK line, or the drift header, one `  ! dimension: summary` line per mismatch
    and where to go next."""
    where = f"for {reference} (index={report.index})"
    if report.match:
        click.echo(paint(f"Index contract OK {where}", "green"))
        return
    click.echo(paint(f"INDEX CONTRACT DRIFT {where}", "red"))
    for dimension in report.drifted:
        click.echo(f"  ! {dimension.name}: {dimension.summary}")
    click.echo("Next steps:")
    click.echo(
        f"  scrypath settings diff {reference}: the settings, declared vs applied, key by key"
    )
    click.echo(f"  scrypath reconcile {reference}: the sync state and the recommended actions")
    click.echo("  reindex (scrypath.reindex): rebuild the index with the declared contract")
