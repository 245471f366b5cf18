from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrypath.errors import ConfigurationError
from scrypath.queue import Backoff

SECONDS = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(base=SECONDS, extra=SECONDS, attempt=st.integers(min_value=1, max_value=500))
def test_every_delay_lies_between_half_the_ceiling_and_the_ceiling(
    base: float, extra: float, attempt: int
) -> None:
    backoff = Backoff(base, base + extra)
    ceiling = backoff.ceiling(attempt)
    assert ceiling <= backoff.cap
    assert ceiling / 2 <= backoff.delay(attempt, random.Random(attempt)) <= ceiling


@given(seed=st.integers(min_value=0, max_value=2**32))
def test_delays_never_shrink_while_the_ceiling_doubles(seed: int) -> None:
    backoff = Backoff(1.0, 1000.0)
    rng = random.Random(seed)
    # Ceilings 1, 2, ... 512 double each time; jitter keeps each delay in its upper half,
    # so a delay is never below the previous ceiling. At the cap, delays stay in its
    # upper half and may vary either way.
    delays = [backoff.delay(attempt, rng) for attempt in range(1, 11)]
    assert all(later >= earlier for earlier, later in itertools.pairwise(delays))
    capped = [backoff.delay(attempt, rng) for attempt in range(11, 20)]
    assert all(500.0 <= delay <= 1000.0 for delay in capped)


def test_the_ceiling_doubles_up_to_the_cap() -> None:
    backoff = Backoff(15.0, 100.0)
    assert [backoff.ceiling(n) for n in range(1, 6)] == [15.0, 30.0, 60.0, 100.0, 100.0]


def test_jitter_spreads_workers_that_failed_together() -> None:
    backoff = Backoff(10.0, 100.0)
    rng = random.Random(3)
    assert len({round(backoff.delay(3, rng), 6) for _ in range(20)}) == 20


def test_next_at_adds_the_delay() -> None:
    now = dt.datetime(2030, 1, 1)
    at = Backoff(4.0, 4.0).next_at(1, now, random.Random(1))
    assert now + dt.timedelta(seconds=2) <= at <= now + dt.timedelta(seconds=4)


@pytest.mark.parametrize(
    ("base", "cap"),
    [(0, 1), (-1, 1), (1, 0), (float("nan"), 1), (1, float("inf")), (5, 1), (True, 2), ("1", 2)],
)
def test_bad_settings_are_refused(base: object, cap: object) -> None:
    with pytest.raises(ConfigurationError):
        Backoff(base, cap)  # type: ignore[arg-type]
