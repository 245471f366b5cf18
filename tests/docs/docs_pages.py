"""Where the docs live, and how the docs-contract tests read them: as plain text.

Every docs-contract test reads the docs root from `SCRYPATH_DOCS_ROOT` (default: the
repository's `docs/`), so the same tests can be pointed at a copied, deliberately broken
tree to prove they fail. The README always stays at the repository root.
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

DOCS_ROOT_VARIABLE = "SCRYPATH_DOCS_ROOT"
REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(?P<code>.+?)(?<!`)\1(?!`)", re.DOTALL)


def docs_root() -> Path:
    """The docs tree under test: `SCRYPATH_DOCS_ROOT`, else the repository's `docs/`."""
    configured = os.environ.get(DOCS_ROOT_VARIABLE, "").strip()
    return Path(configured).resolve() if configured else REPO_ROOT / "docs"


def pages() -> list[Path]:
    """Every Markdown page of the docs tree, in a stable order."""
    return sorted(docs_root().rglob("*.md"))


def page(relative: str) -> Path:
    """One page of the docs tree, by its path under the root (`operations/cli.md`)."""
    return docs_root() / relative


def page_name(path: Path) -> str:
    """A page's name for test ids and messages: relative to the docs root, or `README.md`."""
    if path.is_relative_to(docs_root()):
        return path.relative_to(docs_root()).as_posix()
    return path.name


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def docs_text() -> str:
    """Every page of the docs tree, joined."""
    return "\n".join(read(path) for path in pages())


@dataclass(frozen=True, slots=True)
class Block:
    """One fenced code block: its language, its dedented body and its first body line."""

    language: str
    body: str
    line: int
    info: str


def fenced_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, indented ones (inside list items) included."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence = opening["fence"]
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence):
            body.append(lines[j])
            j += 1
        info = opening["info"].strip()
        language = info.split()[0].lower() if info else ""
        blocks.append(Block(language, textwrap.dedent("\n".join(body)) + "\n", i + 2, info))
        i = j + 1
    return blocks


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}


def inline_code(text: str) -> list[str]:
    """The inline code spans outside fenced blocks, with line breaks folded to spaces."""
    prose = _without_fences(text)
    return [" ".join(match["code"].split()) for match in _INLINE_CODE.finditer(prose)]


def _without_fences(text: str) -> str:
    kept: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        opening = _FENCE.match(line)
        if fence is None and opening is not None:
            fence = opening["fence"]
            continue
        if fence is not None:
            if _closes(line, fence):
                fence = None
            continue
        kept.append(line)
    return "\n".join(kept)


def doctest_setup(text: str) -> str | None:
    """The setup a page declares for its pycon sessions: `<!-- doctest: setup=NAME -->`."""
    match = re.search(r"<!--\s*doctest:\s*setup=([\w-]+)\s*-->", text)
    return match[1] if match else None
