"""Request-body validation with Meilisearch's codes and wording.

Every parameter is checked for its JSON type, `null` standing for "not given".
Unknown fields are a `bad_request`, listing the accepted ones in Meilisearch's
order. Messages locate the value (`.limit`, `.queries[1].limit`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import MeiliError

STRATEGIES = ("last", "all", "frequency")


@dataclass(frozen=True, slots=True)
class Param:
    code: str
    kind: str


def _p(code: str, kind: str) -> Param:
    return Param(f"invalid_search_{code}", kind)


SEARCH_PARAMS: dict[str, Param] = {
    "q": _p("q", "string"),
    "offset": _p("offset", "uint"),
    "limit": _p("limit", "uint"),
    "page": _p("page", "uint"),
    "hitsPerPage": _p("hits_per_page", "uint"),
    "attributesToRetrieve": _p("attributes_to_retrieve", "strings"),
    "attributesToCrop": _p("attributes_to_crop", "strings"),
    "cropLength": _p("crop_length", "uint"),
    "cropMarker": _p("crop_marker", "string"),
    "attributesToHighlight": _p("attributes_to_highlight", "strings"),
    "highlightPreTag": _p("highlight_pre_tag", "string"),
    "highlightPostTag": _p("highlight_post_tag", "string"),
    "showMatchesPosition": _p("show_matches_position", "bool"),
    "filter": _p("filter", "any"),
    "sort": _p("sort", "strings"),
    "distinct": _p("distinct", "string"),
    "facets": _p("facets", "strings"),
    "matchingStrategy": _p("matching_strategy", "strategy"),
    "attributesToSearchOn": _p("attributes_to_search_on", "strings"),
    "rankingScoreThreshold": _p("ranking_score_threshold", "threshold"),
    "locales": _p("locales", "strings"),
    "hybrid": _p("hybrid_query", "object"),
    "vector": _p("vector", "numbers"),
    "retrieveVectors": _p("retrieve_vectors", "bool"),
    "media": _p("media", "any"),
    "personalize": _p("personalize", "object"),
    "useNetwork": _p("use_network", "bool"),
    "showRankingScore": _p("show_ranking_score", "bool"),
    "showRankingScoreDetails": _p("show_ranking_score_details", "bool"),
    "showPerformanceDetails": _p("show_performance_details", "bool"),
}

FACET_SEARCH_PARAMS: dict[str, Param] = {
    "facetQuery": Param("invalid_facet_search_query", "string"),
    "facetName": Param("invalid_facet_search_facet_name", "string"),
    "q": SEARCH_PARAMS["q"],
    "vector": SEARCH_PARAMS["vector"],
    "media": SEARCH_PARAMS["media"],
    "hybrid": SEARCH_PARAMS["hybrid"],
    "filter": SEARCH_PARAMS["filter"],
    "matchingStrategy": SEARCH_PARAMS["matchingStrategy"],
    "attributesToSearchOn": SEARCH_PARAMS["attributesToSearchOn"],
    "rankingScoreThreshold": SEARCH_PARAMS["rankingScoreThreshold"],
    "locales": SEARCH_PARAMS["locales"],
    "exhaustiveFacetCount": Param("invalid_facet_search_exhaustive_facet_count", "bool"),
    "useNetwork": SEARCH_PARAMS["useNetwork"],
}

_EXPECTED = {
    "string": "a string",
    "uint": "a positive integer",
    "bool": "a boolean",
    "strings": "an array",
    "threshold": "a number",
    "strategy": "a string",
    "object": "an object",
}


def dump(value: Any) -> str:
    """`value` as compact JSON, the way Meilisearch quotes values in messages."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def describe(value: Any) -> str:
    """`a string: \\`"x"\\``: a JSON value's kind and text, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        kind = "a boolean"
    elif isinstance(value, int):
        kind = "a positive integer" if value >= 0 else "a negative integer"
    elif isinstance(value, float):
        kind = "a number"
    elif isinstance(value, str):
        kind = "a string"
    elif isinstance(value, list):
        kind = "an array"
    else:
        kind = "an object"
    return f"{kind}: `{dump(value)}`"


def type_error(code: str, path: str, expected: str, value: Any) -> MeiliError:
    return MeiliError(
        code, f"Invalid value type at `{path}`: expected {expected}, but found {describe(value)}"
    )


def check_object(body: Any, where: str, code: str = "bad_request") -> Mapping[str, Any]:
    if isinstance(body, dict):
        return body
    at = f" at `{where}`" if where else ""
    raise MeiliError(
        code, f"Invalid value type{at}: expected an object, but found {describe(body)}"
    )


def check_fields(body: Mapping[str, Any], accepted: list[str], where: str) -> None:
    for key in body:
        if key not in accepted:
            inside = f" inside `{where}`" if where else ""
            listed = ", ".join(f"`{name}`" for name in accepted)
            raise MeiliError(
                "bad_request", f"Unknown field `{key}`{inside}: expected one of {listed}"
            )


def validate(
    body: Any, params: Mapping[str, Param], where: str = "", extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Type-check `body` against `params`; returns the given, non-null values."""
    obj = check_object(body, where)
    check_fields(obj, [*params, *extra], where)
    clean: dict[str, Any] = {}
    for key, value in obj.items():
        if key in extra or value is None:
            continue
        clean[key] = check_value(value, params[key], f"{where}.{key}")
    return clean


