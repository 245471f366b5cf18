"""The name tables are the contract: attributes stay plain and bounded, every span the code
starts is listed, every logger is under `scrypath.`, and the operations page lists them all."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from scrypath.telemetry import ATTRIBUTES, METRICS, SPANS
from scrypath.telemetry.attributes import MAX_TEXT, clean, model_name

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "scrypath"
PAGE = ROOT / "docs" / "operations" / "backend-operations.md"

plain = st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.booleans())
anything = st.one_of(
    plain, st.none(), st.lists(st.text()), st.dictionaries(st.text(), st.text()), st.binary()
)


@given(st.dictionaries(st.sampled_from([*ATTRIBUTES, "record_id", "title", "api_key"]), anything))
def test_only_listed_names_with_plain_values_become_attributes(values: dict[str, Any]) -> None:
    cleaned = clean(values)
    assert set(cleaned) <= set(ATTRIBUTES.values())
    for name, value in values.items():
        key = ATTRIBUTES.get(name)
        if key is None or not isinstance(value, str | int | float | bool):
            assert key not in cleaned
        elif isinstance(value, str):
            assert cleaned[key] == value[:MAX_TEXT]
        else:
            assert cleaned[key] == value


@given(st.from_regex(r"[a-z_.]{1,20}:([A-Z][a-z]+\.){0,2}[A-Z][a-z]{0,9}", fullmatch=True))
def test_an_outbox_model_reference_is_named_by_its_class(reference: str) -> None:
    assert model_name(reference) == reference.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
    assert model_name("Post") == "Post"


def test_every_metric_and_span_attribute_is_a_listed_name() -> None:
    for item in (*SPANS, *METRICS):
        assert set(item.attributes) <= set(ATTRIBUTES), item.name
    for metric in METRICS:
        assert "document_id" not in metric.attributes and "task_uid" not in metric.attributes


def _calls(name: str) -> list[ast.Call]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            if name in (getattr(node.func, "id", None), getattr(node.func, "attr", None)):
                found.append(node)
    return found


def _literal(call: ast.Call) -> str | None:
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def test_every_span_the_code_starts_is_in_the_table() -> None:
    listed = {item.name for item in SPANS}
    started = {_literal(call) for call in _calls("span") + _calls("search_call")}
    started.discard(None)
    assert started <= listed
    assert {"scrypath.sync", "scrypath.search", "scrypath.operator"} <= listed


def test_every_logger_is_under_scrypath() -> None:
    names = {_literal(call) for call in _calls("getLogger")}
    assert names and all(name == "scrypath" or str(name).startswith("scrypath.") for name in names)


def test_the_operations_page_lists_every_span_metric_and_attribute() -> None:
    text = PAGE.read_text()
    for item in (*SPANS, *METRICS):
        assert f"`{item.name}`" in text, item.name
    for metric in METRICS:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{metric.name}` |"))
        assert f"`{metric.unit}`" in row, metric.name
    for key in ATTRIBUTES.values():
        assert f"`{key}`" in text, key
    assert not re.search(r"/(work|tmp)/", text)
