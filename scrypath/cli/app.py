"""The root command group; each subcommand lives in its own module and registers here."""

from __future__ import annotations

import click

from scrypath import __version__


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(
    __version__, "-V", "--version", prog_name="scrypath", message="%(prog)s %(version)s"
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Keep SQLAlchemy records in Meilisearch, and see and repair that sync."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _register() -> None:
    from scrypath.cli.audit import audit
    from scrypath.cli.console import console
    from scrypath.cli.demo import demo
    from scrypath.cli.drift import index
    from scrypath.cli.operator import COMMANDS as OPERATOR_COMMANDS
    from scrypath.cli.settings import settings
    from scrypath.cli.worker import worker

    cli.add_command(demo)
    cli.add_command(worker)
    for command in OPERATOR_COMMANDS:
        cli.add_command(command)
    cli.add_command(audit)
    cli.add_command(index)
    cli.add_command(settings)
    cli.add_command(console)


_register()
