"""Task polling grows gently between its bounds."""

from __future__ import annotations

import itertools

from scrypath.meilisearch.tasks import next_poll_interval


def test_polls_grow_gently_up_to_the_maximum() -> None:
    waits = [0.05]
    for _ in range(12):
        waits.append(next_poll_interval(waits[-1], 0.05, 0.5))
    assert all(later >= earlier for earlier, later in itertools.pairwise(waits))
    assert waits[1] < 0.1
    assert waits[-1] == 0.5


def test_polls_never_go_below_the_first_interval() -> None:
    assert next_poll_interval(1.0, 1.0, 0.5) == 1.0
    assert next_poll_interval(0.01, 0.05, 0.5) == 0.05 * 1.5
