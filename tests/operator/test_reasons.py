"""The reason-class table: every reason tag scrypath records, every Meilisearch error type
and code, and the dense counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import scrypath.errors as errors_module
from scrypath.errors import ScrypathError
from scrypath.operator.reasons import (
    REASON_CLASSES,
    TAG_CLASSES,
    class_counts,
    reason_class_for_entry,
    reason_class_for_tag,
    reason_class_for_task,
)
from scrypath.queue.jobs import JobError

MEILISEARCH_CODES = (
    "api_key_already_exists",
    "api_key_not_found",
    "index_scoped_api_key_with_global_action",
    "bad_parameter",
    "bad_request",
    "database_size_limit_reached",
    "document_not_found",
    "dump_already_processing",
    "dump_not_found",
    "dump_process_failed",
    "duplicate_index_found",
    "immutable_api_key_actions",
    "immutable_api_key_created_at",
    "immutable_api_key_expires_at",
    "immutable_api_key_indexes",
    "immutable_api_key_key",
    "immutable_api_key_uid",
    "immutable_api_key_updated_at",
    "immutable_index_created_at",
    "immutable_index_updated_at",
    "import_task_already_received",
    "import_task_unknown_remote",
    "receive_import_finished_unknown_remote",
    "import_task_without_network_task",
    "index_already_exists",
    "index_creation_failed",
    "index_not_found",
    "index_primary_key_already_exists",
    "index_primary_key_multiple_candidates_found",
    "index_primary_key_no_candidate_found",
    "internal",
    "invalid_api_key",
    "invalid_api_key_actions",
    "invalid_api_key_description",
    "invalid_api_key_expires_at",
    "invalid_api_key_indexes",
    "invalid_api_key_limit",
    "invalid_api_key_name",
    "invalid_api_key_offset",
    "invalid_api_key_uid",
    "invalid_content_type",
    "invalid_document_csv_delimiter",
    "invalid_document_fields",
    "invalid_document_retrieve_vectors",
    "missing_document_filter",
    "missing_document_edition_function",
    "inconsistent_document_change_headers",
    "invalid_document_filter",
    "invalid_document_sort",
    "invalid_document_use_network",
    "invalid_document_retrieve",
    "invalid_document_geo_field",
    "invalid_document_geojson_field",
    "invalid_header_value",
    "invalid_vector_dimensions",
    "invalid_vectors_type",
    "invalid_document_id",
    "invalid_document_ids",
    "invalid_document_limit",
    "invalid_document_offset",
    "invalid_search_embedder",
    "invalid_similar_embedder",
    "invalid_search_hybrid_query",
    "invalid_index_limit",
    "invalid_index_offset",
    "invalid_index_primary_key",
    "invalid_index_custom_metadata",
    "invalid_skip_creation",
    "invalid_index_uid",
    "invalid_multi_search_facets",
    "invalid_multi_search_facets_by_index",
    "invalid_multi_search_facet_order",
    "invalid_multi_search_query_personalization",
    "invalid_multi_search_query_show_performance_details",
    "invalid_multi_search_federated",
    "invalid_multi_search_federation_options",
    "invalid_multi_search_max_values_per_facet",
    "invalid_multi_search_merge_facets",
    "invalid_multi_search_query_facets",
    "invalid_multi_search_distinct",
    "invalid_multi_search_query_pagination",
    "invalid_multi_search_query_ranking_rules",
    "invalid_multi_search_query_position",
    "invalid_multi_search_remote",
    "invalid_multi_search_weight",
    "invalid_network_leader",
    "invalid_network_remotes",
    "invalid_network_shards",
    "invalid_network_self",
    "invalid_network_search_api_key",
    "invalid_network_write_api_key",
    "invalid_network_url",
    "invalid_search_attributes_to_search_on",
    "invalid_search_attributes_to_crop",
    "invalid_search_attributes_to_highlight",
    "invalid_similar_attributes_to_retrieve",
    "invalid_similar_retrieve_vectors",
    "invalid_search_attributes_to_retrieve",
    "invalid_search_ranking_score_threshold",
    "invalid_similar_ranking_score_threshold",
    "invalid_search_retrieve_vectors",
    "invalid_search_crop_length",
    "invalid_search_crop_marker",
    "invalid_search_facets",
    "invalid_search_semantic_ratio",
    "invalid_search_locales",
    "invalid_facet_search_exhaustive_facet_count",
    "invalid_facet_search_facet_name",
    "invalid_similar_id",
    "invalid_search_filter",
    "invalid_similar_filter",
    "invalid_search_highlight_post_tag",
    "invalid_search_highlight_pre_tag",
    "invalid_search_hits_per_page",
    "invalid_similar_limit",
    "invalid_search_limit",
    "invalid_search_matching_strategy",
    "invalid_similar_offset",
    "invalid_search_offset",
    "invalid_search_page",
    "invalid_search_q",
    "invalid_facet_search_query",
    "invalid_facet_search_name",
    "facet_search_disabled",
    "invalid_search_vector",
    "invalid_search_media",
    "invalid_search_show_matches_position",
    "invalid_search_show_ranking_score",
    "invalid_similar_show_ranking_score",
    "invalid_search_show_ranking_score_details",
    "invalid_search_show_performance_details",
    "invalid_search_use_network",
    "invalid_similar_show_ranking_score_details",
    "invalid_similar_show_performance_details",
    "invalid_search_sort",
    "invalid_search_distinct",
    "invalid_search_personalize",
    "invalid_search_personalize_user_context",
    "invalid_search_media_and_vector",
    "invalid_settings_displayed_attributes",
    "invalid_settings_distinct_attribute",
    "invalid_settings_proximity_precision",
    "invalid_settings_facet_search",
    "invalid_settings_prefix_search",
    "invalid_settings_faceting",
    "invalid_settings_filterable_attributes",
    "invalid_settings_foreign_keys",
    "invalid_settings_pagination",
    "invalid_settings_search_cutoff_ms",
    "invalid_settings_embedders",
    "invalid_settings_ranking_rules",
    "invalid_settings_searchable_attributes",
    "invalid_settings_sortable_attributes",
    "invalid_settings_stop_words",
    "invalid_settings_non_separator_tokens",
    "invalid_settings_separator_tokens",
    "invalid_settings_dictionary",
    "invalid_settings_synonyms",
    "invalid_settings_typo_tolerance",
    "invalid_settings_localized_attributes",
    "invalid_state",
    "invalid_stats_show_internal_database_sizes",
    "invalid_stats_size_format",
    "invalid_store_file",
    "invalid_swap_duplicate_index_found",
    "invalid_swap_indexes",
    "invalid_swap_rename",
    "invalid_task_after_enqueued_at",
    "invalid_task_after_finished_at",
    "invalid_task_after_started_at",
    "invalid_task_before_enqueued_at",
    "invalid_task_before_finished_at",
    "invalid_task_before_started_at",
    "invalid_task_canceled_by",
    "invalid_task_from",
    "invalid_task_limit",
    "invalid_task_reverse",
    "invalid_task_statuses",
    "invalid_task_types",
    "invalid_task_uids",
    "invalid_batch_uids",
    "io_error",
    "feature_not_enabled",
    "malformed_payload",
    "max_fields_limit_exceeded",
    "missing_api_key_actions",
    "missing_api_key_expires_at",
    "missing_api_key_indexes",
    "missing_authorization_header",
    "missing_content_type",
    "missing_document_id",
    "missing_facet_search_facet_name",
    "missing_index_uid",
    "missing_master_key",
    "missing_network_url",
    "missing_payload",
    "missing_search_hybrid",
    "missing_swap_indexes",
    "missing_task_filters",
    "network_version_mismatch",
    "no_space_left_on_device",
    "not_leader",
    "payload_too_large",
    "remote_bad_response",
    "remote_bad_request",
    "unknown_remote",
    "remote_could_not_send_request",
    "remote_invalid_api_key",
    "remote_remote_error",
    "remote_timeout",
    "too_many_search_requests",
    "task_not_found",
    "task_file_not_found",
    "batch_not_found",
    "too_many_open_files",
    "too_many_vectors",
    "unexpected_network_previous_remotes",
    "network_version_too_old",
    "unprocessed_network_task",
    "unretrievable_document",
    "unretrievable_error_code",
    "unsupported_media_type",
    "invalid_s3_snapshot_request",
    "invalid_s3_snapshot_parameters",
    "s3_snapshot_server_error",
    "vector_embedding_error",
    "not_found_similar_id",
    "invalid_document_edition_context",
    "invalid_document_edition_function_filter",
    "edit_documents_by_function_error",
    "invalid_settings_index_chat",
    "invalid_export_url",
    "invalid_export_api_key",
    "invalid_export_payload_size",
    "invalid_export_indexes_patterns",
    "invalid_export_index_filter",
    "invalid_export_index_override_settings",
    "unimplemented_external_function_calling",
    "unimplemented_non_streaming_chat_completions",
    "unimplemented_multi_choice_chat_completions",
    "chat_not_found",
    "invalid_chat_setting_document_template",
    "invalid_chat_completion_org_id",
    "invalid_chat_completion_project_id",
    "invalid_chat_completion_api_version",
    "invalid_chat_completion_deployment_id",
    "invalid_chat_completion_source",
    "invalid_chat_completion_base_api",
    "invalid_chat_completion_api_key",
    "invalid_chat_completion_prompts",
    "invalid_chat_completion_system_prompt",
    "invalid_chat_completion_search_description_prompt",
    "invalid_chat_completion_search_query_param_prompt",
    "invalid_chat_completion_search_filter_param_prompt",
    "invalid_chat_completion_search_index_uid_param_prompt",
    "invalid_chat_completion_pre_query_prompt",
    "invalid_index_fields_filter",
    "invalid_index_fields_filter_attribute_patterns",
    "invalid_index_fields_filter_displayed",
    "invalid_index_fields_filter_searchable",
    "invalid_index_fields_filter_sortable",
    "invalid_index_fields_filter_distinct",
    "invalid_index_fields_filter_ranking_rule",
    "invalid_index_fields_filter_filterable",
    "requires_enterprise_edition",
    "invalid_render_template",
    "invalid_render_input",
    "render_document_not_found",
    "template_parsing_error",
    "template_rendering_error",
    "invalid_webhooks",
    "invalid_webhook_url",
    "invalid_webhook_headers",
    "immutable_webhook",
    "invalid_webhook_uuid",
    "webhook_not_found",
    "immutable_webhook_uuid",
    "immutable_webhook_is_editable",
    "invalid_dynamic_search_rule_offset",
    "invalid_dynamic_search_rule_limit",
    "invalid_dynamic_search_rule_filter",
    "invalid_dynamic_search_rule_description",
    "invalid_dynamic_search_rule_priority",
    "invalid_dynamic_search_rule_active",
    "invalid_dynamic_search_rule_conditions",
    "invalid_dynamic_search_rule_actions",
    "invalid_dynamic_search_rule_filter_query",
    "invalid_dynamic_search_rule_filter_active",
    "dynamic_search_rule_not_found",
)
"""Every error code of the Meilisearch API reference (v1.x)."""

MEILISEARCH_TYPES = ("internal", "invalid_request", "auth", "system")

SERVER_SIDE = {
    "internal",
    "invalid_state",
    "invalid_store_file",
    "database_size_limit_reached",
    "index_creation_failed",
    "dump_process_failed",
    "s3_snapshot_server_error",
    "io_error",
    "no_space_left_on_device",
    "too_many_open_files",
    "too_many_search_requests",
    "remote_bad_response",
    "remote_could_not_send_request",
    "remote_remote_error",
    "remote_timeout",
}

TAGS = [
    ("scrypath_error", "unknown"),
    ("configuration", "validation"),
    ("hot_apply_refused", "validation"),
    ("declaration", "validation"),
    ("not_searchable", "validation"),
    ("projection", "validation"),
    ("encoding", "validation"),
    ("invalid_document_id", "validation"),
    ("invalid_search_option", "validation"),
    ("invalid_filter", "validation"),
    ("tenant_scope_violation", "validation"),
    ("tenant_token", "validation"),
    ("no_tenant_field", "validation"),
    ("tenant_key_not_allowed", "validation"),
    ("tenant_token_expiry", "validation"),
    ("outbox", "unknown"),
    ("outbox_not_installed", "validation"),
    ("outbox_unavailable", "transport"),
    ("database", "transport"),
    ("backfill_failed", "unknown"),
    ("reindex_failed", "unknown"),
    ("operator", "validation"),
    ("work_not_found", "validation"),
    ("not_retryable", "validation"),
    ("index_mismatch", "validation"),
    ("action_not_recommended", "validation"),
    ("task_history_limit", "validation"),
    ("backend", "backend_rejected"),
    ("task_failed", "backend_rejected"),
    ("task_timeout", "transport"),
    ("transport", "transport"),
    ("http_error", "backend_rejected"),
    ("index_not_found", "backend_rejected"),
    ("invalid_payload", "validation"),
    ("payload_too_large", "backend_rejected"),
    ("max_attempts", "queue_exhausted"),
    ("lease_expired", "unknown"),
    ("split_rejected", "backend_rejected"),
    ("operator_retry", "unknown"),
    ("unexpected", "unknown"),
    ("unknown", "unknown"),
]


def _error_classes() -> list[type[ScrypathError]]:
    found = [ScrypathError]
    index = 0
    while index < len(found):
        found.extend(found[index].__subclasses__())
        index += 1
    return [cls for cls in found if cls.__module__ == errors_module.__name__]


def _recorded_job_reasons() -> set[str]:
    """Every literal reason the queue package writes on a job's error entry."""
    root = Path(errors_module.__file__).parent / "queue"
    found: set[str] = set()
    for path in root.glob("*.py"):
        text = path.read_text()
        found |= set(re.findall(r'reason="([a-z_]+)"', text))
        found |= set(re.findall(r'JobError\(\s*[^,]+,\s*[^,]+,\s*"[a-z_]+",\s*"([a-z_]+)"', text))
        found |= set(re.findall(r'"queue_exhausted",\s*"([a-z_]+)"', text))
    return found


