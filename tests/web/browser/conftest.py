"""The browser tests: a real headless Chromium (Debian's `chromium` and `chromium-driver`)
driven through Selenium against the console served by uvicorn on a free local port.

They stay out of the default test run: they are collected only when `-m browser` is given
or `SCRYPATH_BROWSER_TESTS=1` is set (as `python -m verify console` does). Without Chromium
they skip, saying what to install.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ENABLE_VARIABLE = "SCRYPATH_BROWSER_TESTS"
INSTALL_HINT = "apt-get install -y chromium chromium-driver"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name.startswith("test_"):
        wanted = os.environ.get(ENABLE_VARIABLE) == "1" or "browser" in (
            config.option.markexpr or ""
        )
        return None if wanted else True
    return None


def browser_binaries() -> tuple[str, str] | None:
    """Chromium and its driver: `SCRYPATH_CHROMIUM`/`SCRYPATH_CHROMEDRIVER`, else on PATH."""
    chromium = os.environ.get("SCRYPATH_CHROMIUM") or shutil.which("chromium")
    driver = os.environ.get("SCRYPATH_CHROMEDRIVER") or shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    return None


@pytest.fixture(scope="session")
def chrome() -> Iterator[Any]:
    """One headless Chromium for the session, laptop-sized."""
    found = browser_binaries()
    if found is None:
        pytest.skip(f"no Chromium browser or chromedriver found; install them ({INSTALL_HINT})")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(found[1]))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def serve() -> Iterator[Any]:
    """`serve(app)` runs `app` under uvicorn in a thread and returns its base URL."""
    import uvicorn

    servers: list[tuple[Any, threading.Thread]] = []

    def start(app: Any) -> str:
        port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the console did not start")
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)
