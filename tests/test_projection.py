from __future__ import annotations

import datetime as dt
import enum
import json
import string
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Numeric, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from scrypath.declaration import SearchSpec, registry, searchable, spec_for
from scrypath.errors import EncodingError, InvalidDocumentIdError, ProjectionError
from scrypath.projection import (
    DocumentEncoder,
    document_id,
    encode_document,
    encode_value,
    is_indexable,
    json_default,
    project,
    short_repr,
    to_json_bytes,
    validate_document_id,
)


class Status(enum.Enum):
    DRAFT = "draft"
    LIVE = "live"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Nested(enum.Enum):
    WHEN = dt.date(2024, 1, 2)


class Base(DeclarativeBase):
    pass


class Listing(Base):
    __tablename__ = "projection_listings"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    status: Mapped[Status]
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    listed_at: Mapped[dt.datetime]
    tenant_id: Mapped[int]
    secret_note: Mapped[str | None]

    @property
    def labels(self) -> set[str]:
        return {"b", "a"}


@pytest.fixture(scope="module")
def spec() -> Iterator[SearchSpec]:
    with registry.isolated():
        searchable(
            fields=["title", "labels"],
            filterable=["status"],
            sortable=["price", "listed_at"],
            tenant_field="tenant_id",
        )(Listing)
        yield spec_for(Listing)


def listing(**values: Any) -> Listing:
    defaults: dict[str, Any] = {
        "id": 7,
        "title": "Loft",
        "status": Status.LIVE,
        "price": Decimal("1250.50"),
        "listed_at": dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC),
        "tenant_id": 3,
        "secret_note": "not projected",
    }
    return Listing(**{**defaults, **values})


def with_hooks(spec: SearchSpec, **hooks: Any) -> SearchSpec:
    values = {name: getattr(spec, name) for name in SearchSpec.__dataclass_fields__}
    return SearchSpec(**{**values, **hooks})


def test_project_builds_the_encoded_document(spec: SearchSpec) -> None:
    assert project(listing(), spec) == {
        "id": 7,
        "title": "Loft",
        "labels": ["a", "b"],
        "status": "live",
        "price": 1250.5,
        "listed_at": 1709294400.0,
        "tenant_id": 3,
    }


def test_undeclared_columns_stay_out_of_the_document(spec: SearchSpec) -> None:
    assert "secret_note" not in project(listing(), spec)


def test_records_loaded_from_the_database_project_the_same(spec: SearchSpec) -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(listing(listed_at=dt.datetime(2024, 3, 1, 12, 0)))
        session.commit()
    with Session(engine) as session:
        loaded = session.get(Listing, 7)
        assert loaded is not None
        assert project(loaded, spec)["listed_at"] == 1709294400.0
        assert project(loaded, spec)["price"] == 1250.5


def test_an_unflushed_record_without_an_id_gets_a_hint(spec: SearchSpec) -> None:
    with pytest.raises(InvalidDocumentIdError, match="flush the session"):
        project(listing(id=None), spec)


def test_search_document_extends_and_overrides(spec: SearchSpec) -> None:
    hooked = with_hooks(
        spec, search_document=lambda r: {"title": r.title.upper(), "seen": dt.date(2024, 1, 1)}
    )
    document = project(listing(), hooked)
    assert document["title"] == "LOFT"
    assert document["seen"] == 1704067200


def test_search_document_may_repeat_but_not_change_the_id(spec: SearchSpec) -> None:
    assert project(listing(), with_hooks(spec, search_document=lambda r: {"id": 7}))["id"] == 7
    with pytest.raises(ProjectionError, match="may not change the document id") as caught:
        project(listing(), with_hooks(spec, search_document=lambda r: {"id": 8}))
    assert caught.value.context["option"] == "search_document"


def test_search_document_must_return_a_mapping(spec: SearchSpec) -> None:
    with pytest.raises(ProjectionError, match="must return a mapping"):
        project(listing(), with_hooks(spec, search_document=lambda r: [("a", 1)]))


def test_a_failing_hook_is_wrapped_with_its_cause(spec: SearchSpec) -> None:
    def broken(record: Listing) -> dict[str, Any]:
        raise KeyError("boom")

    with pytest.raises(ProjectionError, match="search_document hook raised KeyError") as caught:
        project(listing(), with_hooks(spec, search_document=broken))
    assert isinstance(caught.value.__cause__, KeyError)


