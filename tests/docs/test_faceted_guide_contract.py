"""The faceted-search guide names every facet option scrypath's search accepts.

The list is derived from the code, not copied: the facet parameters of `search` and of
`SearchEntry`, the root functions about facets and their parameters, the facet result
types and their fields, and the `Faceting` declaration with the settings keys it becomes.
The guide's table of errors is run, so the messages it shows are the ones raised.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
import types
from typing import Any

import pytest

import scrypath
from scrypath.declaration import registry
from scrypath.meilisearch import to_wire_key, wire_settings
from tests.docs.docs_pages import fenced_blocks, page, read

GUIDE = "guide/faceted-search.md"
NOT_OPTIONS = {"model", "overrides"}


def guide() -> str:
    return read(page(GUIDE))


def named(name: str) -> bool:
    """Whether the guide names `name` as code: `name`, `name=` or inside a call's code."""
    return re.search(rf"`[^`\n]*\b{re.escape(name)}\b[^`\n]*`", guide()) is not None


def facet_search_options() -> list[str]:
    """The options of `search` and `SearchEntry` that are about facets."""
    names = [name for name in inspect.signature(scrypath.search).parameters if "facet" in name]
    names += [f.name for f in dataclasses.fields(scrypath.SearchEntry) if "facet" in f.name]
    assert names, "search has no facet options any more: update this contract"
    return list(dict.fromkeys(names))


def facet_functions() -> list[str]:
    """The root functions about facets (`search_facet_values`, ...)."""
    return [name for name in scrypath.__all__ if "facet" in name and name.islower()]


def facet_types() -> list[type[Any]]:
    """The root types about facets: the declaration and the result types."""
    return [getattr(scrypath, name) for name in scrypath.__all__ if name.startswith("Facet")]


def test_the_guide_names_every_facet_option_of_search() -> None:
    assert [name for name in facet_search_options() if not named(name)] == []


def test_the_guide_names_the_facet_functions_and_every_parameter_they_take() -> None:
    """A function that takes search's options may say so once instead of naming each."""
    functions = facet_functions()
    assert "search_facet_values" in functions and "search_within_facet" in functions
    search_options = set(inspect.signature(scrypath.search).parameters)
    unnamed = [
        f"{function}({parameter})"
        for function in functions
        for parameter in inspect.signature(getattr(scrypath, function)).parameters
        if parameter not in NOT_OPTIONS
        and not named(parameter)
        and not (parameter in search_options and takes_every_search_option(function))
    ]
    assert [function for function in functions if not named(function)] == []
    assert unnamed == []


def takes_every_search_option(function: str) -> bool:
    """Whether the guide's section on `function` says it takes every option of `search`."""
    text = " ".join(guide().split())
    section = text.split(f"`{function}`", 1)[-1].split(" ## ", 1)[0]
    return "every option of `search`" in section


def test_the_guide_names_every_facet_type_and_its_fields() -> None:
    types = facet_types()
    assert {t.__name__ for t in types} >= {"Facet", "FacetBucket", "FacetStats", "Faceting"}
    unnamed = [
        f"{t.__name__}.{f.name}" for t in types for f in dataclasses.fields(t) if not named(f.name)
    ]
    assert [t.__name__ for t in types if not named(t.__name__)] == []
    assert unnamed == []


def test_the_guide_names_the_faceting_settings_the_declaration_becomes() -> None:
    keys = [f.name for f in dataclasses.fields(scrypath.Faceting) if f.name != "attributes"]
    wire = [to_wire_key(key) for key in keys]
    assert "maxValuesPerFacet" in wire
    assert [key for key in [*keys, *wire, "faceting"] if not named(key)] == []


def guide_models(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The guide's own model declarations, executed as a module (in an isolated registry)."""
    module = types.ModuleType("scrypath_faceted_guide")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    for block in fenced_blocks(guide()):
        if block.language == "python" and "@scrypath.searchable" in block.body:
            exec(compile(block.body, GUIDE, "exec"), namespace)
    return namespace


def error_rows() -> list[tuple[str, str]]:
    """The (call, error) rows of the guide's Errors table."""
    rows = re.findall(r"^\| `([a-z_]+\(.*?\))` +\| `(\w+Error: .+?)` *\|$", guide(), re.MULTILINE)
    assert rows, "the guide's Errors table is gone"
    return rows


def test_the_errors_the_guide_shows_are_the_errors_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    with registry.isolated(empty=True):
        namespace = guide_models(monkeypatch)
        wrong = []
        for call, shown in error_rows():
            with pytest.raises(scrypath.SearchOptionError) as raised:
                eval(call, {**namespace, **vars(scrypath)})
            got = f"{type(raised.value).__name__}: {raised.value}"
            if got != shown:
                wrong.append(f"{call}: the guide shows {shown!r}, scrypath raises {got!r}")
        assert wrong == []


def test_the_declared_faceting_reaches_the_index_settings_the_guide_describes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with registry.isolated(empty=True):
        magazine = guide_models(monkeypatch)["Magazine"]
        settings = wire_settings(scrypath.spec_for(magazine))
    assert settings["faceting"]["maxValuesPerFacet"] == 50
    assert settings["faceting"]["sortFacetValuesBy"] == {"*": "alpha", "topic": "count"}
