from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scrypath.declaration import SearchSpec, registry, searchable, spec_for
from scrypath.errors import FilterError, SearchOptionError
from scrypath.filters import (
    MAX_DEPTH,
    OPERATORS,
    compile_filter,
    literal,
    quote,
    validate_facets,
    validate_sort,
)


class Color(enum.Enum):
    RED = "red"


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "filter_products"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    status: Mapped[str]
    price: Mapped[float]
    brand: Mapped[str]
    published_at: Mapped[dt.datetime]
    tenant_id: Mapped[int]
    TO: Mapped[str]

    @property
    def meta(self) -> dict[str, Any]:
        return {"color": "red"}


@pytest.fixture(scope="module")
def spec() -> Iterator[SearchSpec]:
    with registry.isolated():
        searchable(
            fields=["title"],
            filterable=["status", "price", "brand", "published_at", "meta", "TO"],
            sortable=["price", "published_at", "meta"],
            faceting={"attributes": ["status", "brand"]},
            tenant_field="tenant_id",
        )(Product)
        yield spec_for(Product)


@pytest.mark.parametrize(
    ("expression", "compiled"),
    [
        ({"status": "published"}, 'status = "published"'),
        ({"price": 10}, "price = 10"),
        ({"price": -2.5}, "price = -2.5"),
        ({"price": 1e20}, "price = 1e20"),
        ({"price": 1e-7}, "price = 1e-07"),
        ({"status": True}, "status = true"),
        ({"status": None}, "status IS NULL"),
        ({"status": ["a", "b"]}, 'status IN ["a", "b"]'),
        ({"status": ("a",)}, 'status IN ["a"]'),
        ({"status": []}, "status IN []"),
        ({"price": {"gte": 10, "lt": 50}}, "price >= 10 AND price < 50"),
        ({"price": {"gt": 1, "lte": 2}}, "price > 1 AND price <= 2"),
        ({"status": {"eq": "x"}}, 'status = "x"'),
        ({"status": {"ne": "x"}}, 'status != "x"'),
        ({"status": {"ne": None}}, "status IS NOT NULL"),
        ({"status": {"in": ["a"]}}, 'status IN ["a"]'),
        ({"status": {"not_in": ["a", "b"]}}, 'status NOT IN ["a", "b"]'),
        ({"status": {"exists": True}}, "status EXISTS"),
        ({"status": {"exists": False}}, "status NOT EXISTS"),
        ({"status": {"is_null": True}}, "status IS NULL"),
        ({"status": {"is_null": False}}, "status IS NOT NULL"),
        ({"status": {"is_empty": True}}, "status IS EMPTY"),
        ({"status": {"is_empty": False}}, "status IS NOT EMPTY"),
        ({"price": {"between": (10, 20.5)}}, "price 10 TO 20.5"),
        ({"status": "a", "brand": "b"}, 'status = "a" AND brand = "b"'),
        ({"and": [{"status": "a"}, {"brand": "b"}]}, 'status = "a" AND brand = "b"'),
        ({"or": [{"status": "a"}, {"brand": "b"}]}, 'status = "a" OR brand = "b"'),
        ({"not": {"status": "a"}}, 'NOT (status = "a")'),
        (
            {"status": "a", "or": [{"brand": "b"}, {"price": {"gt": 1, "lt": 2}}]},
            'status = "a" AND (brand = "b" OR (price > 1 AND price < 2))',
        ),
        (
            {"or": [{"or": [{"status": "a"}, {"status": "b"}]}, {"brand": "c"}]},
            'status = "a" OR status = "b" OR brand = "c"',
        ),
        ({"not": {"or": [{"status": "a"}, {"brand": "b"}]}}, 'NOT (status = "a" OR brand = "b")'),
        ({"meta.color": "red"}, 'meta.color = "red"'),
        ({"TO": "x"}, '"TO" = "x"'),
        ({"tenant_id": 4}, "tenant_id = 4"),
        (
            {"published_at": {"gte": dt.datetime(1970, 1, 2, tzinfo=dt.UTC)}},
            "published_at >= 86400.0",
        ),
        ({"published_at": {"lt": dt.date(1970, 1, 2)}}, "published_at < 86400"),
        ({"price": Decimal("9.99")}, "price = 9.99"),
        ({"status": uuid.UUID(int=1)}, 'status = "00000000-0000-0000-0000-000000000001"'),
        ({"status": Color.RED}, 'status = "red"'),
        ({"status": {"b", "a"}}, 'status IN ["a", "b"]'),
        ({"status": 'say "hi" \\ bye'}, 'status = "say \\"hi\\" \\\\ bye"'),
    ],
)
def test_compiles_to_meilisearch_syntax(
    spec: SearchSpec, expression: dict[str, Any], compiled: str
) -> None:
    assert compile_filter(spec, expression) == compiled


