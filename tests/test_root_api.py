"""The root API changes only on purpose: these tests pin its names and call shapes."""

from __future__ import annotations

import inspect
import pkgutil

import scrypath
import scrypath.meilisearch

ROOT_NAMES = {
    # declare and reflect
    "searchable",
    "Faceting",
    "SearchSpec",
    "spec_for",
    "is_searchable",
    "describe",
    # configure
    "Config",
    "configure",
    "reset_configuration",
    "reset_caches",
    # operator
    "sync_status",
    "failed_sync_work",
    "retry_sync_work",
    "reconcile_sync",
    "index_contract_drift",
    "audit_index",
    "AuditReport",
    "AuditProgress",
    "DriftIds",
    "SampleEstimate",
    "SyncStatusReport",
    "FailedWork",
    "FailedWorkReport",
    "RetryResult",
    "ReconcileReport",
    "ContractDriftReport",
    # write path
    "sync_record",
    "sync_records",
    "delete_record",
    "delete_documents",
    "SyncResult",
    # read path
    "search",
    "search_many",
    "search_facet_values",
    "search_within_facet",
    "SearchEntry",
    "SearchResult",
    "FederatedResult",
    "EntryResult",
    "Page",
    "Facet",
    "FacetBucket",
    "FacetStats",
    # bulk
    "ensure_index",
    "IndexStatus",
    "backfill",
    "BackfillResult",
    "BackfillProgress",
    "reindex",
    "ReindexResult",
    # queue
    "install_outbox",
    "Worker",
    "WorkerReport",
    "queue_counts",
    "QueueCounts",
    "JobRef",
    "JobState",
    "JobEvent",
    "auto_sync",
    "auto_sync_disabled",
    "AutoSync",
    # errors
    "ScrypathError",
    "ConfigurationError",
    "DeclarationError",
    "NotSearchableError",
    "ProjectionError",
    "EncodingError",
    "InvalidDocumentIdError",
    "SearchOptionError",
    "FilterError",
    "TenantScopeError",
    "BackendError",
    "TaskFailedError",
    "TaskTimeoutError",
    "TransportError",
    "HTTPError",
    "IndexNotFoundError",
    "HotApplyRefusedError",
    "BackfillError",
    "ReindexError",
    "OperatorError",
    "WorkNotFoundError",
    "NotRetryableError",
    "IndexMismatchError",
    "ActionNotRecommendedError",
    "TaskHistoryLimitError",
    "DatabaseError",
    "OutboxError",
    "OutboxNotInstalledError",
    "OutboxUnavailableError",
    "ScrypathWarning",
    "__version__",
}

MEILISEARCH_NAMES = {
    "search",
    "resolve_settings",
    "read_settings",
    "diff_settings",
    "compare_settings",
    "hot_apply_settings",
    "HotApplyResult",
    "SettingsDelta",
    "HOT_APPLY_FAMILIES",
    "get_client",
    "wait_for_task",
    "TaskRef",
    "task_ref",
    "TenantKey",
    "tenant_token",
    "wire_settings",
    "to_wire_key",
}

VERBS = (
    "sync_record",
    "sync_records",
    "delete_record",
    "delete_documents",
    "search",
    "search_many",
    "search_facet_values",
    "search_within_facet",
    "ensure_index",
)


def test_the_root_exports_exactly_the_pinned_names() -> None:
    assert set(scrypath.__all__) == ROOT_NAMES
    assert len(scrypath.__all__) == len(ROOT_NAMES)


def test_every_exported_name_resolves() -> None:
    for name in scrypath.__all__:
        assert getattr(scrypath, name) is not None, name
    for name in scrypath.meilisearch.__all__:
        assert getattr(scrypath.meilisearch, name) is not None, name


def test_the_meilisearch_namespace_exports_exactly_the_pinned_names() -> None:
    assert set(scrypath.meilisearch.__all__) == MEILISEARCH_NAMES


def test_search_is_the_verb_and_the_raw_search_lives_apart() -> None:
    assert callable(scrypath.search) and not inspect.ismodule(scrypath.search)
    assert scrypath.meilisearch.search is not scrypath.search


def test_every_option_of_a_root_verb_is_keyword_only() -> None:
    subjects = {"record", "records", "model", "ids", "text", "entries", "facet", "value", "query"}
    for name in VERBS:
        for parameter in inspect.signature(getattr(scrypath, name)).parameters.values():
            positional = parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
            assert not positional or parameter.name in subjects, (name, parameter.name)


def test_search_takes_no_meilisearch_native_flags() -> None:
    parameters = set(inspect.signature(scrypath.search).parameters)
    assert parameters == {
        "model",
        "text",
        "filter",
        "sort",
        "page",
        "per_page",
        "facets",
        "facet_filter",
        "tenant_scope",
        "session",
        "load_options",
        "overrides",
    }


def test_no_module_shadows_a_root_name() -> None:
    """`import scrypath.<verb>` must never hand back a function: implementation modules are
    named apart from the verbs they implement."""
    modules = {info.name for info in pkgutil.iter_modules(scrypath.__path__)}
    assert modules.isdisjoint(scrypath.__all__), modules & set(scrypath.__all__)
