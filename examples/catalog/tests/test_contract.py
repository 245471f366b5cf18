"""The example keeps to the shape the docs recommend: thin handlers over one service module,
and only documented scrypath search options."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import scrypath

EXAMPLE = Path(__file__).resolve().parents[1]
SEARCH_GUIDE = EXAMPLE.parents[1] / "docs" / "guide" / "search.md"
SEARCH_FUNCTIONS = {"search", "search_many", "search_within_facet", "search_facet_values"}


def module(name: str) -> ast.Module:
    return ast.parse((EXAMPLE / "catalog" / name).read_text(encoding="utf-8"))


def route_handlers() -> list[ast.FunctionDef]:
    """Functions decorated with `@app.get(...)`, `@app.post(...)` and the like."""
    found = []
    for node in ast.walk(module("api.py")):
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call)
            and isinstance(d.func, ast.Attribute)
            and isinstance(d.func.value, ast.Name)
            and d.func.value.id == "app"
            for d in node.decorator_list
        ):
            found.append(node)
    return found


def test_the_app_has_its_routes() -> None:
    assert {handler.name for handler in route_handlers()} == {
        "search",
        "search_shop",
        "create",
        "stock",
        "archive",
        "health",
    }


@pytest.mark.parametrize("handler", route_handlers(), ids=lambda handler: handler.name)
def test_every_route_handler_only_delegates_to_the_service_module(handler: ast.FunctionDef) -> None:
    (statement,) = handler.body
    assert isinstance(statement, ast.Return)
    call = statement.value
    assert isinstance(call, ast.Call)
    assert isinstance(call.func, ast.Attribute)
    assert isinstance(call.func.value, ast.Name) and call.func.value.id == "service"


def scrypath_search_keywords() -> set[str]:
    keywords: set[str] = set()
    for node in ast.walk(module("service.py")):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "scrypath"
            and node.func.attr in SEARCH_FUNCTIONS
        ):
            keywords |= {keyword.arg for keyword in node.keywords if keyword.arg}
    return keywords


def test_every_search_option_the_app_uses_is_a_documented_scrypath_option() -> None:
    used = scrypath_search_keywords()
    assert used >= {"filter", "sort", "facets", "tenant_scope", "page", "per_page", "session"}
    documented = set(re.findall(r"^\| `(\w+)`", SEARCH_GUIDE.read_text(encoding="utf-8"), re.M))
    assert used - documented == set()
    options = inspect.signature(scrypath.search).parameters
    assert used - set(options) == set()