@pytest.mark.parametrize("empty", [None, {}])
def test_no_filter_compiles_to_none(spec: SearchSpec, empty: object) -> None:
    assert compile_filter(spec, empty) is None


@pytest.mark.parametrize(
    ("expression", "key", "fragment"),
    [
        ({"title": "x"}, "title", "not filterable on Product"),
        ({"meta2.color": "x"}, "meta2.color", "not filterable"),
        ({"sta tus": "x"}, "sta tus", "not a valid attribute name"),
        ({'status" OR 1': "x"}, 'status" OR 1', "not a valid attribute name"),
        ({3: "x"}, 3, "attribute names are strings"),
        ({"status": {"like": "x"}}, "status", "unknown operator 'like'"),
        ({"status": {}}, "status", "at least one operator"),
        ({"status": {"exists": "yes"}}, "status", "takes True or False"),
        ({"status": {"in": "abc"}}, "status", "takes a list"),
        ({"status": {"in": ["a", None]}}, "status", "cannot hold None"),
        ({"status": {"eq": ["a"]}}, "status", "use 'in' for a list"),
        ({"price": {"gt": None}}, "price", "compares numbers or strings"),
        ({"price": {"gt": True}}, "price", "compares numbers or strings"),
        ({"price": {"between": (1, 2, 3)}}, "price", "(low, high) pair"),
        ({"price": {"between": (None, 2)}}, "price", "compares numbers or strings"),
        ({"price": float("nan")}, "price", "cannot filter on float nan"),
        ({"price": Decimal("Infinity")}, "price", "cannot filter on"),
        ({"status": b"x"}, "status", "cannot filter on bytes"),
        ({"status": {"nested": "dict"}}, "status", "unknown operator 'nested'"),
        ({"and": []}, "and", "non-empty list"),
        ({"or": {"status": "a"}}, "or", "non-empty list"),
        ({"not": "status"}, None, "non-empty filter mapping"),
        ({"and": [{}]}, None, "non-empty filter mapping"),
    ],
)
def test_invalid_filters_name_the_bad_key(
    spec: SearchSpec, expression: dict[Any, Any], key: object, fragment: str
) -> None:
    with pytest.raises(FilterError) as caught:
        compile_filter(spec, expression)
    assert caught.value.context["key"] == key
    assert caught.value.context["option"] == "filter"
    assert fragment in str(caught.value)


def test_a_filterable_error_lists_what_is_allowed(spec: SearchSpec) -> None:
    with pytest.raises(FilterError) as caught:
        compile_filter(spec, {"title": "x"})
    assert caught.value.context["allowed"] == [
        "TO",
        "brand",
        "meta",
        "price",
        "published_at",
        "status",
        "tenant_id",
    ]
    assert "filterable: TO, brand, meta" in str(caught.value)


def test_raw_filter_strings_are_refused(spec: SearchSpec) -> None:
    with pytest.raises(FilterError, match="raw Meilisearch filter strings"):
        compile_filter(spec, 'status = "a"')


def test_filter_errors_are_search_option_errors(spec: SearchSpec) -> None:
    with pytest.raises(SearchOptionError):
        compile_filter(spec, {"nope": 1})


def test_mappings_nest_at_most_max_depth_levels_whatever_they_compile_to(
    spec: SearchSpec,
) -> None:
    def single(count: int) -> dict[str, Any]:
        expression: dict[str, Any] = {"status": "a"}
        for _ in range(count):
            expression = {"and": [expression]}
        return expression

    assert compile_filter(spec, single(MAX_DEPTH)) == 'status = "a"'
    with pytest.raises(FilterError, match=f"nests deeper than {MAX_DEPTH} levels"):
        compile_filter(spec, single(MAX_DEPTH + 1))


def test_and_or_lists_of_any_length_cost_no_depth(spec: SearchSpec) -> None:
    many = [{"status": str(n)} for n in range(500)]
    compiled = compile_filter(spec, {"or": many, "and": many, "not": {"or": many}})
    assert compiled is not None and compiled.count(" OR ") == 998


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, []),
        ("price", ["price:asc"]),
        (["-price", "published_at:asc"], ["price:desc", "published_at:asc"]),
        (("published_at:desc",), ["published_at:desc"]),
        (["meta.rank"], ["meta.rank:asc"]),
    ],
)
def test_sort_keys_normalize(spec: SearchSpec, sort: object, expected: list[str]) -> None:
    assert validate_sort(spec, sort) == expected