def test_should_index_decides_and_must_return_a_bool(spec: SearchSpec) -> None:
    assert is_indexable(listing(), spec) is True
    live_only = with_hooks(spec, should_index=lambda r: r.status is Status.LIVE)
    assert is_indexable(listing(), live_only) is True
    assert is_indexable(listing(status=Status.DRAFT), live_only) is False
    sloppy = with_hooks(spec, should_index=lambda r: None)
    with pytest.raises(ProjectionError, match="must return True or False, got NoneType"):
        is_indexable(listing(), sloppy)


def test_a_record_of_another_class_is_refused(spec: SearchSpec) -> None:
    with pytest.raises(ProjectionError, match="cannot project a str"):
        project("not a listing", spec)


def test_an_unencodable_field_names_model_field_and_type(spec: SearchSpec) -> None:
    with pytest.raises(EncodingError) as caught:
        project(listing(title=b"raw"), spec)
    assert caught.value.context == {"model": "Listing", "field": "title", "type": "bytes"}
    assert "base64" in str(caught.value)


def test_a_failing_attribute_read_is_a_projection_error(spec: SearchSpec) -> None:
    class Broken(Listing):
        @property
        def labels(self) -> set[str]:
            raise RuntimeError("lazy load failed")

    with pytest.raises(ProjectionError, match=r"Listing\.labels: reading the attribute failed"):
        project(
            Broken(
                id=1,
                title="t",
                status=Status.LIVE,
                price=Decimal(1),
                listed_at=dt.datetime(2024, 1, 1),
                tenant_id=1,
            ),
            spec,
        )


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (dt.datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=dt.UTC), 1.5),
        (dt.datetime(1970, 1, 1, 1, 0), 3600.0),
        (dt.datetime(1970, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))), 0.0),
        (dt.date(1970, 1, 2), 86400),
        (dt.date(1969, 12, 31), -86400),
        (Decimal("0.10"), 0.1),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (Status.DRAFT, "draft"),
        (Priority.HIGH, 2),
        (Nested.WHEN, 1704153600),
        ((1, "a"), [1, "a"]),
        ({3, 1, 2}, [1, 2, 3]),
        (frozenset({"b", "a"}), ["a", "b"]),
        ({"when": dt.date(1970, 1, 1), "tags": ("x",)}, {"when": 0, "tags": ["x"]}),
        (True, True),
        (None, None),
    ],
)
def test_encoding_rules(value: object, encoded: object) -> None:
    assert encode_value(value) == encoded
    assert type(encode_value(value)) is type(encoded)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (float("nan"), "float"),
        (float("inf"), "float"),
        (Decimal("NaN"), "Decimal"),
        (Decimal("sNaN"), "Decimal"),
        (Decimal("1e400"), "Decimal"),
        (b"x", "bytes"),
        (bytearray(b"x"), "bytearray"),
        (dt.time(12, 0), "time"),
        (object(), "object"),
        ({1: "a"}, "int"),
    ],
)
def test_values_without_a_json_form_raise_encoding_error(value: object, kind: str) -> None:
    with pytest.raises(EncodingError) as caught:
        encode_value(value, model="Listing", field="title")
    assert caught.value.context["type"] == kind
    assert caught.value.context["model"] == "Listing"


def test_nested_errors_name_the_path() -> None:
    with pytest.raises(EncodingError) as caught:
        encode_value({"a": [1, {"b": object()}]}, model="Listing", field="meta")
    assert caught.value.context["field"] == "meta.a[1].b"


def test_a_self_referencing_value_stops_at_the_depth_limit() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(EncodingError, match="nests deeper"):
        encode_value(loop)


def test_subclasses_of_str_and_int_encode_to_plain_values() -> None:
    class Tag(str):
        pass

    class Count(int):
        pass

    assert type(encode_value(Tag("x"))) is str
    assert type(encode_value(Count(3))) is int


def test_to_json_bytes_is_compact_utf8() -> None:
    document = {"id": 1, "title": "Café", "at": dt.date(1970, 1, 2)}
    assert to_json_bytes(document) == '{"id":1,"title":"Café","at":86400}'.encode()


