"""Byte sizes as the stats routes report them: a raw count, or a human-readable string.

`sizeFormat=human` renders a size in the largest binary unit it reaches, rounded to two
decimals with trailing zeros dropped (`0 B`, `1.5 KiB`, `12.34 MiB`), as Meilisearch does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def human_size(size: int) -> str:
    """`size` bytes in the largest binary unit not above it, with at most two decimals."""
    unit = 0
    while unit + 1 < len(_UNITS) and size >= 1024 ** (unit + 1):
        unit += 1
    value = (Decimal(size) / Decimal(1024**unit)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    text = format(value.normalize(), "f")
    return f"{text} {_UNITS[unit]}"


def render_size(size: int, *, human: bool) -> int | str:
    """The size as the chosen `sizeFormat` shows it."""
    return human_size(size) if human else size


@dataclass(frozen=True, slots=True)
class StatsFormat:
    """The stats routes' options: `showInternalDatabaseSizes` and `sizeFormat`."""

    internal_sizes: bool = False
    human: bool = False
