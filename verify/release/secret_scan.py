"""Secret-looking tokens in text: publishing tokens, cloud keys, private keys, URL passwords.

The patterns match real token formats, not words: a workflow may say `id-token: write`
and a master key may be derived from `${{ github.run_id }}` without tripping them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a PyPI API token", re.compile(r"\bpypi-Ag[A-Za-z0-9_-]{16,}")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})")),
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
    (
        "a password in a URL",
        re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@'\"]+:[^\s/@'\"*${}<>]{3,}@"),
    ),
)


def findings(text: str) -> Iterator[tuple[int, str]]:
    """(line number, what it looks like) for every secret-looking token in `text`."""
    for what, pattern in PATTERNS:
        for match in pattern.finditer(text):
            yield text.count("\n", 0, match.start()) + 1, what


def scan(paths: Iterable[Path], root: Path) -> list[str]:
    """One line per finding, naming the file and line but never the token itself."""
    lines = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        relative = path.relative_to(root).as_posix()
        lines += [f"{relative}:{line}: holds {what}" for line, what in findings(text)]
    return lines
