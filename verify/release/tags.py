"""Release tags: GitHub's tag filter patterns, and the version scheme they must agree with.

A release is tagged `v` + its version: `v1.2.3`, or a pre-release such as `v1.2.3rc1`.
Development and local versions are never tagged for publishing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

TAG_PREFIX = "v"
ACCEPTED_SAMPLES = ("v0.1.0", "v1.2.3", "v10.20.30", "v1.2.3rc1")
REJECTED_SAMPLES = ("v1.2.3.dev0", "v1.2.3+local", "1.2.3", "v1.2", "latest", "v1.2.3-x")


def tag_for(version: str) -> str:
    return TAG_PREFIX + version


def filter_regex(pattern: str) -> re.Pattern[str]:
    """GitHub's filter pattern syntax (`*`, `**`, `?`, `+`, `[...]`) as a full-match regex."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char in "?+":
            out.append(char)
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                raise ValueError(f"unclosed '[' in tag pattern {pattern!r}")
            out.append("[" + _class_body(pattern[i + 1 : end]) + "]")
            i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    try:
        return re.compile("".join(out))
    except re.error as exc:
        raise ValueError(f"tag pattern {pattern!r} is not a valid filter pattern: {exc}") from None


def accepts(patterns: Sequence[str], tag: str) -> bool:
    """Whether a push of `tag` triggers a workflow filtered by `patterns` (later ones win)."""
    matched = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if filter_regex(pattern.removeprefix("!")).fullmatch(tag):
            matched = not negated
    return matched


def scheme_problems(patterns: Sequence[str]) -> list[str]:
    """Where `patterns` disagree with the version scheme, one line each."""
    if not patterns:
        return ["the release workflow is not triggered by any tag pattern"]
    try:
        problems = [
            f"tag pattern does not trigger on release tag {tag!r}"
            for tag in ACCEPTED_SAMPLES
            if not accepts(patterns, tag)
        ]
        problems += [
            f"tag pattern triggers on {tag!r}, which is not a release tag"
            for tag in REJECTED_SAMPLES
            if accepts(patterns, tag)
        ]
    except ValueError as exc:
        return [str(exc)]
    return problems


def _class_body(body: str) -> str:
    """A class's characters with the ones Python may one day read as set operations (`[`,
    `&&`, `~~`, `||`, `--`) escaped; a glob class means them literally."""
    escaped = "".join("\\" + char if char in "[&~|" else char for char in body)
    return escaped.replace("--", "-\\-")
