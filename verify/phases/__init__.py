"""Built-in phases. Each module is a plugin, registered from the one tuple below."""

from __future__ import annotations

from verify.phases import (
    adopter,
    aggregates,
    basic,
    console,
    phase11,
    phase14,
    phase20,
    phase26,
    phase28,
)

BUILTIN_PLUGINS: tuple[object, ...] = (
    basic,
    phase14,
    phase20,
    phase26,
    phase28,
    phase11,
    console,
    adopter,
    aggregates,
)
