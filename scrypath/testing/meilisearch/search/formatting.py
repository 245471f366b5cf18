"""Turning a stored document into a hit: retrieved fields, `_formatted`, `_matchesPosition`.

Hits show `attributesToRetrieve` within `displayedAttributes`, and `_vectors` only
with `retrieveVectors` (whatever `attributesToRetrieve` says). `_formatted` holds the
same fields (never `_vectors`) plus those asked for highlighting or cropping, with
numbers as strings; highlighting wraps matched words (only the matched part of a
prefix), cropping keeps `cropLength` words around the first match. Match positions
are in bytes, like Meilisearch's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .fields import is_under, leaves, select
from .postings import VECTORS
from .tokens import Token, Tokenizer, fold, text_of


@dataclass(frozen=True, slots=True)
class Formatting:
    """What a request asks of its hits' presentation."""

    displayed: tuple[str, ...]
    retrieve: tuple[str, ...]
    highlight: tuple[str, ...] | None
    crop: dict[str, int] | None
    crop_marker: str
    pre_tag: str
    post_tag: str
    matches_position: bool
    tokenizer: Tokenizer
    matches: dict[str, int | None]
    vectors: bool = False

    @property
    def formatted(self) -> bool:
        return self.highlight is not None or self.crop is not None


def crop_lengths(attributes: list[str] | None, default: int) -> dict[str, int] | None:
    """`attr` or `attr:length` entries of `attributesToCrop`, with their lengths."""
    if attributes is None:
        return None
    lengths: dict[str, int] = {}
    for item in attributes:
        name, _, size = item.rpartition(":")
        if name and size.isdigit():
            lengths[name] = int(size)
        else:
            lengths[item] = default
    return lengths


def make_hit(document: dict[str, Any], spec: Formatting) -> dict[str, Any]:
    visible = select(document, spec.displayed)
    vectors = visible.pop(VECTORS, None)
    hit = select(visible, spec.retrieve)
    if spec.vectors and isinstance(vectors, dict):
        hit[VECTORS] = {name: embeddings(value) for name, value in vectors.items()}
    if spec.formatted:
        hit["_formatted"] = _formatted(visible, spec)
    if spec.matches_position:
        hit["_matchesPosition"] = _positions(visible, spec)
    return hit


def embeddings(value: Any) -> dict[str, Any]:
    """A user-provided `_vectors` entry in the shape search hits show it."""
    if isinstance(value, dict):
        found = value.get("embeddings")
        regenerate = bool(value.get("regenerate", False))
    else:
        found, regenerate = value, False
    if found is None:
        vectors: list[Any] = []
    elif isinstance(found, list) and found and not isinstance(found[0], list):
        vectors = [found]
    else:
        vectors = list(found) if isinstance(found, list) else [found]
    return {"embeddings": vectors, "regenerate": regenerate}


def _named(path: str, attributes: tuple[str, ...] | list[str]) -> bool:
    return any(a == "*" or is_under(path, a) for a in attributes)


def _formatted(visible: dict[str, Any], spec: Formatting) -> dict[str, Any]:
    extra = [*(spec.highlight or ()), *(spec.crop or {})]
    wanted = [*spec.retrieve, *extra]
    picked = select(visible, wanted)
    return {key: _transform(value, key, spec) for key, value in picked.items()}


def _transform(value: Any, path: str, spec: Formatting) -> Any:
    if isinstance(value, dict):
        return {k: _transform(v, f"{path}.{k}" if path else k, spec) for k, v in value.items()}
    if isinstance(value, list):
        return [_transform(v, path, spec) for v in value]
    text = text_of(value)
    if text is None:
        return value
    highlight = spec.highlight is not None and _named(path, spec.highlight)
    length = _crop_length(path, spec.crop)
    return render(text, spec, highlight=highlight, crop=length)


def _crop_length(path: str, crop: dict[str, int] | None) -> int | None:
    if crop is None:
        return None
    for name, length in crop.items():
        if name == "*" or is_under(path, name):
            return length
    return None


def match_length(token: Token, matches: dict[str, int | None]) -> int | None:
    """How many folded letters of `token` matched the query (None when none did)."""
    if token.word not in matches:
        return None
    prefix = matches[token.word]
    return len(token.word) if prefix is None else prefix


def render(text: str, spec: Formatting, *, highlight: bool, crop: int | None) -> str:
    """`text` cropped and/or highlighted."""
    tokens = spec.tokenizer.tokens(text)
    start, end = 0, len(text)
    head = tail = ""
    if crop is not None:
        first, last = _crop_window(tokens, crop, spec.matches)
        if first is None or last is None:
            return ""
        start, end = tokens[first].start, tokens[last].end
        head = spec.crop_marker if first > 0 else ""
        tail = spec.crop_marker if last < len(tokens) - 1 else ""
        tokens = tokens[first : last + 1]
    if not highlight:
        return head + text[start:end] + tail
    return head + _highlighted(text, start, end, tokens, spec) + tail


def _crop_window(
    tokens: list[Token], length: int, matches: dict[str, int | None]
) -> tuple[int | None, int | None]:
    if not tokens or length <= 0:
        return None, None
    if len(tokens) <= length:
        return 0, len(tokens) - 1
    hit = next((i for i, t in enumerate(tokens) if match_length(t, matches) is not None), 0)
    first = max(0, min(hit - length // 2, len(tokens) - length))
    return first, first + length - 1


def _highlighted(text: str, start: int, end: int, tokens: list[Token], spec: Formatting) -> str:
    parts: list[str] = []
    cursor = start
    for token in tokens:
        matched = match_length(token, spec.matches)
        if matched is None:
            continue
        stop = token.start + _original_length(text[token.start : token.end], matched)
        parts += [text[cursor : token.start], spec.pre_tag, text[token.start : stop], spec.post_tag]
        cursor = stop
    parts.append(text[cursor:end])
    return "".join(parts)


def _original_length(original: str, folded_length: int) -> int:
    for size in range(1, len(original) + 1):
        if len(fold(original[:size])) >= folded_length:
            return size
    return len(original)


def _positions(visible: dict[str, Any], spec: Formatting) -> dict[str, list[dict[str, int]]]:
    found: dict[str, list[dict[str, int]]] = {}
    for path, value in leaves(visible):
        text = text_of(value) if isinstance(value, str | int | float) else None
        if text is None:
            continue
        for token in spec.tokenizer.tokens(text):
            matched = match_length(token, spec.matches)
            if matched is None:
                continue
            stop = token.start + _original_length(text[token.start : token.end], matched)
            found.setdefault(path, []).append(
                {
                    "start": len(text[: token.start].encode()),
                    "length": len(text[token.start : stop].encode()),
                }
            )
    return found
