from __future__ import annotations

import inspect
import pickle

import pytest

from scrypath import errors
from scrypath.errors import (
    BackendError,
    EncodingError,
    FilterError,
    HTTPError,
    ProjectionError,
    ScrypathError,
    SearchOptionError,
    TaskFailedError,
)

EXPECTED_REASONS = {
    "ScrypathError": "scrypath_error",
    "ConfigurationError": "configuration",
    "DeclarationError": "declaration",
    "NotSearchableError": "not_searchable",
    "ProjectionError": "projection",
    "EncodingError": "encoding",
    "InvalidDocumentIdError": "invalid_document_id",
    "SearchOptionError": "invalid_search_option",
    "FilterError": "invalid_filter",
    "TenantScopeError": "tenant_scope_violation",
    "TenantTokenError": "tenant_token",
    "NoTenantFieldError": "no_tenant_field",
    "TenantKeyError": "tenant_key_not_allowed",
    "TenantTokenExpiryError": "tenant_token_expiry",
    "BackendError": "backend",
    "TaskFailedError": "task_failed",
    "TaskTimeoutError": "task_timeout",
    "TransportError": "transport",
    "HTTPError": "http_error",
    "IndexNotFoundError": "index_not_found",
    "HotApplyRefusedError": "hot_apply_refused",
    "BackfillError": "backfill_failed",
    "ReindexError": "reindex_failed",
    "DatabaseError": "database",
    "OutboxError": "outbox",
    "OutboxNotInstalledError": "outbox_not_installed",
    "OutboxUnavailableError": "outbox_unavailable",
    "OperatorError": "operator",
    "WorkNotFoundError": "work_not_found",
    "NotRetryableError": "not_retryable",
    "IndexMismatchError": "index_mismatch",
    "ActionNotRecommendedError": "action_not_recommended",
    "TaskHistoryLimitError": "task_history_limit",
}


def _error_classes() -> dict[str, type[ScrypathError]]:
    return {
        name: value
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, ScrypathError)
    }


def test_every_error_class_has_its_pinned_reason_tag() -> None:
    reasons = {name: cls.reason for name, cls in _error_classes().items()}
    assert reasons == EXPECTED_REASONS


def test_reason_tags_are_unique() -> None:
    reasons = [cls.reason for cls in _error_classes().values()]
    assert len(reasons) == len(set(reasons))


def test_module_docstring_draws_every_class_of_the_tree() -> None:
    doc = errors.__doc__ or ""
    for name, cls in _error_classes().items():
        assert name in doc
        assert f'"{cls.reason}"' in doc or cls is ScrypathError


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (EncodingError, ProjectionError),
        (FilterError, SearchOptionError),
        (errors.TaskFailedError, BackendError),
        (errors.TaskTimeoutError, BackendError),
        (errors.TransportError, BackendError),
        (errors.HTTPError, BackendError),
        (errors.IndexNotFoundError, BackendError),
    ],
)
def test_specific_errors_are_caught_by_their_family(
    child: type[ScrypathError], parent: type[ScrypathError]
) -> None:
    with pytest.raises(parent):
        raise child("boom")


def test_message_is_the_string_form_and_context_is_kept() -> None:
    error = errors.DeclarationError("Post: fields: empty", model="Post", option="fields")
    assert str(error) == "Post: fields: empty"
    assert error.context == {"model": "Post", "option": "fields"}
    assert error.reason == "declaration"


def test_a_model_class_in_context_is_recorded_by_name() -> None:
    class Post:
        pass

    error = errors.NotSearchableError("not searchable", model=Post)
    assert error.context["model"] == "Post"


@pytest.mark.parametrize("key", ["api_key", "master_key", "token", "Authorization", "password"])
def test_credential_context_is_masked(key: str) -> None:
    error = errors.ConfigurationError("bad", **{key: "s3cret-value"})
    assert error.context[key] == "***"
    assert "s3cret-value" not in repr(error.context)


def test_errors_survive_pickling_with_their_context() -> None:
    error = TaskFailedError("task 7 failed", index="posts", task=7, code="invalid_document_id")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is TaskFailedError
    assert str(copy) == "task 7 failed"
    assert copy.context == error.context
    assert copy.code == "invalid_document_id"


def test_http_error_exposes_status_and_code() -> None:
    error = HTTPError("not found", status=404, code="index_not_found", index="posts")
    assert (error.status, error.code) == (404, "index_not_found")
    assert HTTPError("no body").status is None


def test_task_timeout_message_can_say_the_task_may_still_finish() -> None:
    doc = errors.TaskTimeoutError.__doc__ or ""
    assert "may still finish" in doc


def test_scrypath_warning_is_a_user_warning() -> None:
    with pytest.warns(UserWarning):
        import warnings

        warnings.warn("unchecked", errors.ScrypathWarning, stacklevel=1)
