"""The Meilisearch a benchmark measures against, named honestly in its output.

`SCRYPATH_MEILISEARCH_URL` (and `SCRYPATH_MEILISEARCH_API_KEY`) select a real server;
otherwise scrypath's fake serves, in this process or, with `own_process=True`, in a
process of its own so that its memory and CPU stay out of the measurement.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def server(*, own_process: bool = False) -> Iterator[tuple[str, str | None, str]]:
    """Yield the URL, the API key and a one-line description of who serves."""
    url = os.environ.get("SCRYPATH_MEILISEARCH_URL")
    if url:
        yield url, os.environ.get("SCRYPATH_MEILISEARCH_API_KEY"), f"Meilisearch at {url}"
    elif own_process:
        yield from _fake_process()
    else:
        from scrypath.testing.meilisearch import FakeMeilisearch

        with FakeMeilisearch() as fake:
            yield fake.url, None, "scrypath's fake Meilisearch (not a real one)"


def _fake_process() -> Iterator[tuple[str, str | None, str]]:
    command = [sys.executable, "-m", "scrypath.testing.meilisearch", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        found = re.search(r"http://\S+", process.stdout.readline() if process.stdout else "")
        if found is None:
            raise RuntimeError("the fake did not report its URL")
        yield found.group(0), None, "scrypath's fake Meilisearch (not a real one), own process"
    finally:
        process.terminate()
        process.wait(timeout=30)
