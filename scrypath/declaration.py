"""Declare a SQLAlchemy model searchable, and read the declaration back.

`@searchable(fields=[...], ...)` checks everything it can when the class is decorated, so
a typo fails at import time instead of as a failed task in production. It records metadata
only: no ORM events are installed and the mappers are not configured.

Names a declaration may use (in `fields`, `filterable`, `sortable`, facets, `tenant_field`,
`document_id`) are attributes of the model: a mapped column (including a `column_property`),
a hybrid property, or a plain Python `property` / `functools.cached_property`. Relationships,
methods and unknown names are rejected, because a document holds JSON values; compute such
values in a property or in the `search_document` hook. Every filterable, sortable, faceted
or tenant field is always projected into the document, declared in `fields` or not.

The index name is the explicit `index`, or else a prefix (the declaration's `index_prefix`,
else the configured one) followed by the table name. It must match Meilisearch's index uid
rule, `[A-Za-z0-9_-]{1,400}`.
"""

from __future__ import annotations

import difflib
import functools
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import (
    ColumnProperty,
    CompositeProperty,
    Mapper,
    RelationshipProperty,
    SynonymProperty,
)

from scrypath.config import resolve
from scrypath.errors import (
    ConfigurationError,
    NotSearchableError,
    ScrypathWarning,
)
from scrypath.index_settings import (
    SettingsScope,
    count,
    fail,
    name_list,
    plain,
    unknown_families,
    validate_settings,
)

_ModelT = TypeVar("_ModelT", bound=type[Any])

INDEX_UID = re.compile(r"[A-Za-z0-9_-]{1,400}")
"""Meilisearch's rule for an index uid."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FACET_SORTS = ("alpha", "count")
_FACETING_KEYS = ("attributes", "max_values_per_facet", "sort_facet_values_by")
_PROPERTY_TYPES = (property, functools.cached_property, hybrid_property)
_PROPERTY_KINDS = (
    (RelationshipProperty, "relationship"),
    (CompositeProperty, "composite"),
    (SynonymProperty, "synonym"),
)


@dataclass(frozen=True, slots=True)
class Faceting:
    """Facets a model offers: which filterable attributes, how many values, in what order."""

    attributes: Sequence[str] = ()
    max_values_per_facet: int | None = None
    sort_facet_values_by: Mapping[str, str] | None = field(default=None, hash=False)


@dataclass(frozen=True, slots=True)
class SearchSpec:
    """The validated declaration of one searchable model; built only by `@searchable`."""

    model: type[Any]
    table: str
    fields: tuple[str, ...]
    document_id: str
    filterable: tuple[str, ...] = ()
    sortable: tuple[str, ...] = ()
    faceting: Faceting | None = None
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    index: str | None = None
    index_prefix: str | None = None
    tenant_field: str | None = None
    should_index: Callable[[Any], bool] | None = None
    search_document: Callable[[Any], Mapping[str, Any]] | None = None

    @property
    def model_name(self) -> str:
        """The model's class name, as errors and reports show it."""
        return self.model.__name__

    @property
    def facets(self) -> tuple[str, ...]:
        """The declared facet attributes, in declaration order."""
        return tuple(self.faceting.attributes) if self.faceting else ()

    @property
    def projected_fields(self) -> tuple[str, ...]:
        """`fields`, then every filterable, sortable, faceted or tenant field not yet listed."""
        extra = (*self.filterable, *self.sortable, *self.facets)
        if self.tenant_field is not None:
            extra = (*extra, self.tenant_field)
        return tuple(dict.fromkeys((*self.fields, *extra)))

    @property
    def filter_attributes(self) -> tuple[str, ...]:
        """Every attribute a filter may name: filterable, facets and the tenant field, sorted."""
        names = {*self.filterable, *self.facets}
        if self.tenant_field is not None:
            names.add(self.tenant_field)
        return tuple(sorted(names))

    def index_name(self, prefix: str | None = None) -> str:
        """The index uid: explicit `index`, else (own prefix, else `prefix`) + table name."""
        if self.index is not None:
            return self.index
        name = f"{self.index_prefix or prefix or ''}{self.table}"
        if not INDEX_UID.fullmatch(name):
            raise ConfigurationError(
                f"{self.model_name}: index name {name!r} breaks the uid rule "
                "[A-Za-z0-9_-]{1,400}; shorten the index prefix",
                model=self.model_name,
                key="index_prefix",
            )
        return name


