"""A fake Meilisearch: a real HTTP server on 127.0.0.1 for tests, in-process or standalone.

It mimics the behaviour of Meilisearch **v1.53** (`/version` reports `1.53.0`) closely
enough that the official `meilisearch` client cannot tell it apart for the routes it
serves: the same request validation, status codes, error codes and messages, the same
task lifecycle (`enqueued -> processing -> succeeded | failed | canceled`) processed
asynchronously by a worker thread, the same settings defaults.

Behaviour worth knowing:

- Tasks run one at a time in uid order, except that task cancelations and then task
  deletions jump the queue, as in Meilisearch (so a cancelation can reach tasks enqueued
  before it). `GET /tasks` lists newest first.
- Reads never wait for the task table: a long task is seen `processing` (its index
  `isIndexing`) by polls, task lists and stats. A task's effects appear at once, with its
  final status; reading the documents of the index being written waits for that write.
- Document payloads may be JSON, NDJSON (`application/x-ndjson`) or CSV (`text/csv`,
  typed headers such as `price:number`, `csvDelimiter`). Nested (dotted) primary keys
  are not supported.
- Payloads above `max_payload_bytes` (100 MiB by default) are refused with 413 from their
  declared size, without being read.
- With a master key, every route but `/health` (and `/`) requires a bearer credential:
  the master key, an API key or a tenant token. `/keys` manages API keys (values derived
  from uids with the master key, as in Meilisearch; the default keys exist from the
  start), each route requires its action (`search`, `documents.add`, ...) on the index
  in its path, index lists are narrowed to the key's indexes, and tenant tokens (HS256,
  HS384 or HS512 JWTs signed with a key's value) restrict searches to their
  `searchRules`, whose filters are ANDed with the searcher's own.
- Routes that Meilisearch has but the fake does not serve answer 501 `not_implemented`:
  the batch and task streams, dumps, snapshots, export, experimental features, logs,
  metrics, network, webhooks, chats, dynamic search rules, similar documents, document
  edition by function, index compaction, and the `chat`/`foreignKeys` settings (setting
  them in a settings object gives `feature_not_enabled`, as with the features disabled).
  Embedders can only be left empty. Unknown paths answer 404 `not_found` (Meilisearch
  answers with an empty body); a known path with the wrong method answers 405
  `method_not_allowed` with an `Allow` header.
- `/batches` serves one batch per processing step; `POST /indexes/{uid}/fields` lists
  the documents' fields with their capabilities; stats take `showInternalDatabaseSizes`
  and `sizeFormat=human`; document reads show `_vectors` only with `retrieveVectors`.
- Out of scope: vector and hybrid search, relevance identical to the real engine, and
  tokenization of every language.

Fault injection (`FakeMeilisearch.faults`) fails tasks, answers requests with chosen
statuses, drops connections, adds latency, holds or steps task processing, and keeps a
task in `processing`.
"""

from __future__ import annotations

import threading
from types import TracebackType

from .errors import MeiliError
from .faults import FaultControl
from .http import FakeHTTPServer
from .routing import App
from .scheduler import Scheduler
from .seam import lazy_store

__all__ = ["FakeMeilisearch", "FaultControl", "MeiliError"]

DEFAULT_MAX_PAYLOAD_BYTES = 100 * 1024 * 1024


class FakeMeilisearch:
    """A fake Meilisearch server; use as a context manager or call `start()`/`stop()`."""

    def __init__(
        self,
        *,
        master_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
    ) -> None:
        self.master_key = master_key
        self._address = (host, port)
        self._scheduler = Scheduler(lazy_store)
        self._app = App(self._scheduler, master_key, max_payload_bytes)
        self._server: FakeHTTPServer | None = None
        self._serving: threading.Thread | None = None

    @property
    def faults(self) -> FaultControl:
        return self._scheduler.faults

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Meilisearch is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeMeilisearch:
        """Bind the port and start serving (idempotent)."""
        if self._server is not None:
            return self
        self._server = FakeHTTPServer(self._address, self._app)
        self._scheduler.start()
        self._serving = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-meilisearch-accept",
            daemon=True,
        )
        self._serving.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and stop the task worker (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if self._serving is not None:
            self._serving.join()
            self._serving = None
        self._scheduler.stop()

    def reset(self) -> None:
        """Forget every index, task, fault rule and created API key; the server keeps running.

        The default API keys stay, with the same uids and values.
        """
        self._scheduler.reset()
        self._app.keys.reset()

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until no task is enqueued or processing (TimeoutError after `timeout`)."""
        self._scheduler.wait_idle(timeout)

    def __enter__(self) -> FakeMeilisearch:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
