"""Every problem a release check finds, reported together: one line each, then a verdict."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(slots=True)
class Problems:
    """The problems one check found; a check never stops at its first one."""

    check: str
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def extend(self, other: Problems) -> None:
        self.lines.extend(other.lines)

    def __bool__(self) -> bool:
        return bool(self.lines)

    def report(self, ok_line: str, out: TextIO | None = None) -> int:
        """Print each problem, or the explicit OK line; the exit code is 1 when any was found."""
        stream = sys.stdout if out is None else out
        if self.lines:
            for line in self.lines:
                print(f"{self.check}: {line}", file=stream)
            print(f"{self.check}: FAILED, {len(self.lines)} problem(s)", file=stream)
            return 1
        print(f"{self.check}: OK, {ok_line}", file=stream)
        return 0
