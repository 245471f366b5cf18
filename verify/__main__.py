"""`python -m verify PHASE [PHASE...]`, `--list`, `--json PATH`, `--require-postgres`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from verify.model import Phase
from verify.registry import VerifyError, collect_phases, expand, plugin_manager
from verify.report import ConsoleReporter, check_report_path, summary, write_report
from verify.runner import Run


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as VerifyError (exit 1), never exit 2."""

    def error(self, message: str) -> NoReturn:
        raise VerifyError(message)


def _parser() -> _Parser:
    parser = _Parser(prog="python -m verify", description="Run scrypath's verification phases.")
    parser.add_argument("phases", nargs="*", metavar="PHASE", help="phases to run, in order")
    parser.add_argument("--list", action="store_true", help="list phases and their steps")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write a JSON report here")
    services = parser.add_argument_group("services, for phases with a live variant (adopter)")
    services.add_argument(
        "--live", action="store_true", help="run against the services the environment names"
    )
    services.add_argument("--fast", action="store_true", help="run on the fake and SQLite")
    parser.add_argument(
        "--require-postgres",
        action="store_true",
        help="fail when no PostgreSQL can be provisioned, instead of skipping its tests",
    )
    return parser


def _listing(phases: dict[str, Phase]) -> str:
    """Each phase's coverage line, then its steps (or, for an aggregate, its member phases)."""
    lines = []
    for phase in phases.values():
        lines.append(f"{phase.name}: {phase.description}")
        lines.extend(f"    - [phase] {member}" for member in phase.members)
        lines.extend(f"    - [{step.kind}] {step.label}" for step in phase.steps)
    return "\n".join(lines)


def _variants(
    phases: dict[str, Phase], names: Sequence[str], *, live: bool, fast: bool
) -> list[str]:
    """With `--live`, each named phase that has a live variant (`NAME-live`) runs as it;
    `--fast` names the default. Either flag needs such a phase; both together is an error."""
    if live and fast:
        raise VerifyError("--fast and --live exclude each other; pass one")
    if not (live or fast):
        return list(names)
    if not any(f"{name}-live" in phases for name in names):
        flag = "--live" if live else "--fast"
        raise VerifyError(f"{flag} applies to phases with a live variant (adopter); none named")
    return [f"{name}-live" if live and f"{name}-live" in phases else name for name in names]


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        manager = plugin_manager(ConsoleReporter())
        phases = collect_phases(manager)
        if args.list:
            print(_listing(phases))
            return 0
        if not args.phases:
            raise VerifyError("name at least one phase to run (see python -m verify --list)")
        selected = expand(phases, _variants(phases, args.phases, live=args.live, fast=args.fast))
        if args.json is not None:
            check_report_path(args.json)
        run = Run(manager, require_postgres=args.require_postgres)
        run.run_phases(selected)
    except VerifyError as exc:
        print(f"verify: error: {exc}", file=sys.stderr)
        return 1
    print(summary(run))
    if args.json is not None:
        write_report(run, args.json)
    return 0 if run.passed else 1


if __name__ == "__main__":
    sys.exit(main())
