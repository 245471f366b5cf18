"""Meilisearch's error vocabulary, in one table, for every layer of the fake.

Each error code maps to its HTTP status and error type. Codes absent from the
overrides below are Meilisearch's common case: `400` and `invalid_request`.
"""

from __future__ import annotations

from typing import Any

DOCS_LINK = "https://docs.meilisearch.com/errors#"

_STATUS_AND_TYPE: dict[str, tuple[int, str]] = {
    "missing_authorization_header": (401, "auth"),
    "invalid_api_key": (403, "auth"),
    "index_not_found": (404, "invalid_request"),
    "document_not_found": (404, "invalid_request"),
    "task_not_found": (404, "invalid_request"),
    "batch_not_found": (404, "invalid_request"),
    "not_found": (404, "invalid_request"),
    "index_already_exists": (409, "invalid_request"),
    "payload_too_large": (413, "invalid_request"),
    "invalid_content_type": (415, "invalid_request"),
    "missing_content_type": (415, "invalid_request"),
    "internal": (500, "internal"),
    "not_implemented": (501, "invalid_request"),
    "method_not_allowed": (405, "invalid_request"),
    "api_key_already_exists": (409, "invalid_request"),
    "api_key_not_found": (404, "invalid_request"),
    "dump_already_processing": (409, "invalid_request"),
    "dump_not_found": (404, "invalid_request"),
    "task_file_not_found": (404, "invalid_request"),
    "webhook_not_found": (404, "invalid_request"),
    "chat_not_found": (404, "invalid_request"),
    "unsupported_media_type": (415, "invalid_request"),
    "missing_master_key": (401, "auth"),
    "too_many_search_requests": (503, "system"),
    "database_size_limit_reached": (500, "internal"),
    "invalid_state": (500, "internal"),
    "invalid_store_file": (500, "internal"),
    "io_error": (422, "system"),
    "no_space_left_on_device": (422, "system"),
    "too_many_open_files": (422, "system"),
}


def status_and_type(code: str) -> tuple[int, str]:
    """Return the HTTP status and error type Meilisearch uses for `code`."""
    return _STATUS_AND_TYPE.get(code, (400, "invalid_request"))


class MeiliError(Exception):
    """An error the fake reports exactly as Meilisearch would: a code and a message.

    Raised by any layer; the HTTP adapter renders it as a response, and the task
    worker stores it as a failed task's `error`.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return status_and_type(self.code)[0]

    @property
    def type(self) -> str:
        return status_and_type(self.code)[1]

    def to_json(self) -> dict[str, Any]:
        """The `{message, code, type, link}` object Meilisearch puts in bodies and tasks."""
        return {
            "message": self.message,
            "code": self.code,
            "type": self.type,
            "link": DOCS_LINK + self.code,
        }