@pytest.mark.parametrize(
    ("sort", "key", "fragment"),
    [
        (["title"], "title", "not sortable on Product; sortable: price, published_at, meta"),
        (["price:up"], "price:up", "asc or desc"),
        (["price", "-price"], "-price", "sorted on twice"),
        ([3], 3, "sort keys are strings"),
        (["_geoPoint(1,2):asc"], "_geoPoint(1,2):asc", "not sortable"),
        (7, None, "list of sort keys"),
    ],
)
def test_invalid_sort_names_the_option_and_key(
    spec: SearchSpec, sort: object, key: object, fragment: str
) -> None:
    with pytest.raises(SearchOptionError) as caught:
        validate_sort(spec, sort)
    assert caught.value.context["option"] == "sort"
    assert caught.value.context["key"] == key
    assert caught.value.context["allowed"] == ["price", "published_at", "meta"]
    assert fragment in str(caught.value)


def test_facets_must_be_declared(spec: SearchSpec) -> None:
    assert validate_facets(spec, ["brand", "status"]) == ["brand", "status"]
    assert validate_facets(spec, "status") == ["status"]
    assert validate_facets(spec, None) == []
    with pytest.raises(SearchOptionError) as caught:
        validate_facets(spec, ["price"])
    assert caught.value.context == {
        "option": "facets",
        "key": "price",
        "allowed": ["status", "brand"],
    }
    with pytest.raises(SearchOptionError, match="requested twice"):
        validate_facets(spec, ["status", "status"])


def test_a_model_without_facets_says_so() -> None:
    class Plain(Base):
        __tablename__ = "filter_plain"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str]

    with registry.isolated():
        searchable(fields=["title"])(Plain)
        with pytest.raises(SearchOptionError, match="none are declared"):
            validate_facets(spec_for(Plain), ["title"])


def test_literal_formats_each_kind() -> None:
    assert [literal(True), literal(3), literal(2.0), literal("a")] == ["true", "3", "2.0", '"a"']


# A reader for quoted strings that follows Meilisearch's filter parser: scan to the first
# unescaped quote (a backslash always takes the next character with it), then undo `\"`,
# then undo backslash escapes. Only `\\` may remain, since that is all `quote` produces.


def read_quoted(text: str, start: int) -> tuple[str, int]:
    assert text[start] == '"'
    index, escaped_quote = start + 1, False
    while text[index] != '"':
        if text[index] == "\\":
            escaped_quote |= text[index + 1] == '"'
            index += 2
        else:
            index += 1
    raw = text[start + 1 : index]
    if escaped_quote:
        raw = raw.replace('\\"', '"')
    return unescape_backslashes(raw), index + 1


def unescape_backslashes(raw: str) -> str:
    out, index = [], 0
    while index < len(raw):
        if raw[index] == "\\":
            assert raw[index + 1] == "\\", f"unexpected escape in {raw!r}"
            out.append("\\")
            index += 2
        else:
            out.append(raw[index])
            index += 1
    return "".join(out)


@given(st.text())
def test_a_quoted_string_decodes_back_to_itself(text: str) -> None:
    quoted = quote(text)
    decoded, end = read_quoted(quoted, 0)
    assert decoded == text
    assert end == len(quoted)


@given(st.text())
def test_a_user_string_never_escapes_its_clause(text: str) -> None:
    compiled = compile_filter(ITEM_SPEC, {"status": text, "brand": "tail"})
    assert compiled is not None
    assert compiled.startswith("status = ")
    value, end = read_quoted(compiled, len("status = "))
    assert value == text
    assert compiled[end:] == ' AND brand = "tail"'


SYNTAX = re.compile(r"\s+|>=|<=|!=|=|>|<|\(|\)|\[|\]|,|[A-Za-z0-9_.\-]+")
KEYWORDS = {"AND", "OR", "NOT", "IN", "TO", "EXISTS", "IS", "NULL", "EMPTY", "true", "false"}