class Registry:
    """Which models are searchable, and the guarantee that no two share an index."""

    def __init__(self) -> None:
        self._specs: dict[type[Any], SearchSpec] = {}

    def register(self, spec: SearchSpec) -> None:
        """Add a spec; declaring the same class again replaces its spec."""
        for other in self._specs.values():
            if other.model is not spec.model and _clash(spec, other):
                fail(
                    spec.model_name,
                    "index",
                    f"index {spec.index_name()!r} is already used by {other.model_name}"
                    + _reload_hint(spec.model, other.model),
                )
        self._specs[spec.model] = spec

    def unregister(self, model: type[Any]) -> None:
        """Forget a model; forgetting one that was never registered is not an error."""
        self._specs.pop(model, None)

    def get(self, model: type[Any]) -> SearchSpec | None:
        """The spec of `model` or of its nearest searchable base class."""
        for klass in model.__mro__:
            spec = self._specs.get(klass)
            if spec is not None:
                return spec
        return None

    def specs(self) -> tuple[SearchSpec, ...]:
        """Every registered spec, in registration order."""
        return tuple(self._specs.values())

    def index_names(self, prefix: str | None = None) -> dict[str, SearchSpec]:
        """Resolved index name -> spec; two models resolving to one name is an error."""
        names: dict[str, SearchSpec] = {}
        for spec in self._specs.values():
            name = spec.index_name(prefix)
            if name in names:
                fail(
                    spec.model_name,
                    "index",
                    f"index {name!r} is also used by {names[name].model_name}",
                )
            names[name] = spec
        return names

    def clear(self) -> None:
        """Forget every model."""
        self._specs.clear()

    @contextmanager
    def isolated(self, *, empty: bool = False) -> Iterator[Registry]:
        """Let a block declare models freely, then restore the registry as it was.

        With `empty=True` the block starts with no models at all, so it sees only its own.
        """
        saved = dict(self._specs)
        if empty:
            self._specs = {}
        try:
            yield self
        finally:
            self._specs = saved


registry = Registry()
"""The process-wide registry `@searchable` writes to."""


def _reload_hint(new: type[Any], old: type[Any]) -> str:
    if (new.__module__, new.__qualname__) != (old.__module__, old.__qualname__):
        return ""
    return " (an earlier definition of the same class; unregister it after a reload)"


def _clash(a: SearchSpec, b: SearchSpec) -> bool:
    fixed_a = a.index is not None or a.index_prefix is not None
    fixed_b = b.index is not None or b.index_prefix is not None
    if fixed_a and fixed_b:
        return a.index_name() == b.index_name()
    if not fixed_a and not fixed_b:
        return a.table == b.table
    return False


@dataclass(frozen=True, slots=True)
class _Options:
    fields: object
    filterable: object
    sortable: object
    faceting: object
    settings: object
    document_id: object
    index: object
    index_prefix: object
    tenant_field: object
    should_index: object
    search_document: object


def searchable(
    *,
    fields: Sequence[str],
    filterable: Sequence[str] = (),
    sortable: Sequence[str] = (),
    faceting: Faceting | Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    document_id: str | None = None,
    index: str | None = None,
    index_prefix: str | None = None,
    tenant_field: str | None = None,
    should_index: Callable[[Any], bool] | None = None,
    search_document: Callable[[Any], Mapping[str, Any]] | None = None,
) -> Callable[[_ModelT], _ModelT]:
    """Declare a mapped SQLAlchemy model searchable; every invalid option is a DeclarationError.

    `fields` lists the attributes projected into the document, in the order Meilisearch
    weighs them when searching. `should_index(record)` must return a bool; False keeps the
    record out of the index. `search_document(record)` returns values that extend or
    override the projected document.
    """
    options = _Options(
        fields,
        filterable,
        sortable,
        faceting,
        settings,
        document_id,
        index,
        index_prefix,
        tenant_field,
        should_index,
        search_document,
    )

    def decorate(model: _ModelT) -> _ModelT:
        spec = _build_spec(model, options)
        registry.register(spec)
        for family in unknown_families(spec.settings):
            warnings.warn(
                f"{spec.model_name}: settings family {family!r} is not known to scrypath; "
                "it is sent to Meilisearch unchecked",
                ScrypathWarning,
                stacklevel=2,
            )
        return model

    return decorate


