"""The console as a person uses it, in a real browser: open the overview, find the model
with failed work, retry one row and see it leave the failed list, apply the recommended
backfill, and see the audited report turn clean. The screenshots feed the docs page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Models
from tests.web.support import (
    TOKEN,
    console_for,
    discard_a_job,
    drain,
    failed_task_without_job,
    live_index,
)

pytestmark = pytest.mark.browser

IMAGES = Path(__file__).resolve().parents[3] / "docs" / "operations" / "img"


def shoot(driver: Any, models: Models, name: str) -> None:
    """Save a screenshot for the docs (from the SQLite run only, so each is taken once)."""
    if models.database.backend == "sqlite":
        IMAGES.mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(driver.get_window_size()["width"], min(max(height, 600), 2400))
        driver.save_screenshot(str(IMAGES / f"{name}.png"))
        driver.set_window_size(1280, 1000)


def click(driver: Any, css: str) -> None:
    """Click what `css` finds and wait for the page it leads to."""
    from selenium.webdriver.common.by import By

    navigate(driver, driver.find_element(By.CSS_SELECTOR, css))


def navigate(driver: Any, element: Any) -> None:
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    page = driver.find_element("tag name", "html")
    element.click()
    wait = WebDriverWait(driver, 60)
    wait.until(expected_conditions.staleness_of(page))
    wait.until(lambda found: found.execute_script("return document.readyState") == "complete")


def text(driver: Any, css: str = "body") -> str:
    from selenium.webdriver.common.by import By

    found: str = driver.find_element(By.CSS_SELECTOR, css).text
    return found


def test_an_operator_retries_a_row_then_backfills_until_the_report_is_clean(
    setup: Models, meilisearch: Any, meilisearch_fake: Any, chrome: Any, serve: Any
) -> None:
    from selenium.webdriver.common.by import By

    job = discard_a_job(setup, meilisearch_fake)
    failed_task_without_job(meilisearch, meilisearch_fake, live_index(setup))
    with setup.session() as session:  # a row written behind the sync's back
        session.add(setup.Post(id=2, title="never synced"))
        session.commit()
    base = serve(console_for(setup, actions=True))

    chrome.get(f"{base}/")
    assert "Sign in" in text(chrome)
    chrome.get(f"{base}/?token={TOKEN}")
    assert TOKEN not in chrome.current_url
    overview = text(chrome)
    assert "Search sync overview" in overview
    shoot(chrome, setup, "console-overview")

    post_row = chrome.find_element(By.ID, "model-Post")
    assert "failed work 2" in post_row.text
    navigate(chrome, post_row.find_element(By.LINK_TEXT, "Post"))
    assert f"job:{job}" in text(chrome, "#failed")
    assert "queue_exhausted" in text(chrome, "#failed")
    shoot(chrome, setup, "console-model")

    click(chrome, f"#row-job-{job} button")
    assert "Why the report recommends it" in text(chrome)
    shoot(chrome, setup, "console-confirm")
    click(chrome, "#confirm-button")
    assert f"Applied: retry job:{job}" in text(chrome)
    shoot(chrome, setup, "console-applied")
    click(chrome, "#back-to-report")
    assert f"job:{job}" not in text(chrome, "#failed")
    assert "pending_queue_work=yes" in text(chrome, "#status")

    drain(setup)
    chrome.refresh()
    assert "pending_queue_work=no" in text(chrome, "#status")
    click(chrome, "#action-backfill button")
    click(chrome, "#confirm-button")
    assert "Applied: backfill" in text(chrome)
    click(chrome, "#back-to-report")

    click(chrome, "#audit button")
    assert "Document audit OK" in text(chrome, "#audit")
    assert "Nothing to repair" in text(chrome, "#reconcile")
    shoot(chrome, setup, "console-clean")


def test_the_overview_reads_on_a_phone(
    setup: Models, meilisearch_fake: Any, chrome: Any, serve: Any
) -> None:
    discard_a_job(setup, meilisearch_fake)
    base = serve(console_for(setup))
    chrome.set_window_size(390, 844)
    try:
        chrome.get(f"{base}/?token={TOKEN}")
        assert "failed work 1" in text(chrome, "#model-Post")
        width = chrome.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, "the overview scrolls sideways on a phone"
        if setup.database.backend == "sqlite":
            IMAGES.mkdir(parents=True, exist_ok=True)
            chrome.save_screenshot(str(IMAGES / "console-phone.png"))
    finally:
        chrome.set_window_size(1280, 1000)
