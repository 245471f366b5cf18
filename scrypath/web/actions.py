"""Actions: retry one row, or apply one recommended reconcile action, in two steps.

1. `GET .../confirm` reads the reconcile report again and shows what the action would do,
   and whether the report recommends it (a GET changes nothing);
2. `POST .../actions` (CSRF token and `confirm=yes` required) calls `reconcile_sync` with
   that action. The API checks it against the report built in the same call, so an action
   the report does not recommend is refused (`ActionNotRecommendedError`, 409), exactly as
   from Python or the CLI.

Both answer 403 unless the console was started with actions enabled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from scrypath.cli import operator_lines as lines
from scrypath.errors import ActionNotRecommendedError, ConfigurationError, ScrypathError
from scrypath.meilisearch.boundary import scrub
from scrypath.operator.reconcile import ACTION_KINDS, Action, ReconcileReport, reconcile_sync
from scrypath.web.gate import admitted, console_of
from scrypath.web.pages import model_key
from scrypath.web.reads import model_heading
from scrypath.web.rendering import render
from scrypath.web.security import CSRF_FIELD, csrf_valid

MAX_FIELD = 64


@dataclass(frozen=True, slots=True)
class Requested:
    """The action a form or a link asks for (shape only; the report decides the rest)."""

    kind: str
    work_id: str | None
    audit: bool

    def label(self) -> str:
        return self.kind if self.work_id is None else f"{self.kind} {self.work_id}"

    def query(self) -> dict[str, str]:
        shown = {
            "action": self.kind,
            "work_id": self.work_id or "",
            "audit": "1" if self.audit else "",
        }
        return {key: item for key, item in shown.items() if item}


def requested(fields: Mapping[str, Any]) -> Requested | None:
    """The action named by `action`, `work_id` and `audit`; None when it is malformed."""
    kind, work_id = fields.get("action"), fields.get("work_id") or None
    if not isinstance(kind, str) or kind not in ACTION_KINDS:
        return None
    if work_id is not None and (not isinstance(work_id, str) or len(work_id) > MAX_FIELD):
        return None
    return Requested(kind, work_id, fields.get("audit") == "1")


def _read_only(request: Request) -> Response:
    settings = console_of(request).settings
    return render(request, settings, "read_only.html", {}, status_code=403)


def _bad_request(request: Request, key: str) -> Response:
    settings = console_of(request).settings
    context = {"key": key, "message": "the action or its row id is missing or malformed"}
    return render(request, settings, "bad_request.html", context, status_code=400)


def recommended(report: ReconcileReport, wanted: Requested) -> Action | None:
    """The report's own recommendation matching `wanted`, if there is one."""
    for action in report.actions:
        if (action.kind, action.work_id) == (wanted.kind, wanted.work_id):
            return action
    return None


@admitted
async def confirm(request: Request) -> Response:
    """The confirmation step: what would be applied, and whether the report recommends it."""
    console = console_of(request)
    key = model_key(request)
    if not console.settings.actions:
        return _read_only(request)
    wanted = requested(request.query_params)
    if wanted is None:
        return _bad_request(request, key)
    outcome = await run_in_threadpool(
        console.reader.reconcile, key, include_document_drift=wanted.audit
    )
    report = outcome.report
    context = {
        "key": key,
        "name": console.settings.models[key].__name__,
        "wanted": wanted,
        "failure": outcome.failure,
        "action": None if report is None else recommended(report, wanted),
        "actions_line": None if report is None else lines.actions_line(report.actions),
    }
    return render(request, console.settings, "confirm.html", context)


@admitted
async def apply(request: Request) -> Response:
    """Apply the confirmed action through `reconcile_sync`, and show what it did."""
    console = console_of(request)
    settings = console.settings
    key = model_key(request)
    if not settings.actions:
        return _read_only(request)
    form = await request.form()
    if not csrf_valid(settings, request, form.get(CSRF_FIELD)):
        return render(request, settings, "csrf.html", {}, status_code=403)
    wanted = requested(form)
    if wanted is None or form.get("confirm") != "yes":
        return _bad_request(request, key)
    found = settings.models[key]
    context: dict[str, Any] = {**model_heading(settings, key), "wanted": wanted}
    try:
        report = await run_in_threadpool(_reconcile_with_action, found, wanted, settings.overrides)
    except ActionNotRecommendedError as error:
        context["refusal"] = scrub(str(error))
        return render(request, settings, "refused.html", context, status_code=409)
    except ConfigurationError as error:
        context["message"] = scrub(str(error))
        return render(request, settings, "bad_request.html", context, status_code=400)
    except ScrypathError as error:
        context.update(reason=error.reason, message=scrub(str(error)))
        return render(request, settings, "action_failed.html", context, status_code=502)
    console.reader.drift_cache.forget(key)
    assert report.applied is not None
    context["applied_line"] = lines.applied_line(report.applied)
    context["applied"] = report.applied
    return render(request, settings, "applied.html", context)


def _reconcile_with_action(
    found: type[Any], wanted: Requested, overrides: Mapping[str, Any]
) -> ReconcileReport:
    return reconcile_sync(
        found,
        action=wanted.kind,
        work_id=wanted.work_id,
        include_document_drift=wanted.audit,
        **overrides,
    )
