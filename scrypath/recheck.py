"""Send what the database holds, then read it again until it holds still.

Between reading a row and the write reaching Meilisearch, another writer may commit a newer
version and deliver it first; the older write, applied last, would then win. Reading again
once our write is applied, and sending what changed, closes that race: a commit made after
the last read is delivered by its own writer, after ours. Backfill and the queue worker both
deliver through this loop.
"""

from __future__ import annotations

from collections.abc import Callable

from scrypath.planning import Plan, changes_since

MAX_ROUNDS = 10
"""Reads after which rows that keep changing are reported instead of chased."""


class Unsettled(Exception):
    """Rows kept changing through every recheck round."""


def recheck(
    read: Callable[[], Plan],
    sent: Plan,
    send: Callable[[Plan], None],
    *,
    rounds: int = MAX_ROUNDS,
) -> Plan:
    """Re-read after `sent` was applied and `send` (then await) what changed, until a read
    finds nothing new; returns everything re-sent, merged."""
    resent = Plan()
    for _ in range(rounds):
        changed = changes_since(sent, read())
        if not changed:
            return resent
        send(changed)
        sent, resent = sent.then(changed), resent.then(changed)
    raise Unsettled(f"the rows kept changing through {rounds} rechecks")
