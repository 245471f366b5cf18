"""`scrypath audit MODEL`: is the index equal to the database, document by document?

Exit codes: 0 the audit ran and found no drift; 2 it ran and found drift; 1 it could not run
(bad arguments, unknown model, missing index, Meilisearch or the database unreachable).
`--json` changes only the format, never the code. On a terminal (and never with `--json`
or when the output is piped) a progress line on stderr shows rows compared, rate and ETA.
"""

from __future__ import annotations

import sys
from typing import Any

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
from scrypath.operator.audit import audit_index
from scrypath.operator.audit_compare import KINDS
from scrypath.operator.audit_report import AuditProgress, AuditReport, Rate

MAX_SAMPLE = 10_000_000


@click.command()
@click.argument("model")
@click.option(
    "--sample",
    type=click.IntRange(1, MAX_SAMPLE),
    metavar="K",
    help="Check K random rows and their documents and estimate the drift rate.",
)
@configuration_options
@json_option
@redact_option
def audit(
    model: str,
    sample: int | None,
    imports: tuple[str, ...],
    meilisearch_url: str | None,
    index_prefix: str | None,
    outbox_url: str | None,
    as_json: bool,
    redact: bool,
) -> int:
    """Compare MODEL's rows with its index's documents: missing, extra and stale ids.

    Exit 0 when the index equals the database, 2 on drift, 1 when the audit could not run.
    """
    import_modules(imports)
    found = load_model(model)
    bar = ProgressLine() if not as_json and _interactive() else None
    try:
        report = audit_index(
            found,
            sample=sample,
            progress=bar,
            **overrides(meilisearch_url, index_prefix, outbox_url),
        )
    finally:
        if bar is not None:
            bar.close()
    report = shown(report, redact)
    if as_json:
        emit_json(report.to_json())
    else:
        render(report, model)
    return EXIT_OK if report.match else EXIT_DRIFT


def _interactive() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


class ProgressLine:
    """One self-rewriting line on stderr: phase, items done (of total), rate and ETA."""

    def __init__(self) -> None:
        self.drawn = False

    def __call__(self, progress: AuditProgress) -> None:
        click.echo(f"\r\x1b[2K{progress_text(progress)}", nl=False, err=True)
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            click.echo("\r\x1b[2K", nl=False, err=True)


def progress_text(progress: AuditProgress) -> str:
    """`auditing rows 45,000/100,000 (45%)  12,345/s  ETA 4s`."""
    noun = progress.phase
    done = f"{progress.done:,}"
    if progress.total:
        share = min(100, progress.done * 100 // progress.total)
        done = f"{done}/{progress.total:,} ({share}%)"
    eta = progress.eta
    tail = "" if eta is None else f"  ETA {eta:.0f}s"
    return f"auditing {noun} {done}  {progress.rate:,.0f}/s{tail}"


def render(report: AuditReport, reference: str) -> None:
    """The verdict lines, coloured, then (on drift) the way on."""
    found = audit_lines(report, reference)
    colour = "green" if report.match else "red"
    for line in found:
        click.echo(paint(line, colour) if not line.startswith(" ") else line)
    if report.match:
        return
    click.echo("Next steps:")
    click.echo(
        f"  scrypath reconcile {reference} --include-document-drift --action repair: "
        "write exactly the drifted ids again"
    )
    click.echo(f"  scrypath audit {reference}: check again once the repair is delivered")


def audit_lines(report: AuditReport, reference: str) -> list[str]:
    """The OK line, or the drift header with one `  ! kind: count: ids` line per kind that
    drifted; sample estimates and unsettled ids come first (reconcile shows these too)."""
    where = f"for {reference} (index={report.index})"
    compared = f"{report.rows_compared} rows, {report.documents_compared} documents compared"
    lines: list[str] = []
    if report.sample is not None:
        lines.append(_sample_line("rows", report.sample.rows))
        lines.append(_sample_line("documents", report.sample.documents))
    if report.unsettled.count:
        lines.append(
            f"  ~ unsettled: {report.unsettled.count} id(s) changed during the audit (not drift): "
            f"{_ids(report.unsettled.ids, report.unsettled.truncated)}"
        )
    if report.match:
        scope = "in the sample" if report.sample is not None else "the index equals the database"
        return [*lines, f"Document audit OK {where}: no drift {scope} ({compared})"]
    lines.append(f"DOCUMENT DRIFT {where} ({compared})")
    for kind in KINDS:
        drift = report.kind(kind)
        if drift.count:
            lines.append(f"  ! {kind}: {drift.count}: {_ids(drift.ids, drift.truncated)}")
    return lines


def _sample_line(what: str, rate: Rate) -> str:
    low, high = rate.interval
    return (
        f"  sample: {rate.drifted} of {rate.size} {what} drifted "
        f"(estimated {rate.estimate:.2%}, 95% interval {low:.2%} to {high:.2%})"
    )


def _ids(ids: tuple[Any, ...], truncated: bool) -> str:
    shown = ", ".join(str(identifier) for identifier in ids)
    return f"{shown}, ..." if truncated else shown
