"""The one translation from a declaration to Meilisearch's settings wire format.

Declarations speak snake_case; Meilisearch speaks camelCase. Only keys that Meilisearch
defines are renamed: user data such as synonym words, attribute names and facet names keeps
its spelling. Families scrypath does not know get a camelCased name and an unchanged value.
Attribute sets Meilisearch treats as unordered are sorted so that the output is stable; the
searchable attributes keep the declared order, because Meilisearch ranks by it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from scrypath.declaration import Faceting, SearchSpec
from scrypath.index_settings import plain

_ENUM_VALUES = MappingProxyType(
    {
        "by_word": "byWord",
        "by_attribute": "byAttribute",
        "indexing_time": "indexingTime",
    }
)


def to_wire_key(name: str) -> str:
    """`max_total_hits` -> `maxTotalHits`; leading underscores and camelCase are kept."""
    stripped = name.lstrip("_")
    lead = name[: len(name) - len(stripped)]
    first, *rest = stripped.split("_")
    return lead + first + "".join(part[:1].upper() + part[1:] for part in rest)


def wire_settings(spec: SearchSpec) -> dict[str, Any]:
    """The full settings body for the spec's index, as Meilisearch's API expects it."""
    wire: dict[str, Any] = {
        "searchableAttributes": list(spec.fields),
        "filterableAttributes": list(spec.filter_attributes),
        "sortableAttributes": sorted(spec.sortable),
    }
    faceting = _faceting(spec.faceting)
    if faceting:
        wire["faceting"] = faceting
    for family, value in spec.settings.items():
        wire[to_wire_key(family)] = _TRANSLATIONS.get(family, plain)(value)
    return wire


def _faceting(faceting: Faceting | None) -> dict[str, Any]:
    if faceting is None:
        return {}
    wire: dict[str, Any] = {}
    if faceting.max_values_per_facet is not None:
        wire["maxValuesPerFacet"] = faceting.max_values_per_facet
    if faceting.sort_facet_values_by is not None:
        wire["sortFacetValuesBy"] = dict(faceting.sort_facet_values_by)
    return wire


def _camel_keys(value: Any) -> Any:
    """Rename mapping keys recursively; for families whose keys are all Meilisearch's own."""
    if isinstance(value, Mapping):
        return {to_wire_key(key): _camel_keys(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_camel_keys(item) for item in value]
    return value


def _enum_value(value: Any) -> Any:
    return _ENUM_VALUES.get(value, value) if isinstance(value, str) else value


_TRANSLATIONS: Mapping[str, Callable[[Any], Any]] = MappingProxyType(
    {
        "typo_tolerance": _camel_keys,
        "pagination": _camel_keys,
        "localized_attributes": _camel_keys,
        "proximity_precision": _enum_value,
        "prefix_search": _enum_value,
    }
)