def _build_spec(model: object, options: _Options) -> SearchSpec:
    """Validate the options against the model and freeze them into a `SearchSpec`."""
    mapper = _mapper(model)
    cls: type[Any] = mapper.class_
    name = cls.__name__
    resolve = functools.partial(_attributes, cls, mapper)
    fields = resolve(options.fields, "fields")
    if not fields:
        fail(name, "fields", "declare at least one field")
    filterable = resolve(options.filterable, "filterable")
    sortable = resolve(options.sortable, "sortable")
    tenant_field = _optional_attribute(cls, mapper, options.tenant_field, "tenant_field")
    document_id = _document_id(cls, mapper, options.document_id)
    faceting = _faceting(options.faceting, name, filterable)
    spec = SearchSpec(
        model=cls,
        table=_table(mapper, name),
        fields=fields,
        document_id=document_id,
        filterable=filterable,
        sortable=sortable,
        faceting=faceting,
        tenant_field=tenant_field,
        should_index=_hook(options.should_index, name, "should_index"),
        search_document=_hook(options.search_document, name, "search_document"),
    )
    scope = SettingsScope(name, frozenset({*spec.projected_fields, document_id}), document_id)
    return _with_index(replace(spec, settings=validate_settings(options.settings, scope)), options)


def _mapper(model: object) -> Mapper[Any]:
    name = getattr(model, "__name__", type(model).__name__)
    mapper = sa_inspect(model, raiseerr=False) if isinstance(model, type) else None
    if not isinstance(mapper, Mapper):
        fail(str(name), "model", "@searchable needs a mapped SQLAlchemy declarative class")
    return mapper


def _attributes(cls: type[Any], mapper: Mapper[Any], value: object, option: str) -> tuple[str, ...]:
    names = name_list(value, cls.__name__, option)
    for name in names:
        _check_attribute(cls, mapper, name, option)
    return names


def _optional_attribute(
    cls: type[Any], mapper: Mapper[Any], value: object, option: str
) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        fail(cls.__name__, option, f"expected an attribute name, got {value!r}")
    return _attributes(cls, mapper, [value], option)[0]


def _check_attribute(cls: type[Any], mapper: Mapper[Any], name: str, option: str) -> None:
    if not _IDENTIFIER.fullmatch(name):
        fail(cls.__name__, option, f"{name!r} is not a Python attribute name")
    if mapper.has_property(name):
        prop = mapper.get_property(name)
        if not isinstance(prop, ColumnProperty):
            fail(
                cls.__name__,
                option,
                f"{name!r} is a {_kind(prop)}, not a column or property; "
                "compute a JSON value in a property or in search_document",
            )
        return
    for klass in cls.__mro__:
        if name in vars(klass):
            if isinstance(vars(klass)[name], _PROPERTY_TYPES):
                return
            fail(cls.__name__, option, f"{name!r} is not a mapped column or a property")
    fail(
        cls.__name__,
        option,
        f"{name!r} is not an attribute of {cls.__name__}"
        + _suggestion(name, list(mapper.columns.keys())),
    )


def _kind(prop: object) -> str:
    for kind, name in _PROPERTY_KINDS:
        if isinstance(prop, kind):
            return name
    return "mapped property"