def test_the_five_classes_in_their_order() -> None:
    assert REASON_CLASSES == (
        "transport",
        "validation",
        "backend_rejected",
        "queue_exhausted",
        "unknown",
    )


@pytest.mark.parametrize(("tag", "expected"), TAGS)
def test_each_reason_tag_has_its_class(tag: str, expected: str) -> None:
    assert reason_class_for_tag(tag) == expected


def test_the_table_covers_every_error_class_and_every_recorded_job_reason() -> None:
    tags = {cls.reason for cls in _error_classes()}
    job_reasons = _recorded_job_reasons()
    assert {"invalid_payload", "lease_expired", "max_attempts", "payload_too_large"} <= job_reasons
    assert tags | job_reasons <= set(TAG_CLASSES)
    assert {tag for tag, _ in TAGS} == set(TAG_CLASSES)
    assert set(TAG_CLASSES.values()) <= set(REASON_CLASSES)


def test_an_unknown_tag_is_unknown() -> None:
    assert reason_class_for_tag("never_recorded") == "unknown"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("invalid_request", "backend_rejected"),
        ("auth", "backend_rejected"),
        ("internal", "transport"),
        ("system", "transport"),
    ],
)
def test_each_meilisearch_error_type_has_its_class(kind: str, expected: str) -> None:
    assert kind in MEILISEARCH_TYPES
    assert reason_class_for_task({"type": kind, "code": "anything"}) == expected


