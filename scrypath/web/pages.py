"""The read-only pages: the overview, a model's page, and the sign-in form.

Nothing here changes anything: every GET only reads reports (`scrypath.web.reads`). The
human lines come from the CLI's line builders, so a page and `scrypath reconcile` say the
same thing in the same words.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scrypath.cli import operator_lines as lines
from scrypath.cli.audit import audit_lines
from scrypath.operator.reconcile import ReconcileReport
from scrypath.web.chart import lag_and_failed
from scrypath.web.failed_view import failed_page, parse_class, parse_page
from scrypath.web.gate import admitted, console_of, sign_in_page
from scrypath.web.reads import describe_backend, model_heading
from scrypath.web.rendering import render
from scrypath.web.security import CSRF_FIELD, csrf_valid, sign_in, token_matches

SHOWN_RETRIES = 20


@admitted
async def overview(request: Request) -> Response:
    """Every model: index, queue counts, lag, failed-work and contract-drift badges."""
    console = console_of(request)
    rows = await run_in_threadpool(console.reader.overview)
    history = console.history
    mode, backend = describe_backend(console.settings.overrides)
    panels = lag_and_failed(history.combined(console.settings.models), history.now())
    read_at = time.strftime("%H:%M:%S", time.gmtime(history.now()))
    context = {"rows": rows, "mode": mode, "backend": backend, "panels": panels}
    context["read_at"] = read_at
    return render(request, console.settings, "overview.html", context)


def model_key(request: Request) -> str:
    """The model named in the path; an unknown one is a 404, never a guess."""
    key = str(request.path_params["key"])
    if key not in console_of(request).settings.models:
        raise HTTPException(404, "no such model in this console")
    return key


@admitted
async def model(request: Request) -> Response:
    """One model: status, failed work by class, reconcile, contract drift, and (on request)
    the document audit."""
    console = console_of(request)
    key = model_key(request)
    audit = request.query_params.get("audit") == "1"
    shown_class = parse_class(request.query_params.get("class"))
    page = parse_page(request.query_params.get("page"))
    reconcile, drift = await run_in_threadpool(
        console.reader.model_page, key, audit=audit, shown_class=shown_class, page=page
    )
    settings = console.settings
    context: dict[str, Any] = {
        **model_heading(settings, key),
        "audit": audit,
        "reconcile": reconcile,
        "drift": drift,
        "panels": lag_and_failed(console.history.series(key), console.history.now()),
        "mode": describe_backend(settings.overrides)[0],
    }
    if reconcile.report is not None:
        context.update(report_context(reconcile.report, key, page, settings.page_size))
    return render(request, settings, "model.html", context)


def report_context(report: ReconcileReport, key: str, page: int, size: int) -> dict[str, Any]:
    """What the model page shows of a reconcile report (one page of its failed work), with
    the CLI's own lines."""
    retries = {action.work_id for action in report.actions if action.kind == "retry"}
    repairs = [action for action in report.actions if action.kind != "retry"]
    return {
        "report": report,
        "status_lines": lines.status_lines(report.status, key)[1:],
        "class_lines": lines.class_count_lines(report.failed.class_counts or {}),
        "listing": failed_page(report.failed, page, size),
        "row_lines": lines.row_lines,
        "retries": retries,
        "repairs": repairs,
        "reindex_line": lines.reindex_line(report.reindex),
        "signals_line": lines.signals_line(report.signals),
        "actions_line": _actions_line(report, repairs, len(retries)),
        "retry_total": _retry_total(report, len(retries)),
        "audit_lines": (
            None if report.document_drift is None else audit_lines(report.document_drift, key)
        ),
    }


def _retry_total(report: ReconcileReport, shown: int) -> int:
    """Retries the whole report recommends (a paged report lists those of its page)."""
    window = report.failed.window
    return shown if window is None else window.retryable


def _actions_line(report: ReconcileReport, repairs: list[Any], shown: int) -> str:
    """The CLI's `Recommended actions:` line when every retry is on this page and there are
    at most `SHOWN_RETRIES`; else the repairs and a count (each retry has its button on its
    row)."""
    retries = _retry_total(report, shown)
    if retries == shown and retries <= SHOWN_RETRIES:
        return lines.actions_line(report.actions)
    return f"{lines.actions_line(repairs)} (and {retries} retries, one per retryable row)"


async def sign_in_form(request: Request) -> Response:
    """The sign-in form (standalone only); signed-in browsers go to the overview."""
    console = console_of(request)
    if console.settings.access_token is None:
        return RedirectResponse(request.url_for("overview").path, 303)
    return sign_in_page(request, wrong=False, status_code=200)


async def sign_in_submit(request: Request) -> Response:
    """POST of the sign-in form: CSRF-checked, then the token compared in constant time."""
    console = console_of(request)
    settings = console.settings
    if settings.access_token is None:
        return RedirectResponse(request.url_for("overview").path, 303)
    form = await request.form()
    if not csrf_valid(settings, request, form.get(CSRF_FIELD)):
        return render(request, settings, "csrf.html", {}, status_code=403)
    given = form.get("token")
    if not token_matches(settings, given if isinstance(given, str) else None):
        return sign_in_page(request, wrong=True)
    response = RedirectResponse(request.url_for("overview").path, 303)
    return sign_in(settings, request, response)