def check_value(value: Any, param: Param, path: str) -> Any:
    kind = param.kind
    if kind == "any":
        return value
    if kind in ("strings", "numbers"):
        return _items(value, param.code, path, kind)
    if kind == "threshold":
        return _threshold(value, param.code, path)
    if not _is_kind(value, kind):
        raise type_error(param.code, path, _EXPECTED[kind], value)
    if kind == "strategy" and value not in STRATEGIES:
        listed = ", ".join(f"`{s}`" for s in STRATEGIES)
        raise MeiliError(
            param.code, f"Unknown value `{value}` at `{path}`: expected one of {listed}"
        )
    return value


def _is_kind(value: Any, kind: str) -> bool:
    if kind in ("string", "strategy"):
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _items(value: Any, code: str, path: str, kind: str) -> list[Any]:
    if not isinstance(value, list):
        raise type_error(code, path, "an array", value)
    item_kind = "string" if kind == "strings" else "number"
    for index, item in enumerate(value):
        if not _is_kind(item, item_kind):
            raise type_error(code, f"{path}[{index}]", f"a {item_kind}", item)
    return list(value)


def _threshold(value: Any, code: str, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise type_error(code, path, "a number", value)
    if not 0.0 <= value <= 1.0:
        name = path.rsplit(".", 1)[-1]
        raise MeiliError(
            code,
            f"Invalid value at `{path}`: the value of `{name}` is invalid, expected a float "
            "between `0.0` and `1.0`.",
        )
    return float(value)


def refuse_vectors(params: Mapping[str, Any]) -> None:
    """The fake leaves vector, hybrid, multimodal and personalized search out.

    `retrieveVectors` is served: hits then show the documents' own `_vectors`.
    """
    if "hybrid" in params:
        hybrid = params["hybrid"]
        raise MeiliError(
            "invalid_search_embedder",
            f"Cannot find embedder with name `{hybrid.get('embedder')}`: the fake Meilisearch "
            "leaves vectors and embedders out.",
        )
    refused = {
        "vector": "invalid_search_vector",
        "media": "invalid_search_media",
        "personalize": "invalid_search_personalize",
    }
    for key, code in refused.items():
        if key in params:
            raise MeiliError(
                code,
                "The fake Meilisearch leaves vector, multimodal and personalized search out: "
                f"`{key}` cannot be used.",
            )
