"""How long a failed job waits before its next attempt: exponential, capped, with jitter.

The delay before attempt `n + 1` is drawn from the upper half of `min(cap, base * 2**(n-1))`,
so workers that failed together do not retry together, and no delay is ever shorter than
the previous attempt's could have been: the backoff grows until it reaches the cap.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from scrypath.config import Config
from scrypath.errors import ConfigurationError

_MAX_EXPONENT = 62


@dataclass(frozen=True, slots=True)
class Backoff:
    """The retry schedule: `base` seconds after the first failure, doubling up to `cap`."""

    base: float
    cap: float

    def __post_init__(self) -> None:
        for name, value in (("base", self.base), ("cap", self.cap)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigurationError(
                    f"backoff {name} must be a number of seconds, got {value!r}",
                    key=f"queue_backoff_{name}",
                )
            if not math.isfinite(value) or value <= 0:
                raise ConfigurationError(
                    f"backoff {name} must be a positive, finite number of seconds, got {value!r}",
                    key=f"queue_backoff_{name}",
                )
        if self.cap < self.base:
            raise ConfigurationError(
                f"backoff cap ({self.cap:g}s) must be at least its base ({self.base:g}s)",
                key="queue_backoff_cap",
            )

    @classmethod
    def from_config(cls, config: Config) -> Backoff:
        return cls(config.queue_backoff_base, config.queue_backoff_cap)

    def ceiling(self, attempt: int) -> float:
        """The longest wait after failed attempt `attempt` (1-based)."""
        exponent = min(max(attempt, 1) - 1, _MAX_EXPONENT)
        return min(self.cap, self.base * 2.0**exponent)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt `attempt`: half the ceiling to all of it."""
        ceiling = self.ceiling(attempt)
        draw = (rng or random).random()
        return ceiling / 2 + draw * ceiling / 2

    def next_at(
        self, attempt: int, now: dt.datetime, rng: random.Random | None = None
    ) -> dt.datetime:
        return now + dt.timedelta(seconds=self.delay(attempt, rng))
