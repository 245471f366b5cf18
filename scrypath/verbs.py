"""What every root verb does with its keywords, written once.

- The sync mode is spelled `mode=`; `sync_mode=`, the configuration key, is accepted as the
  same thing, and giving both is refused.
- Any other keyword must be a configuration key; an unknown one is refused naming the verb
  the caller called, with the closest key when there is one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from scrypath.config import KEYS, Config, SyncMode, resolve
from scrypath.errors import ConfigurationError


def resolve_for(
    verb: str, mode: SyncMode | None, overrides: dict[str, Any], options: Iterable[str] = ()
) -> Config:
    """The configuration one call of `verb` runs with; `options` are the verb's own keywords,
    offered as suggestions for a misspelt one."""
    check_keywords(verb, overrides, options)
    if "sync_mode" in overrides:
        if mode is not None:
            raise ConfigurationError(
                f"{verb}(): the sync mode was given twice (mode= and sync_mode=); pass one",
                key="sync_mode",
            )
        mode = overrides.pop("sync_mode")
    return resolve(sync_mode=mode, **overrides)


def check_keywords(verb: str, overrides: dict[str, Any], options: Iterable[str] = ()) -> None:
    """Refuse a keyword that is neither an option of `verb` nor a configuration key."""
    known = (*options, *KEYS)
    for key in overrides:
        if key not in KEYS:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigurationError(
                f"{verb}() got an unknown keyword {key!r}: neither an option of {verb} nor "
                f"a configuration key{hint}",
                key=key,
            )
