"""Pausing Python's cyclic garbage collector around bulk work on a large index.

Indexing a batch and ranking a broad query allocate many small containers and no
reference cycles. On a heap holding a large index, the collections those allocations
trigger walk every live object again and again, which costs more than the work itself.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

LARGE = 1000
"""From this many documents (or documents in a batch), the pause pays for itself."""


@contextmanager
def paused(size: int) -> Iterator[None]:
    """Pause collection while the block runs, when `size` reaches `LARGE`."""
    pause = size >= LARGE and gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause:
            gc.enable()