def check_well_formed(compiled: str, attributes: set[str]) -> list[str]:
    """Walk the output: quotes close, brackets balance, bare words are syntax or numbers."""
    depth, strings, index = 0, [], 0
    while index < len(compiled):
        if compiled[index] == '"':
            value, index = read_quoted(compiled, index)
            strings.append(value)
            continue
        match = SYNTAX.match(compiled, index)
        assert match is not None, compiled[index:]
        token = match.group()
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(token, 0)
        assert depth >= 0
        if re.fullmatch(r"[A-Za-z0-9_.\-]+", token):
            assert token in KEYWORDS or token in attributes or _is_number(token), token
        index = match.end()
    assert depth == 0
    return strings


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _item_spec() -> SearchSpec:
    class PropertyBase(DeclarativeBase):
        pass

    class Item(PropertyBase):
        __tablename__ = "filter_items"
        id: Mapped[int] = mapped_column(primary_key=True)
        status: Mapped[str]
        brand: Mapped[str]
        price: Mapped[float]

    with registry.isolated():
        searchable(fields=["status"], filterable=["status", "brand", "price"])(Item)
        return spec_for(Item)


ITEM_SPEC = _item_spec()
ATTRIBUTES = st.sampled_from(["status", "brand", "price"])
LITERALS = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
LEAVES = st.one_of(
    st.dictionaries(ATTRIBUTES, st.one_of(LITERALS, st.none()), min_size=1, max_size=2),
    st.dictionaries(ATTRIBUTES, st.lists(LITERALS, max_size=3), min_size=1, max_size=1),
    st.dictionaries(
        ATTRIBUTES,
        st.dictionaries(
            st.sampled_from(["gt", "gte", "lt", "lte", "ne"]),
            st.one_of(st.text(max_size=5), st.integers()),
            min_size=1,
            max_size=2,
        ),
        min_size=1,
        max_size=1,
    ),
    st.dictionaries(
        ATTRIBUTES,
        st.fixed_dictionaries(
            {"between": st.tuples(st.integers(), st.floats(allow_nan=False, allow_infinity=False))}
        ),
        min_size=1,
        max_size=1,
    ),
    st.dictionaries(
        ATTRIBUTES,
        st.sampled_from(["exists", "is_null", "is_empty"]).flatmap(
            lambda op: st.fixed_dictionaries({op: st.booleans()})
        ),
        min_size=1,
        max_size=1,
    ),
)
EXPRESSIONS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.builds(lambda items: {"and": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda items: {"or": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda item: {"not": item}, inner),
    ),
    max_leaves=10,
)


def _strings_in(expression: object) -> list[str]:
    if isinstance(expression, str):
        return [expression]
    if isinstance(expression, dict):
        return [s for value in expression.values() for s in _strings_in(value)]
    if isinstance(expression, list | tuple):
        return [s for value in expression for s in _strings_in(value)]
    return []


@given(EXPRESSIONS)
def test_compiled_output_is_well_formed(expression: dict[str, Any]) -> None:
    compiled = compile_filter(ITEM_SPEC, expression)
    assert compiled is not None
    strings = check_well_formed(compiled, {"status", "brand", "price"})
    assert sorted(strings) == sorted(_strings_in(expression))


@given(st.dictionaries(st.text(max_size=6), st.one_of(LITERALS, st.none()), max_size=3))
def test_arbitrary_keys_compile_or_raise_filter_error(expression: dict[str, Any]) -> None:
    try:
        compile_filter(ITEM_SPEC, expression)
    except FilterError as error:
        assert error.context["option"] == "filter"


def test_operators_are_documented_in_the_module() -> None:
    import scrypath.filters as module

    for operator in OPERATORS:
        assert operator in (module.__doc__ or "")


# st.text() never draws surrogates, whatever its alphabet: join characters instead
@given(
    st.lists(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=8).map("".join)
)
def test_a_string_with_a_lone_surrogate_is_a_filter_error(text: str) -> None:
    broken = any(0xD800 <= ord(char) <= 0xDFFF for char in text)
    try:
        compiled = compile_filter(ITEM_SPEC, {"or": [{"status": text}, {"brand": [text]}]})
    except FilterError as error:
        assert broken
        assert error.context["key"] in ("status", "brand")
        assert "lone surrogates" in str(error) and str(error).encode("utf-8")
    else:
        assert not broken and compiled is not None


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ({"price": 2**1024}, "cannot filter on int 1797"),
        ({"price": {"between": (0, 10**5000)}}, "cannot filter on int <int of 16610 bits"),
        ({"status": {10**5000: 1}}, "unknown operator <int of 16610 bits"),
        ({10**5000: 1}, "attribute names are strings, got int <int of 16610 bits"),
    ],
    ids=["2^1024", "between-huge", "huge-operator", "huge-key"],
)
def test_unprintable_values_still_give_a_filter_error(
    spec: SearchSpec, expression: dict[Any, Any], fragment: str
) -> None:
    with pytest.raises(FilterError, match=re.escape(fragment)):
        compile_filter(spec, expression)
