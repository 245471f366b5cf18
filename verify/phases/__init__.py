"""Built-in phases. Each module is a plugin, registered from the one tuple below."""

from __future__ import annotations

from verify.phases import basic

BUILTIN_PLUGINS: tuple[object, ...] = (basic,)
