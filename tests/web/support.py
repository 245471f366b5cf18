"""Helpers the console's tests share: the console over the test's models, the CSRF token a
page carries, and the failed-work situations the operator tests already build."""

from __future__ import annotations

import re
from typing import Any

from scrypath.cli.common import model_reference
from scrypath.web import create_app
from tests.conftest import Models
from tests.operator.test_reconcile import (  # the operator tests' own set-ups
    discard_a_job,
    drain,
    failed_task_without_job,
    live_index,
    write_post,
)

TOKEN = "console-test-token-0123456789"

__all__ = [
    "TOKEN",
    "console_for",
    "csrf_of",
    "discard_a_job",
    "drain",
    "failed_task_without_job",
    "key_of",
    "live_index",
    "write_post",
]


def console_for(models: Models, **options: Any) -> Any:
    """A console over Author and Post, signed in by `TOKEN`, sampling only on page views."""
    options.setdefault("access_token", TOKEN)
    options.setdefault("sample_interval", None)
    return create_app([models.Author, models.Post], **options)


def key_of(model: Any) -> str:
    return model_reference(model)


def csrf_of(html: str) -> str:
    """The CSRF token a page's form carries."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)
