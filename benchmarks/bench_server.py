"""The Meilisearch a benchmark measures against, named honestly in its output.

`SCRYPATH_MEILISEARCH_URL` (and `SCRYPATH_MEILISEARCH_API_KEY`) select a real server;
otherwise scrypath's fake serves, always in a process of its own: in the measuring process
its request handling and task processing would compete for the same interpreter as the code
being measured, and that cost would swamp (or flatter) the difference between the sides.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def server() -> Iterator[tuple[str, str | None, str]]:
    """Yield the URL, the API key and a one-line description of who serves."""
    url = os.environ.get("SCRYPATH_MEILISEARCH_URL")
    if url:
        yield url, os.environ.get("SCRYPATH_MEILISEARCH_API_KEY"), f"Meilisearch at {url}"
        return
    with fake_process() as (fake_url, description):
        yield fake_url, None, description


@contextmanager
def fake_process() -> Iterator[tuple[str, str]]:
    """scrypath's fake in a child process: its URL and a description naming that process."""
    command = [sys.executable, "-m", "scrypath.testing.meilisearch", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline() if process.stdout else ""
        found = re.search(r"http://\S+", first)
        if found is None:
            raise RuntimeError(f"the fake did not report its URL (it said {first!r})")
        yield (
            found.group(0),
            f"scrypath's fake Meilisearch (not a real one), in its own process (pid "
            f"{process.pid}); this process only measures",
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
