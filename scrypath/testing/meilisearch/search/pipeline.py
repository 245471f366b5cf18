"""One query against one index: checks that need the index, matching, ranking.

Stages, in order: the filter, the searched fields, the query's candidates, the
ranking rules (with `sort`), the score threshold, then distinct. The result keeps
the candidates lazily ordered, so that a page only ranks what it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Set
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from ..errors import MeiliError
from .config import Config
from .fields import is_under
from .filter_eval import evaluate_filter
from .hits import Fields
from .matching import Matched, match, searched_fields
from .query import parse_query
from .ranking import Ranker, build_rules
from .rules import is_filterable, matching_rule, patterns_where
from .store import DocumentStore
from .timing import Stopwatch
from .tokens import normalize_facet


@dataclass(slots=True)
class Run:
    """The outcome of one query: ordered candidates, their count and their scorer."""

    matched: Matched
    ranker: Ranker
    ordered: Iterator[int]
    kept: Set[int]

    @property
    def total(self) -> int:
        return len(self.kept)


def run_query(
    store: DocumentStore,
    config: Config,
    given: dict[str, Any],
    index_uid: str,
    *,
    eager: bool = False,
    watch: Stopwatch | None = None,
) -> Run:
    """Everything a search does before presenting hits. The store lock must be held.

    With `eager`, every candidate is ranked by every rule up front: the reference order
    that the lazy bucket sort must reproduce. `watch` times the stages.
    """
    watch = watch or Stopwatch("search")
    prefix = f"Index `{index_uid}`: "
    expression = given.get("filter")
    with watch.stage("evaluate filter") if expression is not None else nullcontext():
        universe = evaluate_filter(
            store, config, expression, error_code="invalid_search_filter", index_uid=index_uid
        )
    with watch.stage("tokenize query"):
        fields = _searched(store, config, given.get("attributesToSearchOn"), prefix)
        query = parse_query(given.get("q"), config)
    with watch.stage("evaluate query"):
        matched = match(query, store, fields, universe, given.get("matchingStrategy", "last"))
    sort = parse_sort(given.get("sort"), config, prefix)
    rules = build_rules(config, sort, query.placeholder)
    ranker = Ranker(store, matched, fields, rules, by_attribute=config.proximity_by_attribute)
    distinct = _distinct_field(given.get("distinct"), config, prefix)
    with watch.stage(ranking_stage(query.placeholder)):
        return _ranked(store, given, matched, ranker, distinct, eager=eager)


def ranking_stage(placeholder: bool) -> str:
    """The `performanceDetails` name of the ranking stage."""
    return "placeholder search" if placeholder else "keyword ranking"


def _ranked(
    store: DocumentStore,
    given: dict[str, Any],
    matched: Matched,
    ranker: Ranker,
    distinct: str | None,
    *,
    eager: bool,
) -> Run:
    """Candidates past the score threshold, ordered (lazily unless `eager`), then distinct."""
    candidates: Set[int] = matched.candidates
    threshold = given.get("rankingScoreThreshold")
    if threshold is not None:
        candidates = {doc for doc in candidates if ranker.score(doc) >= threshold}
    ranked = iter(ranker.order_eager(candidates)) if eager else ranker.order(candidates)
    if distinct is None:
        return Run(matched, ranker, ranked, candidates)
    ordered = list(distinct_only(ranked, store, distinct))
    return Run(matched, ranker, iter(ordered), set(ordered))


def _searched(
    store: DocumentStore, config: Config, restrict: list[str] | None, prefix: str
) -> Fields:
    fields = searched_fields(store, config, None)
    if restrict is None:
        return fields
    names = sorted(store.fields.names[fid] for fid in fields.weights)
    for attribute in restrict:
        if not any(is_under(name, attribute) for name in names):
            raise MeiliError(
                "invalid_search_attributes_to_search_on",
                f"{prefix}Attribute `{attribute}` is not searchable. Available searchable "
                f"attributes are: `{', '.join(names)}`.",
            )
    return searched_fields(store, config, restrict)


def parse_sort(sort: list[str] | None, config: Config, prefix: str) -> list[tuple[str, bool]]:
    """`field:asc` / `field:desc` criteria, checked against `sortableAttributes`."""
    criteria = [_criterion(text) for text in sort or ()]
    if criteria and "sort" not in config.ranking_rules:
        raise MeiliError(
            "invalid_search_sort",
            f"{prefix}You must specify where `sort` is listed in the rankingRules setting to "
            "use the sort parameter at search time.",
        )
    for field, _ in criteria:
        if not any(is_under(field, s) for s in config.sortable):
            raise _not_sortable(field, config, prefix)
    return criteria


def _criterion(text: str) -> tuple[str, bool]:
    if text.startswith("_geoPoint("):
        raise MeiliError(
            "invalid_search_sort",
            f"The fake Meilisearch does not support geo sort: `{text}` cannot be used.",
        )
    field, _, direction = text.rpartition(":")
    if not field or direction not in ("asc", "desc"):
        raise MeiliError(
            "invalid_search_sort",
            "Invalid syntax for the sort parameter: expected expression ending by `:asc` or "
            f"`:desc`, found `{text}`.",
        )
    if field in ("_geo", "_geoDistance"):
        hint = (
            " Use the _geoPoint(latitude, longitude) built-in rule to sort on _geo field "
            "coordinates."
            if field == "_geo"
            else ""
        )
        raise MeiliError(
            "invalid_search_sort",
            f"`{field}` is a reserved keyword and thus can't be used as a sort expression.{hint}",
        )
    return field, direction == "asc"


def _not_sortable(field: str, config: Config, prefix: str) -> MeiliError:
    if config.sortable:
        tail = f"Available sortable attributes are: `{', '.join(sorted(config.sortable))}`."
    else:
        tail = "This index does not have configured sortable attributes."
    return MeiliError("invalid_search_sort", f"{prefix}Attribute `{field}` is not sortable. {tail}")


def _distinct_field(asked: str | None, config: Config, prefix: str) -> str | None:
    if asked is None:
        return config.distinct
    if is_filterable(asked, config.filter_rules):
        return asked
    found = matching_rule(asked, config.filter_rules)
    if found is not None:
        index = found[0]
        tail = (
            f"Note: this attribute matches rule #{index} in filterableAttributes, but this rule "
            f"does not enable filtering.\nHint: enable filtering in rule #{index} by adding "
            f"appropriate filter features.\nHint: prepend another rule matching {asked} with "
            f"filter features before rule #{index}"
        )
    else:
        patterns = patterns_where(config.filter_rules, lambda rule: rule.filterable)
        tail = (
            f"Available filterable attributes patterns are: `{', '.join(patterns)}`."
            if patterns
            else "This index does not have configured filterable attributes."
        )
    return _raise_distinct(asked, prefix, tail)


def _raise_distinct(field: str, prefix: str, tail: str) -> str:
    raise MeiliError(
        "invalid_search_distinct",
        f"{prefix}Attribute `{field}` is not filterable and thus, cannot be used as distinct "
        f"attribute. {tail}",
    )


def distinct_only(ordered: Iterable[int], store: DocumentStore, field: str) -> Iterator[int]:
    """Keep the first document of each value of `field`; documents without it all stay."""
    seen: set[tuple[str, Any]] = set()
    for doc in ordered:
        keys = {k for v in store.values(doc, field) if (k := distinct_key(v)) is not None}
        if not keys:
            yield doc
        elif not keys & seen:
            seen |= keys
            yield doc


def distinct_key(value: Any) -> tuple[str, Any] | None:
    """The identity of a value for `distinct`: normalized strings, numbers as floats."""
    if isinstance(value, bool):
        return "s", "true" if value else "false"
    if isinstance(value, int | float):
        return "n", float(value)
    if isinstance(value, str):
        return "s", normalize_facet(value)
    return None
