"""`GET /indexes/{uid}/search`: query-string parameters to the POST body they stand for.

Lists are comma-separated, numbers and booleans are parsed with Meilisearch's
query-parameter messages, and `filter` is read as JSON when it parses as JSON (the
array form) and as a filter string otherwise.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import MeiliError
from .params import SEARCH_PARAMS, STRATEGIES

_LISTS = (
    "attributesToRetrieve",
    "attributesToCrop",
    "attributesToHighlight",
    "facets",
    "attributesToSearchOn",
    "locales",
)
_INTS = ("offset", "limit", "page", "hitsPerPage", "cropLength")
_BOOLS = (
    "showMatchesPosition",
    "retrieveVectors",
    "useNetwork",
    "showRankingScore",
    "showRankingScoreDetails",
    "showPerformanceDetails",
)
_STRINGS = ("q", "cropMarker", "highlightPreTag", "highlightPostTag", "distinct")
ACCEPTED = (
    "q",
    "offset",
    "limit",
    "page",
    "hitsPerPage",
    "attributesToRetrieve",
    "attributesToCrop",
    "cropLength",
    "cropMarker",
    "attributesToHighlight",
    "highlightPreTag",
    "highlightPostTag",
    "showMatchesPosition",
    "filter",
    "sort",
    "distinct",
    "facets",
    "matchingStrategy",
    "attributesToSearchOn",
    "rankingScoreThreshold",
    "locales",
    "hybridEmbedder",
    "hybridSemanticRatio",
    "vector",
    "retrieveVectors",
    "personalizeUserContext",
    "useNetwork",
    "showRankingScore",
    "showRankingScoreDetails",
    "showPerformanceDetails",
)


def params_from_query_string(query: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The search body equivalent to a parsed query string (`parse_qs` shape)."""
    raw = {key: values[-1] for key, values in query.items() if values}
    for key in raw:
        if key not in ACCEPTED:
            listed = ", ".join(f"`{name}`" for name in ACCEPTED)
            raise MeiliError("bad_request", f"Unknown parameter `{key}`: expected one of {listed}")
    params: dict[str, Any] = {}
    for key, text in raw.items():
        _convert(key, text, params)
    _hybrid(raw, params)
    return params


def _convert(key: str, text: str, params: dict[str, Any]) -> None:
    if key in _STRINGS:
        params[key] = text
    elif key in _INTS:
        params[key] = _int(key, text)
    elif key in _BOOLS:
        params[key] = _bool(key, text)
    elif key in _LISTS:
        params[key] = [part.strip() for part in text.split(",") if part.strip()]
    elif key == "sort":
        params[key] = [part.strip() for part in text.strip('"').split(",") if part.strip()]
    elif key == "filter":
        params[key] = _filter(text)
    elif key == "matchingStrategy":
        params[key] = _strategy(text)
    elif key == "rankingScoreThreshold":
        params[key] = _threshold(text)
    elif key == "vector":
        params[key] = [_float(key, part, "invalid_search_vector") for part in text.split(",")]
    elif key == "personalizeUserContext":
        params["personalize"] = {"userContext": text}


def _code(key: str) -> str:
    return SEARCH_PARAMS[key].code


def _int(key: str, text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise MeiliError(
            _code(key),
            f"Invalid value in parameter `{key}`: could not parse `{text}` as a positive integer",
        )
    return int(text)


def _bool(key: str, text: str) -> bool:
    if text not in ("true", "false"):
        raise MeiliError(
            _code(key),
            f"Invalid value in parameter `{key}`: could not parse `{text}` as a boolean, "
            "expected either `true` or `false`",
        )
    return text == "true"


def _float(key: str, text: str, code: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise MeiliError(
            code, f"Invalid value in parameter `{key}`: could not parse `{text}` as a float"
        )
    return value


def _filter(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _strategy(text: str) -> str:
    if text not in STRATEGIES:
        listed = ", ".join(f"`{s}`" for s in STRATEGIES)
        raise MeiliError(
            _code("matchingStrategy"),
            f"Unknown value `{text}` for parameter `matchingStrategy`: expected one of {listed}",
        )
    return text


def _threshold(text: str) -> float:
    code = _code("rankingScoreThreshold")
    value = _float("rankingScoreThreshold", text, code)
    if not 0.0 <= value <= 1.0:
        raise MeiliError(
            code,
            "Invalid value in parameter `rankingScoreThreshold`: the value of "
            "`rankingScoreThreshold` is invalid, expected a float between `0.0` and `1.0`.",
        )
    return value


def _hybrid(raw: Mapping[str, str], params: dict[str, Any]) -> None:
    embedder, ratio = raw.get("hybridEmbedder"), raw.get("hybridSemanticRatio")
    if ratio is not None and embedder is None:
        raise MeiliError(
            "invalid_search_hybrid_query",
            "`hybridEmbedder` is mandatory when `hybridSemanticRatio` is present",
        )
    if embedder is not None:
        params["hybrid"] = {"embedder": embedder}
