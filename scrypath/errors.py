"""The one exception tree of scrypath.

```
ScrypathError                        reason: a stable tag, safe to match on
├── ConfigurationError               "configuration"
│   └── HotApplyRefusedError         "hot_apply_refused"
├── DeclarationError                 "declaration"
├── NotSearchableError               "not_searchable"
├── ProjectionError                  "projection"
│   └── EncodingError                "encoding"
├── InvalidDocumentIdError           "invalid_document_id"
├── SearchOptionError                "invalid_search_option"
│   └── FilterError                  "invalid_filter"
├── TenantScopeError                 "tenant_scope_violation"
├── TenantTokenError                 "tenant_token"
│   ├── NoTenantFieldError           "no_tenant_field"
│   ├── TenantKeyError               "tenant_key_not_allowed"
│   └── TenantTokenExpiryError       "tenant_token_expiry"
├── OutboxError                      "outbox"
│   ├── OutboxNotInstalledError      "outbox_not_installed"
│   └── OutboxUnavailableError       "outbox_unavailable"
├── DatabaseError                    "database"
├── BackfillError                    "backfill_failed"
├── ReindexError                     "reindex_failed"
├── OperatorError                    "operator"
│   ├── WorkNotFoundError            "work_not_found"
│   ├── NotRetryableError            "not_retryable"
│   ├── IndexMismatchError           "index_mismatch"
│   ├── ActionNotRecommendedError    "action_not_recommended"
│   └── TaskHistoryLimitError        "task_history_limit"
└── BackendError                     "backend"
    ├── TaskFailedError              "task_failed"
    ├── TaskTimeoutError             "task_timeout"
    ├── TransportError               "transport"
    ├── HTTPError                    "http_error"
    └── IndexNotFoundError           "index_not_found"

ScrypathWarning (UserWarning)        warnings scrypath emits on purpose
```

Every error carries a stable `reason` tag and a `context` mapping (model, index, task, field,
option, ...) so that callers and operator tools branch on data, never on message text.
Context values are plain data: a model class is recorded by its name. Secrets never belong in
a message or in context; a context key that names a credential is stored masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

_SECRET_KEYS = frozenset({"api_key", "master_key", "token", "authorization", "password", "secret"})
_MASK = "***"


class ScrypathError(Exception):
    """Base of every error scrypath raises on purpose."""

    reason: ClassVar[str] = "scrypath_error"

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context: Mapping[str, Any] = {
            name: self._plain(name, value) for name, value in context.items()
        }

    @staticmethod
    def _plain(name: str, value: Any) -> Any:
        if name.lower() in _SECRET_KEYS and value is not None:
            return _MASK
        if isinstance(value, type):
            return value.__name__
        return value

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, reason={self.reason!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message,), {"context": self.context})


class ConfigurationError(ScrypathError):
    """A setting, environment variable or argument is invalid or missing."""

    reason = "configuration"


class DeclarationError(ScrypathError):
    """A `@searchable` declaration is invalid; context names `model` and `option`."""

    reason = "declaration"


class NotSearchableError(ScrypathError):
    """The model was never declared with `@searchable`."""

    reason = "not_searchable"


class ProjectionError(ScrypathError):
    """A record could not be turned into a search document."""

    reason = "projection"


class EncodingError(ProjectionError):
    """A value has no JSON form Meilisearch accepts; context names `model`, `field`, `type`."""

    reason = "encoding"


class InvalidDocumentIdError(ScrypathError):
    """A document id is not an integer or a string of `[A-Za-z0-9_-]{1,511}`."""

    reason = "invalid_document_id"


class SearchOptionError(ScrypathError):
    """A search option is invalid; context names the `option` and the bad `key`."""

    reason = "invalid_search_option"


class FilterError(SearchOptionError):
    """A filter expression is malformed or names an attribute that is not filterable."""

    reason = "invalid_filter"


class TenantScopeError(ScrypathError):
    """An operation would read or write outside the tenant it is scoped to."""

    reason = "tenant_scope_violation"


class TenantTokenError(ScrypathError):
    """A tenant token cannot be built as asked (raised as is for an unusable tenant value)."""

    reason = "tenant_token"


class NoTenantFieldError(TenantTokenError):
    """The model declares no `tenant_field`, so a token has nothing to pin."""

    reason = "no_tenant_field"


class TenantKeyError(TenantTokenError):
    """The parent API key cannot sign the token: unknown, expired, or unable to search the index."""

    reason = "tenant_key_not_allowed"


class TenantTokenExpiryError(TenantTokenError):
    """The token's expiry is missing (and not waived), naive, past, or after its key's own."""

    reason = "tenant_token_expiry"


class OutboxError(ScrypathError):
    """The durable outbox (the queue's table in the app's database) could not be used."""

    reason = "outbox"


class OutboxNotInstalledError(OutboxError):
    """Queue work needs the outbox table, and this database does not have it yet."""

    reason = "outbox_not_installed"


class OutboxUnavailableError(OutboxError):
    """The outbox database could not be reached or refused the statement."""

    reason = "outbox_unavailable"


class BackendError(ScrypathError):
    """Meilisearch could not do what was asked; context names `index` and `task` when known."""

    reason = "backend"


class TaskFailedError(BackendError):
    """Meilisearch processed the task and reported it failed; `code` is its error code."""

    reason = "task_failed"

    @property
    def code(self) -> str | None:
        """The Meilisearch error code of the failed task (for example `invalid_document_id`)."""
        code = self.context.get("code")
        return code if isinstance(code, str) else None


class TaskTimeoutError(BackendError):
    """The wait for a task ran out; the task may still finish later in Meilisearch."""

    reason = "task_timeout"


class TransportError(BackendError):
    """The request never got an HTTP answer (connection refused, reset, timed out)."""

    reason = "transport"


class HTTPError(BackendError):
    """Meilisearch answered with an HTTP error; context holds `status` and `code`."""

    reason = "http_error"

    @property
    def status(self) -> int | None:
        """The HTTP status code of the answer."""
        status = self.context.get("status")
        return status if isinstance(status, int) else None

    @property
    def code(self) -> str | None:
        """The Meilisearch error code from the answer body, when it had one."""
        code = self.context.get("code")
        return code if isinstance(code, str) else None


class IndexNotFoundError(BackendError):
    """The index does not exist in Meilisearch (a read, or a task, said so)."""

    reason = "index_not_found"


class HotApplyRefusedError(ConfigurationError):
    """A settings hot-apply was refused before any request; context names the `key` at fault."""

    reason = "hot_apply_refused"


class DatabaseError(ScrypathError):
    """The application's database failed a read scrypath made (loading hits back, say).

    The message holds the driver's first line only, never the SQL or its parameters.
    """

    reason = "database"


class BackfillError(ScrypathError):
    """A backfill stopped at its first failure; `resume_after` is where to pick it up.

    Context holds `index`, `batches`, `documents`, `deleted`, `last_key` (the last primary
    key whose batch was committed, None when none was) and `cause`: the failure's reason
    tag, `database` for a database error, `unsettled` when rows kept changing through
    every recheck.
    """

    reason = "backfill_failed"

    @property
    def resume_after(self) -> Any:
        """Pass this as `after=` to continue where the backfill stopped."""
        return self.context.get("last_key")


class ReindexError(ScrypathError):
    """A reindex step failed; the live index was left serving.

    Context holds `step` (the step that failed), `index` and `target`, `cause` (the
    failure's reason), `live_untouched` (False only once cutover happened) and
    `left_behind` (indexes the failed run could not remove, its lock included). A run
    refused because another holds the lock fails at step `lock` with cause
    `already_running`, naming the lock (`held_by`) and the run holding it (`holder`);
    `takeover=True` replaces a lock whose run died.
    """

    reason = "reindex_failed"

    @property
    def step(self) -> str | None:
        """The name of the step that failed."""
        step = self.context.get("step")
        return step if isinstance(step, str) else None


class OperatorError(ScrypathError):
    """An operator tool refused a request; nothing was changed."""

    reason = "operator"


class WorkNotFoundError(OperatorError):
    """No failed or retrying work has that id (`job:N` or `task:N`)."""

    reason = "work_not_found"


class NotRetryableError(OperatorError):
    """The chosen work has nothing to replay (a task without a job, a job that did not fail);
    context names the `recommended_action`."""

    reason = "not_retryable"


class IndexMismatchError(OperatorError):
    """The work targets an index the current configuration no longer writes to; retrying it
    would write somewhere else than the operator expects."""

    reason = "index_mismatch"


class ActionNotRecommendedError(OperatorError):
    """An action that the reconcile report did not recommend; context lists `recommended`."""

    reason = "action_not_recommended"


class TaskHistoryLimitError(OperatorError):
    """Meilisearch holds more matching tasks than the read limit; a partial list would lie.
    Context holds `limit`."""

    reason = "task_history_limit"


class ScrypathWarning(UserWarning):
    """Something scrypath accepts but cannot check (an unknown settings family), or a write
    ORM auto-sync could not follow, so the index was not updated for it."""
