"""The index side of an audit: documents fetched by id, and every id browsed page by page.

Documents are read with `POST /indexes/{uid}/documents/fetch`: by `ids` for the rows of one
database batch (whole documents, since every field counts), and by `offset`/`limit` with
`fields` set to the id alone to list the documents no row accounts for. The id browse moves
only ids over the wire, so it can take large pages; neither read holds more than one page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import meilisearch

from scrypath.config import Config
from scrypath.errors import TaskFailedError, TaskTimeoutError
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.tasks import TaskRef, await_task
from scrypath.operator.audit_compare import id_text
from scrypath.operator.task_log import count_tasks
from scrypath.projection import DocumentId

FETCH_CHUNK = 1000
"""The most ids one fetch names."""

ID_PAGE = 10_000
"""The most ids one browse page returns (ids only, so a page stays small)."""


@dataclass(frozen=True, slots=True)
class Documents:
    """Where an audit reads documents: the index, its primary key, and the model's name."""

    client: meilisearch.Client
    index: str
    primary_key: str
    model: str

    def fetch(self, texts: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The documents with these ids (absent ones are simply not returned), by id text."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(texts), FETCH_CHUNK):
            chunk = list(texts[start : start + FETCH_CHUNK])
            page = self._post({"ids": chunk, "limit": len(chunk)})
            for document in _results(page):
                found[id_text(document.get(self.primary_key))] = document
        return found

    def id_pages(self, size: int = ID_PAGE) -> Iterator[list[DocumentId]]:
        """Every document id (in its JSON form), a page at a time, in the index's order."""
        offset = 0
        while True:
            ids = self.page_at(offset, size)
            if not ids:
                return
            yield ids
            offset += len(ids)

    def page_at(self, offset: int, size: int) -> list[DocumentId]:
        """The ids of one page starting at `offset`."""
        page = self._post({"offset": offset, "limit": size, "fields": [self.primary_key]})
        found = (document.get(self.primary_key) for document in _results(page))
        return [identifier for identifier in found if isinstance(identifier, int | str)]

    def count(self) -> int:
        """How many documents the index holds."""
        page = self._post({"limit": 0, "fields": [self.primary_key]})
        total = page.get("total")
        return total if isinstance(total, int) else 0

    def settle(self, config: Config, timeout: float) -> None:
        """Wait until the document tasks enqueued on the index so far have finished (a task
        that failed has finished too); give up quietly after `timeout` seconds."""
        context = {"model": self.model, "index": self.index, "operation": "audit"}
        pending, newest = count_tasks(
            self.client, index_uids=[self.index], statuses=("enqueued", "processing"), **context
        )
        if not pending or newest is None or not isinstance(newest.get("uid"), int):
            return
        try:
            await_task(self.client, TaskRef(newest["uid"], self.index), config, timeout=timeout)
        except (TaskFailedError, TaskTimeoutError):
            return

    def _post(self, body: Mapping[str, Any]) -> dict[str, Any]:
        context = {"model": self.model, "index": self.index, "operation": "audit"}
        with backend_call(**context):
            page: dict[str, Any] = self.client.http.post(
                f"indexes/{self.index}/documents/fetch", dict(body)
            )
        return page


def _results(page: Mapping[str, Any]) -> list[dict[str, Any]]:
    results = page.get("results")
    if not isinstance(results, list):
        return []
    return [document for document in results if isinstance(document, dict)]
