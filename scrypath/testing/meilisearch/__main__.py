"""Run the fake Meilisearch standalone: `python -m scrypath.testing.meilisearch --port 7700`.

Prints the URL once it is serving (never the master key) and stops cleanly on SIGINT or
SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from . import DEFAULT_MAX_PAYLOAD_BYTES, FakeMeilisearch


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scrypath.testing.meilisearch",
        description="Serve scrypath's fake Meilisearch (mimics Meilisearch v1.53).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=7700, help="port to bind; 0 picks one")
    parser.add_argument("--master-key", default=None, help="require this bearer key")
    parser.add_argument(
        "--max-payload-bytes",
        type=int,
        default=DEFAULT_MAX_PAYLOAD_BYTES,
        help="largest accepted request body",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    fake = FakeMeilisearch(
        master_key=args.master_key,
        host=args.host,
        port=args.port,
        max_payload_bytes=args.max_payload_bytes,
    )
    with fake:
        auth = "master key required" if args.master_key else "no master key"
        print(f"Fake Meilisearch listening on {fake.url} ({auth})", flush=True)
        while not stop.wait(0.2):
            pass
    print("Fake Meilisearch stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