@pytest.mark.parametrize("code", MEILISEARCH_CODES)
def test_each_meilisearch_error_code_has_its_class(code: str) -> None:
    expected = "transport" if code in SERVER_SIDE else "backend_rejected"
    assert reason_class_for_task({"code": code}) == expected
    assert reason_class_for_task({"code": code, "type": None}) == expected


def test_the_server_side_codes_are_all_in_the_reference() -> None:
    assert set(MEILISEARCH_CODES) >= SERVER_SIDE
    assert len(MEILISEARCH_CODES) == len(set(MEILISEARCH_CODES))


@pytest.mark.parametrize(
    "error",
    [None, {}, {"message": "no code"}, {"type": "mystery"}, {"code": ""}, "not a mapping"],
)
def test_a_task_error_with_neither_type_nor_code_is_unknown(error: Any) -> None:
    assert reason_class_for_task(error) == "unknown"


def test_the_type_wins_over_the_code() -> None:
    assert reason_class_for_task({"type": "system", "code": "invalid_document_id"}) == "transport"


def _entry(reason_class: Any, reason: str, code: str | None = None) -> JobError:
    import datetime as dt

    return JobError(dt.datetime(2024, 1, 1), 1, reason_class, reason, "m", code)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (_entry("queue_exhausted", "max_attempts", "internal"), "queue_exhausted"),
        (_entry("queue_exhausted", "lease_expired"), "queue_exhausted"),
        (_entry("backend_rejected", "task_failed", "internal"), "transport"),
        (_entry("backend_rejected", "task_failed", "invalid_document_id"), "backend_rejected"),
        (_entry("transport", "http_error", "internal"), "transport"),
        (_entry("backend_rejected", "http_error", "invalid_api_key"), "backend_rejected"),
        (_entry("unknown", "projection"), "validation"),
        (_entry("unknown", "database"), "transport"),
        (_entry("unknown", "lease_expired"), "unknown"),
        (_entry("unknown", "unexpected"), "unknown"),
        (_entry("unknown", "unknown"), "unknown"),
        (_entry("validation", "invalid_payload"), "validation"),
        (_entry("backend_rejected", "payload_too_large", "payload_too_large"), "backend_rejected"),
    ],
)
def test_a_job_entry_is_classed_by_the_same_table(entry: JobError, expected: str) -> None:
    assert reason_class_for_entry(entry) == expected


@dataclass(frozen=True)
class _Row:
    reason_class: str


def test_counts_are_dense_and_ordered() -> None:
    assert class_counts([]) == dict.fromkeys(REASON_CLASSES, 0)
    counts = class_counts([_Row("transport"), _Row("backend_rejected"), _Row("transport")])
    assert list(counts) == list(REASON_CLASSES)
    assert counts == {
        "transport": 2,
        "validation": 0,
        "backend_rejected": 1,
        "queue_exhausted": 0,
        "unknown": 0,
    }
    assert class_counts([_Row("bogus")])["unknown"] == 1
