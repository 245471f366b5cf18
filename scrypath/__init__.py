"""scrypath: keep SQLAlchemy records in a Meilisearch index, and see and repair that sync."""

from scrypath.config import Config, configure, reset_configuration
from scrypath.declaration import Faceting, SearchSpec, describe, is_searchable, searchable, spec_for
from scrypath.errors import (
    BackendError,
    ConfigurationError,
    DeclarationError,
    EncodingError,
    FilterError,
    HTTPError,
    IndexNotFoundError,
    InvalidDocumentIdError,
    NotSearchableError,
    ProjectionError,
    ScrypathError,
    ScrypathWarning,
    SearchOptionError,
    TaskFailedError,
    TaskTimeoutError,
    TenantScopeError,
    TransportError,
)
from scrypath.indexes import IndexStatus, ensure_index
from scrypath.results import (
    EntryResult,
    Facet,
    FacetBucket,
    FacetStats,
    FederatedResult,
    Page,
    SearchResult,
    SyncResult,
)
from scrypath.search import search, search_facet_values, search_within_facet
from scrypath.search_many import SearchEntry, search_many
from scrypath.sync import delete_documents, delete_record, sync_record, sync_records

__version__ = "0.1.0.dev0"

__all__ = [
    "BackendError",
    "Config",
    "ConfigurationError",
    "DeclarationError",
    "EncodingError",
    "EntryResult",
    "Facet",
    "FacetBucket",
    "FacetStats",
    "Faceting",
    "FederatedResult",
    "FilterError",
    "HTTPError",
    "IndexNotFoundError",
    "IndexStatus",
    "InvalidDocumentIdError",
    "NotSearchableError",
    "Page",
    "ProjectionError",
    "ScrypathError",
    "ScrypathWarning",
    "SearchEntry",
    "SearchOptionError",
    "SearchResult",
    "SearchSpec",
    "SyncResult",
    "TaskFailedError",
    "TaskTimeoutError",
    "TenantScopeError",
    "TransportError",
    "__version__",
    "configure",
    "delete_documents",
    "delete_record",
    "describe",
    "ensure_index",
    "is_searchable",
    "reset_configuration",
    "search",
    "search_facet_values",
    "search_many",
    "search_within_facet",
    "searchable",
    "spec_for",
    "sync_record",
    "sync_records",
]
