"""Record -> search document, and the one JSON encoder every write path uses.

A document holds the id under the spec's `document_id` field, every projected field (see
`SearchSpec.projected_fields`), then whatever the `search_document` hook returns, which
extends or overrides the projected values (but may not change the id).

Values are encoded once, here, so that inline sync, the queue snapshot and bulk backfill send
identical JSON:

- `datetime` -> Unix epoch seconds as a float. A naive datetime is read as UTC, which is what
  a SQLAlchemy `DateTime` column without a timezone usually holds.
- `date` -> epoch seconds at midnight UTC, as an int.
- `Decimal` -> float when finite; NaN and infinity are errors (JSON has no such numbers).
- `UUID` -> its canonical string. `Enum` -> its value, encoded in turn.
- tuples and lists -> lists; sets -> lists ordered by their JSON form, so output is stable.
- mappings -> objects with string keys.
- `bytes` and anything else -> `EncodingError` naming model, field and type.

Numbers stay numbers so that Meilisearch can filter and sort them as ranges; an integer
beyond the range of a 64-bit float has no number Meilisearch can read and is an error.
Every string, mapping keys included, must be valid Unicode: a lone surrogate (such as
`"\\ud800"`, left by decoding bytes with `surrogateescape`) has no UTF-8 form, so it is
an `EncodingError` here, before any request, rather than a failure while the body is sent.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Iterator, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from scrypath.declaration import SearchSpec
from scrypath.errors import EncodingError, InvalidDocumentIdError, ProjectionError

DocumentId = int | str
"""A document id in its JSON form: an integer or a string (see `validate_document_id`)."""

MAX_DEPTH = 32
"""How deeply nested a projected value may be; deeper is almost surely a cycle."""

_DOCUMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,511}")
_INT_RANGE = range(-(2**63), 2**64)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_FLOAT_MAX = int(sys.float_info.max)


def encode_value(value: Any, *, model: str | None = None, field: str = "value") -> Any:
    """Encode one value into JSON data (see the module docs for the rules)."""
    return _encode(value, model, field, 0)


def encode_document(document: Mapping[str, Any], *, model: str | None = None) -> dict[str, Any]:
    """Encode every value of a document; keys must be strings."""
    encoded: dict[str, Any] = {}
    for key, value in document.items():
        if not isinstance(key, str):
            raise EncodingError(
                f"{model or 'document'}: field names must be strings, got {short_repr(key)}",
                model=model,
                field=short_repr(key),
                type=type(key).__name__,
            )
        name = _text(key, model, key, "this field name")
        encoded[name] = _encode(value, model, name, 0)
    return encoded


def short_repr(value: object, limit: int = 80) -> str:
    """`repr(value)` cut to `limit` characters, for messages; it never raises (a huge int or
    a broken `__repr__` has no repr)."""
    try:
        text = repr(value)
    except Exception:  # whatever a repr raises, the message still needs a word for the value
        size = f" of {value.bit_length()} bits" if isinstance(value, int) else ""
        text = f"<{type(value).__name__}{size} without a printable form>"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def surrogate_at(text: str) -> int | None:
    """Where `text` holds a lone surrogate (which has no UTF-8 form), or None."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def json_default(value: Any) -> Any:
    """A `default=` hook for `json.dumps` that applies the same rules to values JSON lacks.

    A hook only sees values the `json` module cannot encode itself, so it cannot refuse a
    lone surrogate in a plain string: encode with `DocumentEncoder` or `to_json_bytes`.
    """
    return _encode(value, None, "value", 0)


