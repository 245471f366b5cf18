"""The route table against its two references: the docs page and Meilisearch's OpenAPI.

Every route Meilisearch documents is either served or explicitly refused with 501, so
no route silently answers 404; and the docs list exactly the refused ones.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scrypath.testing.meilisearch.routes import ROUTES
from scrypath.testing.meilisearch.routing import find_route, split_path

ROOT = Path(__file__).resolve().parents[3]
DOCS_PAGE = ROOT / "docs" / "testing" / "fake-meilisearch.md"
SPEC = ROOT.parent / "shared" / "reference" / "meilisearch-openapi.json"
SECTION = "### Routes answered with 501"
ROW = re.compile(r"^\| `(?P<path>/[^`]*)` \| (?P<methods>`[A-Z]+`(?:, `[A-Z]+`)*) \|$")
UNDOCUMENTED = {("GET", "/")}
"""Served by Meilisearch (and the fake) but absent from its OpenAPI description."""


def documented_refusals(text: str) -> set[tuple[str, str]]:
    """The (method, route) pairs of the docs page's 501 table; every row must parse."""
    _, found, rest = text.partition(SECTION + "\n")
    assert found, f"the docs page has no `{SECTION}` section"
    section = rest.split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    pairs: set[tuple[str, str]] = set()
    for line in rows:
        match = ROW.match(line)
        assert match, f"unparsable row in the 501 table: {line!r}"
        for method in re.findall(r"`([A-Z]+)`", match["methods"]):
            pairs.add((method, match["path"]))
    return pairs


def refused_routes() -> set[tuple[str, str]]:
    return {(route.method, route.pattern) for route in ROUTES if route.handler is None}


def test_the_docs_list_exactly_the_routes_answered_with_501() -> None:
    documented = documented_refusals(DOCS_PAGE.read_text(encoding="utf-8"))
    refused = refused_routes()
    assert sorted(refused - documented) == [], "refused but not in the docs table"
    assert sorted(documented - refused) == [], "in the docs table but not refused"


def test_the_docs_table_parser_rejects_what_it_cannot_read() -> None:
    page = f"{SECTION}\n\n| route | methods |\n|---|---|\n| `/a` | GET |\n"
    with pytest.raises(AssertionError, match="unparsable row"):
        documented_refusals(page)
    page = (
        f"{SECTION}\n\n| `/a` | `GET`, `POST` |\n| `/b` | `DELETE` |\n\n## Next\n| `/c` | `GET` |\n"
    )
    assert documented_refusals(page) == {("GET", "/a"), ("POST", "/a"), ("DELETE", "/b")}


def spec_operations() -> list[tuple[str, str]]:
    if not SPEC.is_file():
        pytest.skip(f"Meilisearch's OpenAPI description is not at {SPEC}")
    paths = json.loads(SPEC.read_text(encoding="utf-8"))["paths"]
    verbs = ("get", "post", "put", "patch", "delete")
    return [(v.upper(), path) for path, item in paths.items() for v in verbs if v in item]


def shape(pattern: str) -> tuple[str, ...]:
    """A route's segments with its parameter names erased."""
    return tuple("{}" if part.startswith("{") else part for part in split_path(pattern))


def test_every_openapi_operation_is_served_or_refused_never_404() -> None:
    missing = []
    for method, template in spec_operations():
        concrete = re.sub(r"\{[^/]+\}", "sample", template)
        match = find_route(ROUTES, method, concrete)
        if match.route is None or shape(match.route.pattern) != shape(template):
            missing.append(f"{method} {template}")
    assert missing == []


def test_every_route_of_the_table_is_a_meilisearch_operation() -> None:
    known = {(method, shape(template)) for method, template in spec_operations()}
    extra = [
        f"{route.method} {route.pattern}"
        for route in ROUTES
        if (route.method, shape(route.pattern)) not in known
        and (route.method, route.pattern) not in UNDOCUMENTED
    ]
    assert extra == []


def test_no_route_is_registered_twice() -> None:
    keys = [(route.method, shape(route.pattern)) for route in ROUTES]
    assert len(keys) == len(set(keys))
