"""Actions through the test client: confirm first (a GET that changes nothing), then a
CSRF-checked POST that goes through `reconcile_sync`, so an unrecommended action is refused
exactly as from Python or the CLI."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.testclient import TestClient

from scrypath.queue import JobState
from tests.conftest import Models
from tests.queue.support import all_jobs, documents
from tests.web.support import (
    TOKEN,
    console_for,
    csrf_of,
    discard_a_job,
    drain,
    failed_task_without_job,
    key_of,
    live_index,
)


def base(models: Models) -> str:
    return f"/models/{quote(key_of(models.Post), safe=':')}"


def confirmed(client: TestClient, models: Models, **fields: str) -> Any:
    """Open the confirmation page for `fields`, then submit its form as a person would."""
    page = client.get(f"{base(models)}/confirm", params=fields)
    assert page.status_code == 200, page.text
    assert 'id="recommended"' in page.text
    form = {"csrf_token": csrf_of(page.text), "confirm": "yes", **fields}
    return client.post(f"{base(models)}/actions", data=form)


def test_retrying_a_recommended_row_requeues_it_and_links_back_to_the_report(
    setup: Models, client: TestClient, meilisearch_fake: Any
) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    answer = confirmed(client, setup, action="retry", work_id=f"job:{job}")
    assert answer.status_code == 200
    assert f"Applied: retry job:{job}" in answer.text
    assert f'href="{base(setup)}"' in answer.text and "Back to the refreshed report" in answer.text
    assert all_jobs(setup.database.engine)[-1].state is JobState.AVAILABLE
    drain(setup)
    report = client.get(base(setup)).text
    assert f'id="row-job-{job}"' not in report


def test_applying_a_recommended_backfill_makes_the_report_clean(
    setup: Models, client: TestClient, meilisearch: Any, meilisearch_fake: Any
) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    failed_task_without_job(meilisearch, meilisearch_fake, live_index(setup))
    assert confirmed(client, setup, action="retry", work_id=f"job:{job}").status_code == 200
    drain(setup)
    answer = confirmed(client, setup, action="backfill")
    assert answer.status_code == 200 and "Applied: backfill" in answer.text
    assert set(documents(meilisearch, live_index(setup))) == {1}


def test_an_unrecommended_action_is_refused_and_changes_nothing(
    setup: Models, client: TestClient, meilisearch: Any, meilisearch_fake: Any
) -> None:
    task = failed_task_without_job(meilisearch, meilisearch_fake, live_index(setup))
    page = client.get(
        f"{base(setup)}/confirm", params={"action": "retry", "work_id": f"task:{task}"}
    )
    assert 'id="not-recommended"' in page.text and "confirm-button" not in page.text
    form = {
        "csrf_token": csrf_of(client.get("/sign-in").text),
        "confirm": "yes",
        "action": "reindex",
    }
    refused = client.post(f"{base(setup)}/actions", data=form)
    assert refused.status_code == 409
    assert "action_not_recommended" in refused.text
    assert "reindex is not one of this report&#39;s recommended actions" in refused.text
    indexes = meilisearch.client.http.get("indexes?limit=1000")["results"]
    assert not [item for item in indexes if item["uid"].startswith(live_index(setup))]
    assert f'id="row-task-{task}"' in client.get(base(setup)).text


def test_a_post_needs_the_confirmation_and_a_well_formed_action(
    setup: Models, client: TestClient, meilisearch_fake: Any
) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    token = csrf_of(client.get("/sign-in").text)
    unconfirmed = {"csrf_token": token, "action": "retry", "work_id": f"job:{job}"}
    assert client.post(f"{base(setup)}/actions", data=unconfirmed).status_code == 400
    nonsense = {"csrf_token": token, "confirm": "yes", "action": "drop-index"}
    assert client.post(f"{base(setup)}/actions", data=nonsense).status_code == 400
    malformed = {"csrf_token": token, "confirm": "yes", "action": "retry", "work_id": "job:x"}
    assert client.post(f"{base(setup)}/actions", data=malformed).status_code == 400
    assert all_jobs(setup.database.engine)[-1].state is JobState.DISCARDED


def test_a_read_only_console_refuses_every_action(setup: Models, meilisearch_fake: Any) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    with TestClient(console_for(setup), headers={"authorization": f"Bearer {TOKEN}"}) as client:
        report = client.get(base(setup)).text
        assert "Retry job:" not in report and "read-only" in report
        fields = {"action": "retry", "work_id": f"job:{job}"}
        assert client.get(f"{base(setup)}/confirm", params=fields).status_code == 403
        form = {"csrf_token": csrf_of(client.get("/sign-in").text), "confirm": "yes", **fields}
        assert client.post(f"{base(setup)}/actions", data=form).status_code == 403
    assert all_jobs(setup.database.engine)[-1].state is JobState.DISCARDED
