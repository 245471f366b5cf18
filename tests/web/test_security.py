"""The console's defences: the access token on every page, CSRF on every POST, the host's
guard when mounted, and no key, password, token or document content in any page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount
from starlette.testclient import TestClient

from scrypath.config import configure
from scrypath.errors import ConfigurationError
from scrypath.queue import JobState
from scrypath.web import create_app, trust_host
from scrypath.web.actions import requested
from scrypath.web.settings import ConsoleSettings
from tests.conftest import Models
from tests.queue.support import all_jobs
from tests.web.support import TOKEN, console_for, csrf_of, discard_a_job, key_of, write_post

SECRET_KEY = "meili-key-that-must-never-show-0042"
DOCUMENT_TEXT = "Confidential body text of a document"


def model_path(models: Models) -> str:
    return f"/models/{quote(key_of(models.Post), safe=':')}"


@pytest.mark.parametrize("path", ["/", "/models/any:Model", "/models/any:Model/confirm"])
def test_every_page_needs_the_token(setup: Models, path: str) -> None:
    with TestClient(console_for(setup, actions=True)) as stranger:
        answer = stranger.get(path)
        assert answer.status_code == 401
        assert "Sign in" in answer.text and TOKEN not in answer.text
        assert stranger.get(path, headers={"authorization": "Bearer wrong"}).status_code == 401
        assert stranger.post("/models/any:Model/actions").status_code == 401


def test_the_token_in_the_address_signs_in_and_is_dropped_from_it(setup: Models) -> None:
    with TestClient(console_for(setup), follow_redirects=False) as browser:
        wrong = browser.get("/", params={"token": "not-the-token-at-all"})
        assert wrong.status_code == 401 and "not right" in wrong.text
        answer = browser.get("/", params={"token": TOKEN, "page": "2"})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/?page=2"
        cookie = answer.headers["set-cookie"]
        assert TOKEN not in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert browser.get("/").status_code == 200


def test_the_sign_in_form_checks_csrf_and_the_token(setup: Models) -> None:
    with TestClient(console_for(setup), follow_redirects=False) as browser:
        form_page = browser.get("/sign-in")
        token = csrf_of(form_page.text)
        assert browser.post("/sign-in", data={"token": TOKEN}).status_code == 403
        assert (
            browser.post("/sign-in", data={"token": "x" * 20, "csrf_token": token}).status_code
            == 401
        )
        signed = browser.post("/sign-in", data={"token": TOKEN, "csrf_token": token})
        assert signed.status_code == 303 and browser.get("/").status_code == 200


def test_a_post_without_a_valid_csrf_token_changes_nothing(
    setup: Models, client: TestClient, meilisearch_fake: Any
) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    fields = {"action": "retry", "work_id": f"job:{job}", "confirm": "yes"}
    url = f"{model_path(setup)}/actions"
    assert client.post(url, data=fields).status_code == 403
    assert client.post(url, data={**fields, "csrf_token": "0" * 64}).status_code == 403
    token = csrf_of(client.get("/sign-in").text)
    client.cookies.clear()
    other = {"authorization": f"Bearer {TOKEN}"}
    assert client.post(url, data={**fields, "csrf_token": token}, headers=other).status_code == 403
    assert all_jobs(setup.database.engine)[-1].state is JobState.DISCARDED


def test_get_never_applies_an_action(
    setup: Models, client: TestClient, meilisearch_fake: Any
) -> None:
    job = discard_a_job(setup, meilisearch_fake)
    fields = {"action": "retry", "work_id": f"job:{job}", "confirm": "yes"}
    assert client.get(f"{model_path(setup)}/actions", params=fields).status_code == 405
    assert all_jobs(setup.database.engine)[-1].state is JobState.DISCARDED


def test_no_secret_or_document_content_appears_in_any_page(
    setup: Models, meilisearch_fake: Any
) -> None:
    configure(meilisearch_api_key=SECRET_KEY)
    write_post(setup, 5, DOCUMENT_TEXT)
    job = discard_a_job(setup, meilisearch_fake, 6)
    app = console_for(setup, actions=True)
    with TestClient(app, headers={"authorization": f"Bearer {TOKEN}"}) as client:
        pages = [
            client.get("/"),
            client.get(model_path(setup)),
            client.get(model_path(setup), params={"audit": "1"}),
            client.get(f"{model_path(setup)}/confirm", params={"action": "backfill"}),
            client.get(
                f"{model_path(setup)}/confirm", params={"action": "retry", "work_id": f"job:{job}"}
            ),
            client.get("/sign-in"),
        ]
    for page in pages:
        assert page.status_code == 200
        for secret in (SECRET_KEY, TOKEN, DOCUMENT_TEXT):
            assert secret not in page.text


def test_mounted_the_host_guard_decides_and_links_stay_inside_the_mount(setup: Models) -> None:
    def only_admins(request: Request) -> bool:
        return request.headers.get("x-role") == "admin"

    console = console_for(setup, access_token=None, guard=only_admins)
    host = Starlette(routes=[Mount("/ops/search", app=console)])
    with TestClient(host) as client:
        denied = client.get("/ops/search/")
        assert denied.status_code == 403
        assert "Path=/ops/search/" in denied.headers["set-cookie"]
        answer = client.get("/ops/search/", headers={"x-role": "admin"})
        assert answer.status_code == 200
        assert 'href="/ops/search/static/console.css"' in answer.text
        assert f'href="/ops/search{model_path(setup)}"' in answer.text


async def _async_guard(request: Request) -> bool:
    return request.headers.get("x-role") == "admin"


def test_an_async_guard_is_awaited(setup: Models) -> None:
    with TestClient(console_for(setup, access_token=None, guard=_async_guard)) as client:
        assert client.get("/").status_code == 403
        assert client.get("/", headers={"x-role": "admin"}).status_code == 200


def test_a_console_without_a_token_or_guard_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="access_token"):
        create_app([])
    with pytest.raises(ConfigurationError, match="at least 16"):
        create_app([], access_token="short")
    assert create_app([], guard=trust_host) is not None


@given(st.dictionaries(st.sampled_from(["action", "work_id", "audit"]), st.text(max_size=80)))
def test_the_action_parser_accepts_only_known_actions(fields: dict[str, str]) -> None:
    found = requested(fields)
    if found is not None:
        assert found.kind in ("retry", "backfill", "reindex", "repair")
        assert found.work_id is None or len(found.work_id) <= 64


@given(st.text(max_size=100))
def test_no_forged_csrf_token_passes(submitted: str) -> None:
    from starlette.requests import Request as Built

    from scrypath.web.security import csrf_valid

    settings = ConsoleSettings({}, guard=trust_host)
    scope = {"type": "http", "headers": [(b"cookie", b"scrypath_console_csrf=nonce123")]}
    assert not csrf_valid(settings, Built(scope), submitted)
