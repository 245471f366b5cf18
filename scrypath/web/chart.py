"""A small two-panel chart (sync lag, failed work) over the last hour, as plain SVG geometry.

The template draws it as inline SVG from the numbers computed here: no script, no chart
library, nothing the content-security policy has to allow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scrypath.web.history import WINDOW, Sample

WIDTH = 320
HEIGHT = 80
PAD = 4


@dataclass(frozen=True, slots=True)
class Panel:
    """One panel: its title, the latest value as text, the polyline's points and its peak."""

    title: str
    latest: str
    points: str
    peak: str
    empty: bool
    last: tuple[str, str] | None


def panel(
    title: str,
    samples: Sequence[Sample],
    now: float,
    read: Callable[[Sample], float | None],
    unit: str,
) -> Panel:
    """Samples mapped onto the panel: x is time over the last hour, y from 0 to the peak."""
    values = [(sample.at, read(sample)) for sample in samples]
    shown = [(at, value) for at, value in values if value is not None]
    peak = max((value for _, value in shown), default=0.0)
    scale = peak if peak > 0 else 1.0
    start = now - WINDOW
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    coordinates = [
        (
            f"{PAD + inner_w * min(1.0, max(0.0, (at - start) / WINDOW)):.1f}",
            f"{PAD + inner_h * (1 - value / scale):.1f}",
        )
        for at, value in shown
    ]
    points = " ".join(f"{x},{y}" for x, y in coordinates)
    latest = "none" if not values or values[-1][1] is None else _number(values[-1][1], unit)
    last = coordinates[-1] if coordinates else None
    return Panel(title, latest, points, _number(peak, unit), not shown, last)


def lag_and_failed(samples: Sequence[Sample], now: float) -> tuple[Panel, Panel]:
    """The two panels the console shows."""
    return (
        panel("Sync lag (oldest pending job)", samples, now, lambda s: s.lag, "s"),
        panel("Failed work", samples, now, lambda s: float(s.failed), ""),
    )


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "none"
    if unit:
        return f"{value:.1f} {unit}"
    return f"{value:.0f}"
