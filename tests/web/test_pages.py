"""The read-only pages, through Starlette's test client: what an operator sees, in the
CLI's own words, and that reading never changes anything."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

import scrypath
from scrypath.operator.contract_drift import DIMENSIONS
from scrypath.queue import JobState
from tests.conftest import Models
from tests.queue.support import all_jobs
from tests.web.support import (
    console_for,
    discard_a_job,
    drain,
    failed_task_without_job,
    key_of,
    live_index,
    write_post,
)


def page_of(model: Any) -> str:
    return f"/models/{quote(key_of(model), safe=':')}"


def test_the_overview_lists_every_model_with_its_index_counts_and_badges(
    setup: Models, client: TestClient, meilisearch_fake: Any
) -> None:
    scrypath.ensure_index(setup.Author)
    discard_a_job(setup, meilisearch_fake)
    answer = client.get("/")
    assert answer.status_code == 200
    html = answer.text
    assert 'id="model-Author"' in html and 'id="model-Post"' in html
    assert live_index(setup) in html
    post_row = html.split('id="model-Post"')[1].split("</tr>")[0]
    author_row = html.split('id="model-Author"')[1].split("</tr>")[0]
    assert "failed work 1" in post_row
    assert "no failed work" in author_row
    assert "contract OK" in author_row
    assert "Sync mode <strong>queue</strong>" in html


def test_a_model_without_an_index_shows_the_badge_not_a_crash(
    setup: Models, client: TestClient
) -> None:
    html = client.get("/").text
    author_row = html.split('id="model-Author"')[1].split("</tr>")[0]
    assert "no index" in author_row
    assert "contract: index_not_found" in author_row


def test_the_model_page_groups_failed_work_by_class_with_reason_and_recovery(
    setup: Models, client: TestClient, meilisearch_fake: Any, meilisearch: Any
) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    task = failed_task_without_job(meilisearch, meilisearch_fake, live_index(setup))
    html = client.get(page_of(setup.Post)).text
    assert "Failed work by class:" in html
    assert "transport=0, validation=0, backend_rejected=1, queue_exhausted=1, unknown=0" in html
    assert f'id="row-job-{job}"' in html and f'id="row-task-{task}"' in html
    assert html.index('<h3 class="class-head">backend_rejected') < html.index(
        '<h3 class="class-head">queue_exhausted'
    )
    assert f"- id=job:{job} source=outbox state=failed operation=upsert retryable=yes" in html
    assert "Recovery:</strong> Fix the cause of the error, then retry job:" in html
    assert "Drift signals: pending_backend_work=no" in html
    assert f"Recommended actions: retry job:{job}, backfill" in html
    assert "Index contract OK" in html
    for name in DIMENSIONS:
        assert f"<code>{name}</code>" in html


def test_failed_work_is_paginated_and_filtered_by_class(
    setup: Models, meilisearch_fake: Any
) -> None:
    for post_id in (1, 2, 3):
        discard_a_job(setup, meilisearch_fake, post_id)
    with TestClient(console_for(setup, page_size=2, access_token=None, guard=lambda r: True)) as c:
        first = c.get(page_of(setup.Post)).text
        assert "rows 1-2 · page 1 of 2" in first
        second = c.get(page_of(setup.Post), params={"page": "2"}).text
        assert "rows 3-3 · page 2 of 2" in second
        beyond = c.get(page_of(setup.Post), params={"page": "99"}).text
        assert "page 2 of 2" in beyond
        none = c.get(page_of(setup.Post), params={"class": "transport"}).text
        assert "No failed or retrying work of class transport." in none
        nonsense = c.get(page_of(setup.Post), params={"class": "<x>", "page": "-3"})
        assert nonsense.status_code == 200 and "page 1 of 2" in nonsense.text


def test_the_document_audit_runs_only_behind_its_button_and_may_recommend_a_repair(
    setup: Models, client: TestClient, meilisearch: Any
) -> None:
    write_post(setup, 1, "kept")
    drain(setup)
    with setup.session() as session:  # a row the index never heard of
        session.add(setup.Post(id=2, title="unsynced"))
        session.commit()
    before = client.get(page_of(setup.Post)).text
    assert "Run the document audit" in before and "DOCUMENT DRIFT" not in before
    after = client.get(page_of(setup.Post), params={"audit": "1"}).text
    assert "DOCUMENT DRIFT for" in after and "! missing: 1: 2" in after
    assert 'id="action-repair"' in after


def test_reading_pages_changes_nothing(
    setup: Models, client: TestClient, meilisearch_fake: Any
) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    for path in ("/", page_of(setup.Post), page_of(setup.Post) + "/confirm"):
        client.get(path, params={"action": "retry", "work_id": f"job:{job}"})
    assert all_jobs(setup.database.engine)[-1].state is JobState.DISCARDED


def test_an_unknown_model_is_a_404(client: TestClient) -> None:
    answer = client.get("/models/nowhere:Nothing")
    assert answer.status_code == 404
    assert "no such model" in answer.text


@pytest.mark.parametrize("path", ["/", "/models/x:Y", "/sign-in"])
def test_every_response_carries_the_security_headers(setup: Models, path: str) -> None:
    with TestClient(console_for(setup)) as anonymous:
        answer = anonymous.get(path)
    csp = answer.headers["content-security-policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp
    assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in answer.text and "style=" not in answer.text


def test_the_stylesheet_is_served_from_the_package(client: TestClient) -> None:
    answer = client.get("/static/console.css")
    assert answer.status_code == 200
    assert "text/css" in answer.headers["content-type"]
    assert answer.headers["x-frame-options"] == "DENY"


def test_the_overview_says_when_it_read_and_how_old_the_kept_contract_badge_is(
    setup: Models, meilisearch_fake: Any
) -> None:
    scrypath.ensure_index(setup.Author)
    clock = [0.0]
    with TestClient(console_for(setup, access_token=None, guard=lambda r: True)) as c:
        c.app.state.console.reader.drift_cache._clock = lambda: clock[0]
        first = c.get("/").text
        clock[0] = 30.0
        again = c.get("/").text
    assert "counts read live at <time" in first
    author_first = first.split('id="model-Author"')[1].split("</tr>")[0]
    author_again = again.split('id="model-Author"')[1].split("</tr>")[0]
    assert "checked just now" in author_first
    assert "checked 30 s ago" in author_again


def test_a_page_of_failed_work_counts_the_retries_of_every_page(
    setup: Models, meilisearch_fake: Any
) -> None:
    for post_id in (1, 2, 3):
        discard_a_job(setup, meilisearch_fake, post_id)
    with TestClient(console_for(setup, page_size=2, access_token=None, guard=lambda r: True)) as c:
        html = c.get(page_of(setup.Post)).text
    assert "(and 3 retries, one per retryable row)" in html
    assert 'id="failed-total">3<' in html
