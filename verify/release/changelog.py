"""The changelog's release headings (Keep a Changelog: `## [1.2.3] - 2025-01-31`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

UNRELEASED = "Unreleased"
HEADING = re.compile(
    r"^## \[(?P<name>[^\]\n]+)\](?:[ \t]+-[ \t]+(?P<date>\S+))?[ \t]*$", re.MULTILINE
)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Section:
    """One `## [...]` heading and the text under it."""

    name: str
    date: str | None
    body: str

    @property
    def is_unreleased(self) -> bool:
        return self.name == UNRELEASED

    @property
    def has_entries(self) -> bool:
        return any(line.lstrip().startswith(("-", "*")) for line in self.body.splitlines())


def sections(text: str) -> list[Section]:
    """Every release section, top first."""
    matches = list(HEADING.finditer(text))
    found = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = text[match.end() : end]
        link_refs = re.search(r"^\[[^\]]+\]:\s", body, re.MULTILINE)
        if link_refs is not None:
            body = body[: link_refs.start()]
        found.append(Section(match.group("name"), match.group("date"), body))
    return found
