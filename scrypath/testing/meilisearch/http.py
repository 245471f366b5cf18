"""The HTTP adapter: a threaded stdlib server on 127.0.0.1 speaking HTTP/1.1 keep-alive.

It reads the declared body size before the body and refuses oversized payloads without
buffering them, hands the request to `dispatch.handle`, and writes the outcome. `close`
shuts every open connection so that handler threads end promptly.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .dispatch import Outcome, error_outcome, handle
from .errors import MeiliError
from .routing import App

_CHUNK = 64 * 1024


class PayloadTooLarge(Exception):
    pass


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        self._guard = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="fake-meilisearch-http",
            daemon=True,
        )
        with self._guard:
            self._connections[request] = thread
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # a broken connection must not end in a thread traceback
            pass
        finally:
            self.shutdown_request(request)
            with self._guard:
                self._connections.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client disconnects are routine here; never print tracebacks."""

    def close_connections(self, timeout: float = 2.0) -> None:
        with self._guard:
            connections = dict(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in connections.values():
            thread.join(timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; without this, keep-alive clients
    # wait out a delayed ACK (~40 ms) on every request.
    disable_nagle_algorithm = True
    server: FakeHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fake runs inside test suites."""

    def _serve(self) -> None:
        app = self.server.app
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            body = self._read_body(headers, app.max_payload_bytes)
        except PayloadTooLarge:
            self.close_connection = True
            self._send(error_outcome(_too_large(app.max_payload_bytes)))
            return
        except (ValueError, MeiliError) as error:
            self.close_connection = True
            meili = (
                error if isinstance(error, MeiliError) else MeiliError("bad_request", str(error))
            )
            self._send(error_outcome(meili))
            return
        outcome = handle(app, self.command, self.path, headers, body)
        if outcome.drop:
            self._drop()
        else:
            self._send(outcome)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _read_body(self, headers: dict[str, str], limit: int) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return _read_chunked(self.rfile, limit)
        length_text = headers.get("content-length")
        if length_text is None:
            return b""
        if not length_text.strip().isdigit():
            raise MeiliError("bad_request", f"Invalid Content-Length header: `{length_text}`.")
        length = int(length_text)
        if length > limit:
            raise PayloadTooLarge
        return self.rfile.read(length)

    def _send(self, outcome: Outcome) -> None:
        self.send_response(outcome.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(outcome.body)))
        for name, value in outcome.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(outcome.body)

    def _drop(self) -> None:
        """Close the socket without a response, like a crashed or unreachable server."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _read_chunked(stream: Any, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = stream.readline(_CHUNK)
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline(_CHUNK) not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(parts)
        total += size
        if total > limit:
            raise PayloadTooLarge
        parts.append(stream.read(size))
        stream.readline(_CHUNK)


def _too_large(limit: int) -> MeiliError:
    return MeiliError(
        "payload_too_large",
        "The provided payload reached the size limit. The maximum accepted payload size is "
        f"{human_size(limit)}.",
    )


def human_size(size: int) -> str:
    """Like Meilisearch: binary units when the limit is a multiple of 1024, else decimal."""
    binary = size % 1024 == 0
    base, units = (
        (1024, ("B", "KiB", "MiB", "GiB", "TiB"))
        if binary
        else (
            1000,
            ("B", "KB", "MB", "GB", "TB"),
        )
    )
    value = float(size)
    unit = units[0]
    for candidate in units[1:]:
        if value < base:
            break
        value /= base
        unit = candidate
    text = repr(value)
    return f"{text[:-2] if text.endswith('.0') else text} {unit}"
