"""Attributes as they leave the process: named from one table, plain, bounded, never secret.

Only keywords `names.ATTRIBUTES` lists become attributes, and only plain values (text, whole
and real numbers, booleans); anything else is dropped rather than turned into text, so a
record, a document or a URL can never slip into a span or a metric point by accident.
"""

from __future__ import annotations

from typing import Any

from scrypath.telemetry.names import ATTRIBUTES

MAX_TEXT = 256
"""Longest text value kept; a longer one is cut (index and model names are far shorter)."""


def clean(values: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """The attributes of `values` (keyword -> value) under their exported keys."""
    cleaned: dict[str, str | int | float | bool] = {}
    for name, value in values.items():
        key = ATTRIBUTES.get(name)
        if key is None or value is None:
            continue
        if isinstance(value, str):
            cleaned[key] = value[:MAX_TEXT]
        elif isinstance(value, bool | int | float):
            cleaned[key] = value
    return cleaned


def model_name(reference: str) -> str:
    """The class name of a model reference as the outbox stores it (`package.module:Post`),
    so queue metrics name a model as sync and search metrics do."""
    return reference.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


def failure(error: BaseException) -> dict[str, str]:
    """The attributes of a failure: `outcome`, the reason tag, its class, the error's type.

    The class comes from the same table the operator reports use, so a span and a failed-work
    row class one failure alike. The error's message is never taken: it can quote values.
    """
    from scrypath.errors import BackendError, ScrypathError

    if not isinstance(error, ScrypathError):
        cause = getattr(error, "cause", None)  # an internal refusal that names its cause
        if not isinstance(error, Exception):
            cause = "interrupted"
        return _failed(cause if isinstance(cause, str) else "unexpected", "unknown", error)
    from scrypath.operator.reasons import reason_class_of
    from scrypath.queue.jobs import classify

    recorded = classify(error) if isinstance(error, BackendError) else "unknown"
    reason_class = reason_class_of(recorded, error.reason, error.context.get("code"))
    return _failed(error.reason, reason_class, error)


def _failed(reason: str, reason_class: str, error: BaseException) -> dict[str, str]:
    return {
        "outcome": "failed",
        "reason": reason,
        "reason_class": reason_class,
        "error_type": type(error).__qualname__,
    }