def test_encode_document_rejects_non_string_keys() -> None:
    with pytest.raises(EncodingError, match="field names must be strings"):
        encode_document({1: "x"})  # type: ignore[dict-item]


def test_json_default_and_encoder_class_apply_the_same_rules() -> None:
    value = {"id": uuid.UUID(int=2), "at": dt.date(1970, 1, 2), "s": Status.LIVE}
    expected = json.dumps(encode_document(value))
    assert json.dumps(value, default=json_default) == expected
    assert json.dumps(value, cls=DocumentEncoder) == expected
    with pytest.raises(EncodingError):
        json.dumps({"x": b"1"}, cls=DocumentEncoder)


@pytest.mark.parametrize(
    "value",
    [
        0,
        1,
        -1,
        2**63 - 1,
        -(2**63),
        2**64 - 1,
        "a",
        "A-b_9",
        "x" * 511,
        uuid.UUID(int=5),
        Priority.LOW,
        Status.LIVE,
    ],
)
def test_valid_document_ids(value: object) -> None:
    assert validate_document_id(value) == encode_value(value)


@pytest.mark.parametrize(
    "value",
    [True, 1.0, 2**64, -(2**63) - 1, "", "x" * 512, "a b", "a.b", "é", " a", None, b"a"],
)
def test_invalid_document_ids(value: object) -> None:
    with pytest.raises(InvalidDocumentIdError):
        validate_document_id(value)


def test_document_id_reads_the_declared_attribute(spec: SearchSpec) -> None:
    assert document_id(listing(id=42), spec) == 42


ID_CHARS = string.ascii_letters + string.digits + "-_"


def _expected_valid(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value <= 2**64 - 1
    if isinstance(value, str):
        return 0 < len(value) <= 511 and all(char in ID_CHARS for char in value)
    return False


CANDIDATE_IDS = st.one_of(
    st.integers(min_value=-(2**66), max_value=2**66),
    st.text(alphabet=ID_CHARS + " .é/\x00", max_size=520),
    st.text(alphabet=ID_CHARS, min_size=505, max_size=515),
    st.floats(),
    st.booleans(),
    st.none(),
    st.binary(max_size=4),
)


@given(CANDIDATE_IDS)
def test_arbitrary_ids_classify_like_meilisearch(value: object) -> None:
    try:
        result = validate_document_id(value)
    except InvalidDocumentIdError:
        assert not _expected_valid(value)
    else:
        assert _expected_valid(value)
        assert result == value


FLOAT_MAX = int(sys.float_info.max)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-FLOAT_MAX, FLOAT_MAX),  # beyond: an EncodingError, tested on its own
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**300), max_value=10**300),
    st.uuids(),
    st.sampled_from([*Status, *Priority, *Nested]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.frozensets(st.one_of(st.integers(), st.text(max_size=5)), max_size=4),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
    ),
    max_leaves=16,
)


@given(VALUES)
def test_encoded_values_round_trip_through_json(value: object) -> None:
    encoded = encode_value(value)
    assert json.loads(json.dumps(encoded, allow_nan=False)) == encoded
    assert encode_value(encoded) == encoded


@given(st.dictionaries(st.text(max_size=6), VALUES, max_size=5))
def test_json_bytes_decode_to_the_encoded_document(document: dict[str, Any]) -> None:
    assert json.loads(to_json_bytes(document)) == encode_document(document)


LONE = "caf\udce9"  # what decoding Latin-1 bytes as UTF-8 with surrogateescape leaves


def test_a_lone_surrogate_in_a_projected_field_is_an_encoding_error(spec: SearchSpec) -> None:
    with pytest.raises(EncodingError) as caught:
        project(listing(title=LONE), spec)
    assert caught.value.context == {"model": "Listing", "field": "title", "type": "str"}
    assert "lone surrogate (U+DCE9 at index 3)" in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"note": LONE}, "note"),
        ({"tags": ["ok", ("fine", LONE)]}, "tags[1][1]"),
        ({"meta": {"inner": {"deep": LONE}}}, "meta.inner.deep"),
        ({"meta": {LONE: 1}}, "meta.caf\\udce9"),
        ({LONE: 1}, "caf\\udce9"),
        ({"labels": {LONE}}, "labels[]"),
    ],
)
def test_a_lone_surrogate_from_search_document_is_an_encoding_error(
    spec: SearchSpec, extra: dict[str, Any], field: str
) -> None:
    hooked = with_hooks(spec, search_document=lambda record: extra)
    with pytest.raises(EncodingError) as caught:
        project(listing(), hooked)
    assert caught.value.context == {"model": "Listing", "field": field, "type": "str"}
    message = str(caught.value)
    assert message.startswith(f"Listing.{field}: cannot encode str: ")
    assert message.encode("utf-8")  # the message itself can always be written out


