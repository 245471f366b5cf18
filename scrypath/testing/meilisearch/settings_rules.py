"""Checks for the rule-shaped settings: ranking rules, filterable and localized attributes."""

from __future__ import annotations

from typing import Any

from .errors import MeiliError
from .settings_checks import flag, string_list, text
from .wire import child, invalid_value, missing_field, reject_unknown, require_object, type_error
from .wire import unknown_value as _unknown_value

BUILTIN_RULES = (
    "words",
    "typo",
    "proximity",
    "attribute",
    "attributeRank",
    "wordPosition",
    "sort",
    "exactness",
)
_RESERVED = ("_geo", "_geojson", "_geoDistance", "_geoPolygon")

_LOCALE_CODES = (
    "af ak am ar az be bn bg ca cs da de el en eo et fi fr gu he hi hr hu hy id it jv ja "
    "kn ka km ko la lv lt ml mr mk my ne nl nb or pa fa pl pt ro ru si sk sl sn es sr sv "
    "ta te tl th tk tr uk ur uz vi yi zh zu afr aka amh ara aze bel ben bul cat ces dan "
    "deu ell eng epo est fin fra guj heb hin hrv hun hye ind ita jav jpn kan kat khm kor "
    "lat lav lit mal mar mkd mya nep nld nob ori pan pes pol por ron rus sin slk slv sna "
    "spa srp swe tam tel tgl tha tuk tur ukr urd uzb vie yid zho zul cmn"
)
LOCALES = tuple(_LOCALE_CODES.split())


def ranking_rules(value: Any, path: str, code: str) -> list[str]:
    rules = string_list(value, path, code)
    for i, rule in enumerate(rules):
        problem = _rule_problem(rule)
        if problem:
            raise invalid_value(code, child(path, i), problem)
    if "attribute" in rules and ("attributeRank" in rules or "wordPosition" in rules):
        raise MeiliError(
            code,
            "Mixed usage of the attribute, attributeRank, and wordPosition ranking rules. You "
            "must either use the attribute ranking rule alone or the attributeRank and "
            "wordPosition ranking rules.",
        )
    return rules


def _rule_problem(rule: str) -> str | None:
    if rule in BUILTIN_RULES:
        return None
    field, _, direction = rule.rpartition(":")
    if not field or direction not in ("asc", "desc"):
        return (
            f"`{rule}` ranking rule is invalid. Valid ranking rules are words, typo, sort, "
            "proximity, attribute, exactness and custom ranking rules."
        )
    reserved = "`{0}` is a reserved keyword and thus can't be used as a ranking rule"
    only = ". `{0}` can only be used for {1} at search time"
    if field.startswith("_geoPoint("):
        return reserved.format("_geoPoint") + only.format("_geoPoint", "sorting")
    for name in ("_geoRadius", "_geoBoundingBox"):
        if field.startswith(name):
            return reserved.format(name) + only.format(name, "filtering")
    if field in _RESERVED:
        return reserved.format(field)
    return None


def filterable_attributes(value: Any, path: str, code: str) -> list[Any]:
    if not isinstance(value, list):
        raise type_error(code, path, value, "array")
    return [_filterable_rule(item, child(path, i), code) for i, item in enumerate(value)]


def _filterable_rule(value: Any, path: str, code: str) -> Any:
    if not isinstance(value, dict):
        return text(value, path, code)
    reject_unknown(code, value, ("attributePatterns", "features"), path)
    if "attributePatterns" not in value:
        raise missing_field(code, "attributePatterns", path)
    patterns = string_list(value["attributePatterns"], child(path, "attributePatterns"), code)
    features = _features(value.get("features", {}), child(path, "features"), code)
    return {"attributePatterns": patterns, "features": features}


def _features(value: Any, path: str, code: str) -> dict[str, Any]:
    obj = require_object(code, value, path)
    reject_unknown(code, obj, ("facetSearch", "filter"), path)
    facet_search = flag(obj.get("facetSearch", False), child(path, "facetSearch"), code)
    filter_path = child(path, "filter")
    filters = require_object(code, obj.get("filter", {}), filter_path)
    reject_unknown(code, filters, ("equality", "comparison"), filter_path)
    return {
        "facetSearch": facet_search,
        "filter": {
            "equality": flag(filters.get("equality", True), child(filter_path, "equality"), code),
            "comparison": flag(
                filters.get("comparison", False), child(filter_path, "comparison"), code
            ),
        },
    }


def localized_attributes(value: Any, path: str, code: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise type_error(code, path, value, "array")
    return [_localized_rule(item, child(path, i), code) for i, item in enumerate(value)]


def _localized_rule(value: Any, path: str, code: str) -> dict[str, Any]:
    obj = require_object(code, value, path)
    reject_unknown(code, obj, ("attributePatterns", "locales"), path)
    for name in ("attributePatterns", "locales"):
        if name not in obj:
            raise missing_field(code, name, path)
    locales = string_list(obj["locales"], child(path, "locales"), code)
    for i, locale in enumerate(locales):
        if locale not in LOCALES:
            raise _unknown_value(code, locale, LOCALES, child(child(path, "locales"), i))
    patterns = string_list(obj["attributePatterns"], child(path, "attributePatterns"), code)
    return {"attributePatterns": patterns, "locales": locales}
