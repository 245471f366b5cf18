"""`python -m verify adopter [--fast | --live]`: the example's tests on the fake and SQLite, or
on the services the environment names, probed first and never replaced in silence."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy.engine import make_url

from scrypath.testing.provisioning._env import FORCE_ENV, SERVED_BY_ENV, SKIPPED_ENV
from scrypath.testing.provisioning.database_env import DATABASE_PROVIDER_ENV
from tests.conftest import closed_port
from tests.verify.conftest import verify_process
from verify.__main__ import main
from verify.live_services import probe_meilisearch, probe_postgres
from verify.phases.adopter import EXAMPLE_DATABASE, fast_environment, live_environment

URL, KEY, DATABASE = (
    "SCRYPATH_TEST_MEILISEARCH_URL",
    "SCRYPATH_TEST_MEILISEARCH_KEY",
    "SCRYPATH_TEST_DATABASE_URL",
)


def test_fast_and_live_together_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["adopter", "--fast", "--live"]) == 1
    assert "--fast and --live exclude each other" in capsys.readouterr().err


def test_live_needs_a_phase_with_a_live_variant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "--live"]) == 1
    assert "--live applies to phases with a live variant" in capsys.readouterr().err


def test_fast_ignores_the_services_the_environment_names() -> None:
    named = {URL: "http://search:7700", KEY: "k", DATABASE: "postgresql://db/x", "PATH": "/bin"}
    env = fast_environment({**named, EXAMPLE_DATABASE: "postgresql://db/y"})
    assert env["SCRYPATH_TEST_MEILISEARCH_PROVIDER"] == "fake"
    assert URL not in env and KEY not in env and EXAMPLE_DATABASE not in env
    assert env["PATH"] == "/bin"


def test_live_pins_the_external_server_and_the_named_database() -> None:
    env = live_environment({URL: "http://search:7700", DATABASE: "postgresql://db/x"})
    assert env["SCRYPATH_TEST_MEILISEARCH_PROVIDER"] == "external"
    assert env[EXAMPLE_DATABASE] == "postgresql://db/x"


def test_the_probes_name_each_missing_variable() -> None:
    assert probe_meilisearch({}).problem == f"{URL} is not set: name the Meilisearch to verify"
    assert probe_postgres({}).problem == f"{DATABASE} is not set: name the PostgreSQL to verify"


def test_the_probes_name_an_unreachable_service_without_its_password() -> None:
    port = closed_port()
    meilisearch = probe_meilisearch({URL: f"http://127.0.0.1:{port}"})
    assert meilisearch.problem is not None and URL in meilisearch.problem
    url = f"postgresql+psycopg://app:hunter2@127.0.0.1:{port}/x"
    database = probe_postgres({DATABASE: url})
    assert database.problem is not None
    assert DATABASE in database.problem and "hunter2" not in database.problem


def test_a_provider_pinned_instead_of_the_named_one_is_refused() -> None:
    named = {URL: "http://search:7700", DATABASE: "postgresql://db/x"}
    meilisearch = probe_meilisearch({**named, FORCE_ENV: "fake"})
    assert meilisearch.problem is not None and f"unset {FORCE_ENV}" in meilisearch.problem
    database = probe_postgres({**named, DATABASE_PROVIDER_ENV: "cluster"})
    assert database.problem is not None and f"unset {DATABASE_PROVIDER_ENV}" in database.problem


def test_sqlite_is_not_accepted_for_a_live_run(tmp_path: Path) -> None:
    probe = probe_postgres({DATABASE: f"sqlite:///{tmp_path / 'x.db'}"})
    assert probe.problem is not None and "must name PostgreSQL" in probe.problem


def test_the_fake_behind_a_url_is_labelled_as_the_fake(meilisearch: Any) -> None:
    probe = probe_meilisearch({URL: meilisearch.url, KEY: meilisearch.api_key or ""})
    assert probe.problem is None
    if meilisearch.real:
        assert probe.description is not None and "fake" not in probe.description
    else:
        assert probe.description is not None
        assert probe.description.startswith("scrypath's fake Meilisearch behind a URL")


def adopter_shell() -> dict[str, str]:
    """This environment without what an outer verify run hands down to its tests (the pinned
    providers and who served), which an adopter's shell does not have."""
    handed_down = {KEY, SERVED_BY_ENV, SKIPPED_ENV, FORCE_ENV, DATABASE_PROVIDER_ENV}
    return {key: value for key, value in os.environ.items() if key not in handed_down}


def verify(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return verify_process(*args, env=env, timeout=600)


def test_a_live_run_with_nothing_named_stops_before_any_test() -> None:
    env = {k: v for k, v in adopter_shell().items() if k not in (URL, DATABASE)}
    result = verify("adopter", "--live", env=env)
    assert result.returncode == 1
    assert f"{URL} is not set" in result.stdout
    assert f"{DATABASE} is not set" in result.stdout
    assert "pytest: the example application's tests, on the named services  not_run" in (
        result.stdout
    )


@pytest.fixture
def spare_database(postgres_url: str) -> Iterator[str]:
    """A database of its own on the provisioned PostgreSQL, dropped afterwards."""
    name = f"adopter_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_a_live_run_uses_the_named_services(meilisearch: Any, spare_database: str) -> None:
    env = adopter_shell()
    env.update({URL: meilisearch.url, DATABASE: spare_database})
    if meilisearch.api_key:
        env[KEY] = meilisearch.api_key
    result = verify("adopter", "--live", env=env)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "adopter --live: serving: PostgreSQL" in result.stdout
    assert re.search(r"=+ \d+ passed in ", result.stdout)
    assert "Meilisearch served by external" in result.stdout
    if not meilisearch.real:
        assert "scrypath's fake Meilisearch behind a URL, not a real one" in result.stdout