def _suggestion(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _document_id(cls: type[Any], mapper: Mapper[Any], value: object) -> str:
    if value is not None:
        if not isinstance(value, str):
            fail(cls.__name__, "document_id", f"expected an attribute name, got {value!r}")
        return _attributes(cls, mapper, [value], "document_id")[0]
    keys = mapper.primary_key
    if len(keys) != 1:
        fail(
            cls.__name__,
            "document_id",
            f"the primary key has {len(keys)} columns; name the attribute that identifies "
            "a document with document_id=",
        )
    return mapper.get_property_by_column(keys[0]).key


def _table(mapper: Mapper[Any], model: str) -> str:
    name = getattr(mapper.local_table, "name", None)
    if not isinstance(name, str):
        fail(model, "index", "the model has no table name; pass index=")
    return name


def _hook(value: object, model: str, option: str) -> Any:
    if value is not None and not callable(value):
        fail(model, option, f"expected a callable taking the record, got {value!r}")
    return value


def _with_index(spec: SearchSpec, options: _Options) -> SearchSpec:
    index, prefix = options.index, options.index_prefix
    if index is not None and prefix is not None:
        fail(spec.model_name, "index", "pass index= or index_prefix=, not both")
    if index is not None:
        return replace(spec, index=_uid(index, spec.model_name, "index"))
    if prefix is not None:
        checked = _uid(prefix, spec.model_name, "index_prefix")
        _uid(f"{checked}{spec.table}", spec.model_name, "index_prefix")
        return replace(spec, index_prefix=checked)
    _uid(spec.table, spec.model_name, "index")
    return spec


def _uid(value: object, model: str, option: str) -> str:
    if not isinstance(value, str) or not INDEX_UID.fullmatch(value):
        fail(model, option, f"{value!r} breaks the index uid rule [A-Za-z0-9_-]{{1,400}}")
    return value


def _faceting(value: object, model: str, filterable: tuple[str, ...]) -> Faceting | None:
    if value is None:
        return None
    source = _faceting_source(value, model)
    attributes = name_list(source.get("attributes", ()), model, "faceting.attributes")
    for name in attributes:
        if name not in filterable:
            fail(model, "faceting.attributes", f"facet {name!r} must also be declared filterable")
    limit = source.get("max_values_per_facet")
    if limit is not None:
        limit = count(limit, model, "faceting.max_values_per_facet", minimum=1)
    order = _facet_order(source.get("sort_facet_values_by"), model, attributes)
    return Faceting(attributes, limit, order)


def _faceting_source(value: object, model: str) -> Mapping[str, object]:
    if isinstance(value, Faceting):
        return {key: getattr(value, key) for key in _FACETING_KEYS}
    if not isinstance(value, Mapping):
        fail(model, "faceting", f"expected Faceting(...) or a mapping, got {value!r}")
    for key in value:
        if key not in _FACETING_KEYS:
            fail(model, "faceting", f"unknown key {key!r}; allowed: {', '.join(_FACETING_KEYS)}")
    return value


def _facet_order(
    value: object, model: str, attributes: tuple[str, ...]
) -> Mapping[str, str] | None:
    option = "faceting.sort_facet_values_by"
    if value is None:
        return None
    if isinstance(value, str):
        value = {"*": value}
    if not isinstance(value, Mapping):
        fail(model, option, f"expected {{'*': 'alpha'|'count'}} or per facet, got {value!r}")
    for key, order in value.items():
        if key != "*" and key not in attributes:
            fail(model, option, f"{key!r} is not a declared facet")
        if order not in _FACET_SORTS:
            fail(model, option, f"{key!r}: expected 'alpha' or 'count', got {order!r}")
    return MappingProxyType(dict(value))


def spec_for(model: object) -> SearchSpec:
    """The spec of a searchable model class (or of a record's class)."""
    cls = model if isinstance(model, type) else type(model)
    spec = registry.get(cls)
    if spec is None:
        raise NotSearchableError(
            f"{cls.__name__} is not searchable; decorate it with @searchable(fields=[...])",
            model=cls,
        )
    return spec


def is_searchable(model: object) -> bool:
    """Whether a model class (or a record's class) has a searchable declaration."""
    cls = model if isinstance(model, type) else type(model)
    return registry.get(cls) is not None


def describe(model: object, *, index_prefix: str | None = None) -> dict[str, Any]:
    """The declaration as plain JSON data, with the index name resolved as sync would."""
    spec = spec_for(model)
    prefix = index_prefix if index_prefix is not None else resolve().index_prefix
    return {
        "model": spec.model_name,
        "table": spec.table,
        "index": spec.index_name(prefix),
        "document_id": spec.document_id,
        "fields": list(spec.fields),
        "projected_fields": list(spec.projected_fields),
        "filterable": list(spec.filterable),
        "sortable": list(spec.sortable),
        "faceting": _describe_faceting(spec.faceting),
        "settings": plain(spec.settings),
        "tenant_field": spec.tenant_field,
        "hooks": {
            "should_index": spec.should_index is not None,
            "search_document": spec.search_document is not None,
        },
    }


def _describe_faceting(faceting: Faceting | None) -> dict[str, Any] | None:
    if faceting is None:
        return None
    return {
        "attributes": list(faceting.attributes),
        "max_values_per_facet": faceting.max_values_per_facet,
        "sort_facet_values_by": plain(faceting.sort_facet_values_by),
    }
