"""`python -m verify PHASE [PHASE...]`, `--list`, `--json PATH`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from verify.model import Phase
from verify.registry import VerifyError, collect_phases, plugin_manager
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
    return parser


def _listing(phases: dict[str, Phase]) -> str:
    lines = []
    for phase in phases.values():
        lines.append(f"{phase.name}: {phase.description}")
        lines.extend(f"    - [{step.kind}] {step.label}" for step in phase.steps)
    return "\n".join(lines)


def _select(phases: dict[str, Phase], names: Sequence[str]) -> list[Phase]:
    unknown = [name for name in names if name not in phases]
    if unknown:
        known = ", ".join(sorted(phases))
        raise VerifyError(f"unknown phase {unknown[0]!r}; known phases: {known}")
    return [phases[name] for name in names]


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
        selected = _select(phases, args.phases)
        if args.json is not None:
            check_report_path(args.json)
        run = Run(manager)
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
