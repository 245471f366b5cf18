"""The `scrypath` console script: thin commands over the root API.

`main(argv)` returns an exit code instead of exiting, so it is testable. Usage
errors exit 1, never 2: 2 is reserved for "compared and found drift". Every command
reports an error the same way, as one line on stderr that names the command and the
reason tag: `scrypath <command>: error [<reason>]: <message>` (a traceback only with
`--debug`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

import click

from scrypath.cli.app import cli
from scrypath.errors import ScrypathError

__all__ = ["cli", "main", "run"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with `argv` and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        result = cli.main(args=args, prog_name="scrypath", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        hint = f" (see {_prefix(args)} --help)"
        message = _one_line(exc.format_message())
        click.echo(f"{_prefix(args)}: error [usage]: {message}{hint}", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return 1
    except click.Abort:
        click.echo("scrypath: aborted", err=True)
        return 1
    except ScrypathError as exc:
        if debug:
            raise
        click.echo(f"{_prefix(args)}: error [{exc.reason}]: {_one_line(str(exc))}", err=True)
        return 1
    return result if isinstance(result, int) else 0


def _one_line(text: str) -> str:
    """`text` with control characters (a newline in a quoted argument, say) folded away."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()


def _prefix(args: list[str]) -> str:
    """`scrypath` and the command the arguments name (`scrypath index contract-drift`)."""
    words = ["scrypath"]
    group: click.Group = cli
    for arg in args:
        if arg.startswith("-"):
            continue
        command = group.commands.get(arg)
        if command is None:
            break
        words.append(arg)
        if not isinstance(command, click.Group):
            break
        group = command
    return " ".join(words)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
