"""Document payloads: JSON, NDJSON and CSV, decoded and refused the way Meilisearch does.

Parsing happens when the request arrives, so a malformed payload is a synchronous 400 and
a well-formed one is known to hold objects before its task is enqueued.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from .errors import MeiliError

ACCEPTED_TYPES = ("application/json", "application/x-ndjson", "text/csv")
_FORMATS = {"application/json": "json", "application/x-ndjson": "ndjson", "text/csv": "csv"}
_NOT_OBJECTS = "data are neither an object nor a list of objects"
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_FLOAT = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def document_format(content_type: str | None, csv_delimiter: str | None) -> str:
    """`json`, `ndjson` or `csv` from the Content-Type, or the 415/400 Meilisearch returns."""
    accepted = ", ".join(f"`{name}`" for name in ACCEPTED_TYPES)
    if content_type is None:
        raise MeiliError(
            "missing_content_type",
            f"A Content-Type header is missing. Accepted values for the Content-Type header "
            f"are: {accepted}",
        )
    essence = content_type.split(";", 1)[0].strip().lower()
    fmt = _FORMATS.get(essence)
    if fmt is None:
        raise MeiliError(
            "invalid_content_type",
            f"The Content-Type `{essence or content_type}` is invalid. Accepted values for the "
            f"Content-Type header are: {accepted}",
        )
    if csv_delimiter is not None and fmt != "csv":
        raise MeiliError(
            "invalid_content_type",
            f"The Content-Type `{essence}` does not support the use of a csv delimiter. The csv "
            "delimiter can only be used with the Content-Type `text/csv`.",
        )
    return fmt


def parse_documents(body: bytes, fmt: str, delimiter: str = ",") -> list[dict[str, Any]]:
    """The documents of a payload, in order; raises `missing_payload`/`malformed_payload`."""
    if not body:
        raise MeiliError("missing_payload", f"A {fmt} payload is missing.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _malformed_json(fmt, f"{error.reason} at byte {error.start}") from None
    if fmt == "json":
        return _json_documents(text)
    if fmt == "ndjson":
        return _ndjson_documents(text)
    return _csv_documents(text, delimiter)


def strict_loads(text: str) -> Any:
    """`json.loads` without the NaN/Infinity extensions and the lone surrogate escapes
    (`"\\ud800"`) that Meilisearch rejects."""
    value = json.loads(text, parse_constant=_reject_constant)
    if ("\\ud" in text or "\\uD" in text) and _holds_surrogate(value):
        raise ValueError("lone surrogate in hex escape")
    return value


def _holds_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(_holds_surrogate(key) or _holds_surrogate(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_surrogate(item) for item in value)
    return False


def _reject_constant(name: str) -> Any:
    raise ValueError(f"expected value, found `{name}`")


def _json_documents(text: str) -> list[dict[str, Any]]:
    try:
        value = strict_loads(text)
    except json.JSONDecodeError as error:
        raise _malformed_json("json", _decode_message(error)) from None
    except ValueError as error:
        raise _malformed_json("json", str(error)) from None
    documents = [value] if isinstance(value, dict) else value
    if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
        raise _malformed_json("json", _NOT_OBJECTS)
    return documents


def _ndjson_documents(text: str) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = strict_loads(line)
        except json.JSONDecodeError as error:
            message = f"{error.msg} at line {number} column {error.colno}"
            raise _malformed_json("ndjson", message) from None
        except ValueError as error:
            raise _malformed_json("ndjson", str(error)) from None
        if not isinstance(value, dict):
            raise _malformed_json("ndjson", _NOT_OBJECTS)
        documents.append(value)
    return documents


def _decode_message(error: json.JSONDecodeError) -> str:
    return f"{error.msg} at line {error.lineno} column {error.colno}"


def _malformed_json(fmt: str, message: str) -> MeiliError:
    if len(message) > 50 + 85 + 3:
        message = message[:50] + "..." + message[-85:]
    return MeiliError(
        "malformed_payload",
        f"The `{fmt}` payload provided is malformed. `Couldn't serialize document value: "
        f"{message}`.",
    )


def _malformed_csv(message: str) -> MeiliError:
    return MeiliError("malformed_payload", f"The `csv` payload provided is malformed: `{message}`.")


def _csv_documents(text: str, delimiter: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return []
    except csv.Error as error:
        raise _malformed_csv(f"CSV error: {error}") from None
    columns = [_typed_column(name) for name in header]
    documents = []
    try:
        for line, record in enumerate(reader, start=1):
            if len(record) != len(columns):
                raise _malformed_csv(
                    f"CSV error: record {line} (line: {line + 1}): found record with "
                    f"{len(record)} fields, but the previous record has {len(columns)} fields"
                )
            cells = zip(columns, record, strict=True)
            documents.append({name: _cell(kind, cell, line) for (name, kind), cell in cells})
    except csv.Error as error:
        raise _malformed_csv(f"CSV error: {error}") from None
    return documents


def _typed_column(header: str) -> tuple[str, str]:
    name, _, kind = header.rpartition(":")
    if name and kind in ("string", "boolean", "number"):
        return name, kind
    return header, "string"


def _cell(kind: str, value: str, line: int) -> Any:
    trimmed = value.strip()
    if kind == "string":
        return value or None
    if not trimmed:
        return None
    if kind == "boolean":
        if trimmed in ("true", "false"):
            return trimmed == "true"
        raise _malformed_csv(
            f'Error parsing boolean "{value}" at line {line}: provided string was not '
            "`true` or `false`"
        )
    if _INTEGER.match(trimmed) and -(2**63) <= int(trimmed) < 2**63:
        return int(trimmed)
    if _FLOAT.match(trimmed):
        return float(trimmed)
    raise _malformed_csv(f'Error parsing number "{value}" at line {line}: invalid float literal')