class DocumentEncoder(json.JSONEncoder):
    """A `json.JSONEncoder` with the same rules, for APIs that take an encoder class.

    Strings (values and keys) are checked for lone surrogates before encoding, so a body
    Meilisearch could not read fails here with an `EncodingError`.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**{**options, "allow_nan": False})

    def default(self, o: Any) -> Any:
        return json_default(o)

    def encode(self, o: Any) -> str:
        if isinstance(o, str):  # the base class encodes a bare string without iterencode
            _text(o, None, "value")
        return super().encode(o)

    def iterencode(self, o: Any, _one_shot: bool = False) -> Iterator[str]:
        _check_strings(o, "value", 0)
        return super().iterencode(o, _one_shot)


def to_json_bytes(document: Mapping[str, Any], *, model: str | None = None) -> bytes:
    """The compact UTF-8 JSON of an encoded document."""
    text = json.dumps(
        encode_document(document, model=model),
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )
    return text.encode("utf-8")


def _encode(value: Any, model: str | None, field: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _unencodable(value, model, field, f"nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, Enum):
        return _encode(value.value, model, field, depth + 1)
    if value is None or isinstance(value, str | int):
        return _primitive(value, model, field)
    if isinstance(value, float | Decimal):
        return _finite(value, model, field)
    if isinstance(value, dt.date):
        return _date(value)
    if isinstance(value, UUID):
        return str(value)
    return _container(value, model, field, depth)


def _primitive(value: str | int | None, model: str | None, field: str) -> str | int | None:
    if value is None or type(value) is bool:
        return value
    if isinstance(value, str):
        return _text(str.__str__(value), model, field)
    number = int(value)
    if not -_FLOAT_MAX <= number <= _FLOAT_MAX:
        raise _unencodable(
            value,
            model,
            field,
            "it is beyond the range of a 64-bit float, so no JSON number "
            "Meilisearch reads can hold it; store it as a string",
        )
    return number


def _text(value: str, model: str | None, field: str, what: str = "it") -> str:
    at = surrogate_at(value)
    if at is not None:
        code = f"U+{ord(value[at]):04X}"
        raise _unencodable(
            value,
            model,
            field,
            f"{what} holds a lone surrogate ({code} at index {at}), which "
            "has no UTF-8 form; decode the source text with errors='replace' or fix it",
        )
    return value


def _check_strings(value: Any, field: str, depth: int) -> None:
    """Refuse lone surrogates anywhere in data `json` is about to encode natively."""
    if isinstance(value, str):
        _text(value, None, field)
    elif depth > MAX_DEPTH and isinstance(value, Mapping | list | tuple):
        raise _unencodable(value, None, field, f"nests deeper than {MAX_DEPTH} levels")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{field}.{key}"
            if isinstance(key, str):
                _text(key, None, path, "this key")
            _check_strings(item, path, depth + 1)
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            _check_strings(item, f"{field}[{n}]", depth + 1)


def _printable(text: str) -> str:
    """`text` with lone surrogates escaped, so messages and context can always be written."""
    return text if surrogate_at(text) is None else text.encode("utf-8", "backslashreplace").decode()


def _finite(value: float | Decimal, model: str | None, field: str) -> float:
    finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
    number = float(value) if finite else math.nan
    if not math.isfinite(number):
        raise _unencodable(value, model, field, "only finite numbers have a JSON form")
    return number


def _date(value: dt.date) -> float | int:
    if isinstance(value, dt.datetime):
        return _epoch_seconds(value)
    return calendar.timegm(value.timetuple())


def _epoch_seconds(value: dt.datetime) -> float:
    if value.utcoffset() is None:
        value = value.replace(tzinfo=dt.UTC)
    return (value - _EPOCH).total_seconds()


def _container(value: Any, model: str | None, field: str, depth: int) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        raise _unencodable(
            value,
            model,
            field,
            "bytes are not searchable; decode or base64 them in search_document",
        )
    if isinstance(value, Mapping):
        encoded: dict[str, Any] = {}
        for key, item in value.items():
            name = _key(key, model, field)
            encoded[name] = _encode(item, model, f"{field}.{name}", depth + 1)
        return encoded
    if isinstance(value, list | tuple):
        return [_encode(item, model, f"{field}[{n}]", depth + 1) for n, item in enumerate(value)]
    if isinstance(value, set | frozenset):
        items = [_encode(item, model, f"{field}[]", depth + 1) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    raise _unencodable(value, model, field, "it has no JSON form")


def _key(key: object, model: str | None, field: str) -> str:
    if not isinstance(key, str):
        raise _unencodable(key, model, field, "mapping keys must be strings")
    return _text(key, model, f"{field}.{key}", "this key")


def _unencodable(value: object, model: str | None, field: str, why: str) -> EncodingError:
    kind = type(value).__name__
    field = _printable(field)
    where = f"{model}.{field}" if model else field
    return EncodingError(
        f"{where}: cannot encode {kind}: {why}", model=model, field=field, type=kind
    )


def validate_document_id(value: object, *, model: str | None = None) -> int | str:
    """Check a document id by Meilisearch's rules and return its JSON form.

    An id is an integer (64-bit signed or unsigned) or a string of 1 to 511 ASCII letters,
    digits, `-` and `_`. UUIDs and enums are encoded first.
    """
    candidate = value.value if isinstance(value, Enum) else value
    if isinstance(candidate, UUID):
        candidate = str(candidate)
    if isinstance(candidate, int) and not isinstance(candidate, bool):
        if int(candidate) in _INT_RANGE:
            return int(candidate)
    elif isinstance(candidate, str) and _DOCUMENT_ID.fullmatch(candidate):
        return str.__str__(candidate)
    raise _bad_id(value, model)


def _bad_id(value: object, model: str | None) -> InvalidDocumentIdError:
    shown = short_repr(value)
    hint = "; flush the session first so the record has its id" if value is None else ""
    where = f"{model}: " if model else ""
    return InvalidDocumentIdError(
        f"{where}invalid document id {shown}: expected an integer or a string of 1-511 "
        f"letters, digits, '-' or '_'{hint}",
        model=model,
        type=type(value).__name__,
    )


def document_id(record: object, spec: SearchSpec) -> int | str:
    """The checked document id of a record."""
    value = _read(record, spec.document_id, spec)
    return validate_document_id(value, model=spec.model_name)


def is_indexable(record: object, spec: SearchSpec) -> bool:
    """Whether the record belongs in the index, per the `should_index` hook (default: yes)."""
    if spec.should_index is None:
        return True
    verdict = _call_hook(spec.should_index, record, spec, "should_index")
    if not isinstance(verdict, bool):
        raise ProjectionError(
            f"{spec.model_name}: should_index must return True or False, "
            f"got {type(verdict).__name__}",
            model=spec.model_name,
            option="should_index",
        )
    return verdict


def project(record: object, spec: SearchSpec) -> dict[str, Any]:
    """The encoded search document of one record."""
    if not isinstance(record, spec.model):
        raise ProjectionError(
            f"{spec.model_name}: cannot project a {type(record).__name__} with its spec",
            model=spec.model_name,
        )
    identifier = document_id(record, spec)
    document: dict[str, Any] = {spec.document_id: identifier}
    for name in spec.projected_fields:
        if name != spec.document_id:
            document[name] = _encode(_read(record, name, spec), spec.model_name, name, 0)
    if spec.search_document is not None:
        document.update(_extension(record, spec, identifier))
    return document


def _extension(record: object, spec: SearchSpec, identifier: int | str) -> dict[str, Any]:
    extra = _call_hook(spec.search_document, record, spec, "search_document")
    if not isinstance(extra, Mapping):
        raise ProjectionError(
            f"{spec.model_name}: search_document must return a mapping, got {type(extra).__name__}",
            model=spec.model_name,
            option="search_document",
        )
    encoded = encode_document(extra, model=spec.model_name)
    if encoded.get(spec.document_id, identifier) != identifier:
        raise ProjectionError(
            f"{spec.model_name}: search_document may not change the document id "
            f"field {spec.document_id!r}",
            model=spec.model_name,
            option="search_document",
            field=spec.document_id,
        )
    return encoded


def _read(record: object, name: str, spec: SearchSpec) -> Any:
    try:
        return getattr(record, name)
    except Exception as error:
        raise ProjectionError(
            f"{spec.model_name}.{name}: reading the attribute failed: {type(error).__name__}",
            model=spec.model_name,
            field=name,
        ) from error


def _call_hook(hook: Any, record: object, spec: SearchSpec, option: str) -> Any:
    try:
        return hook(record)
    except Exception as error:
        raise ProjectionError(
            f"{spec.model_name}: the {option} hook raised {type(error).__name__}: {error}",
            model=spec.model_name,
            option=option,
        ) from error