@pytest.mark.parametrize(
    "encode",
    [
        lambda doc: to_json_bytes(doc),
        lambda doc: encode_document(doc),
        lambda doc: json.dumps(doc, cls=DocumentEncoder),
        lambda doc: json.dumps(doc, cls=DocumentEncoder, ensure_ascii=False).encode(),
        lambda doc: json.dumps(doc["v"], cls=DocumentEncoder),
    ],
)
@pytest.mark.parametrize("document", [{"v": LONE}, {"v": [1, {"k": LONE}]}, {LONE: 1}])
def test_every_encoder_refuses_lone_surrogates_with_an_encoding_error(
    encode: Any, document: dict[str, Any]
) -> None:
    if "v" not in document:
        document = {"v": document}
    with pytest.raises(EncodingError) as caught:
        encode(document)
    assert caught.value.context["type"] == "str"


def test_surrogate_pairs_written_properly_are_ordinary_text() -> None:
    assert to_json_bytes({"v": "\U0001f600"}) == '{"v":"\U0001f600"}'.encode()
    assert json.dumps({"v": "\U0001f600"}, cls=DocumentEncoder) == '{"v": "\\ud83d\\ude00"}'


# st.text() never draws surrogates, whatever its alphabet: join characters instead
TEXT_WITH_SURROGATES = st.lists(
    st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=12
).map("".join)


def has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)


@given(TEXT_WITH_SURROGATES, TEXT_WITH_SURROGATES)
def test_text_encodes_to_utf8_or_raises_an_encoding_error(key: str, value: str) -> None:
    document = {"field": value, "nested": {key: [value]}}
    try:
        body = to_json_bytes(document, model="Listing")
    except EncodingError as error:
        assert has_surrogate(key) or has_surrogate(value)
        assert error.context["model"] == "Listing"
        assert str(error).encode("utf-8")
    else:
        assert not (has_surrogate(key) or has_surrogate(value))
        assert json.loads(body.decode("utf-8")) == document


@pytest.mark.parametrize(
    "value", [2**1024, -(2**1024), 10**5000], ids=["2^1024", "-2^1024", "1e5000"]
)
def test_integers_beyond_a_float_are_an_encoding_error(value: int) -> None:
    with pytest.raises(EncodingError, match="beyond the range of a 64-bit float") as caught:
        to_json_bytes({"n": value}, model="Listing")
    assert caught.value.context == {"model": "Listing", "field": "n", "type": "int"}


def test_the_largest_integers_a_float_holds_still_encode() -> None:
    assert encode_value(FLOAT_MAX) == FLOAT_MAX
    assert encode_value(-FLOAT_MAX) == -FLOAT_MAX


def test_an_unprintable_document_id_is_still_an_invalid_id_error() -> None:
    with pytest.raises(InvalidDocumentIdError, match="int of 16610 bits"):
        validate_document_id(10**5000)


def test_short_repr_never_raises() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert short_repr(Broken()) == "<Broken without a printable form>"
    assert short_repr("x" * 100, 10) == "'xxxxxx..."
    assert short_repr(LONE) == repr(LONE)


@pytest.mark.parametrize("mode", ["inline", "manual"])
def test_a_lone_surrogate_fails_the_sync_before_anything_is_sent(
    models: Any, scrypath_config: Any, meilisearch: Any, mode: str
) -> None:
    from scrypath.sync import sync_records

    good = models.Post(id=1, title="fine", tenant_id=1)
    bad = models.Post(id=2, title=LONE, tenant_id=1)
    index = spec_for(models.Post).index_name(scrypath_config.index_prefix)
    with pytest.raises(EncodingError) as caught:
        sync_records([good, bad], mode=mode)
    assert caught.value.context == {"model": "Post", "field": "title", "type": "str"}
    assert meilisearch.client.get_tasks({"indexUids": [index]}).results == []
