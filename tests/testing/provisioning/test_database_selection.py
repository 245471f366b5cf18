"""Database provider order, skip reasons, pinning, hand-off and honest labels of who served."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pluggy
import pytest

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning import (
    DATABASE_PROVIDER_ENV,
    DATABASE_SERVED_BY_ENV,
    DATABASE_URL_ENV,
    NoDatabaseError,
    ProvisionedDatabase,
    Skip,
    database_manager,
    handoff_database_environment,
    hookimpl,
    postgres_container,
    provision_database,
)
from scrypath.testing.provisioning.absences import absence_of
from scrypath.testing.provisioning.database_external import ExternalDatabaseProvider
from scrypath.testing.provisioning.postgres_cluster import (
    ClusterError,
    ClusterProvider,
    RunAs,
    ServerBinaries,
)
from scrypath.testing.provisioning.postgres_container import PostgresContainerProvider

BINARIES = ServerBinaries(Path("/opt/pg/bin"))
ACCOUNT = RunAs("postgres", 101, 104)
CLUSTER_URL = "postgresql+psycopg://postgres@127.0.0.1:54321/postgres"
CONTAINER_URL = "postgresql+psycopg://scrypath:container-pw-0123@127.0.0.1:32768/scrypath"


def probe(url: str) -> str:
    return "16.4"


def stub_manager(
    *,
    binaries: ServerBinaries | str = BINARIES,
    account: RunAs | str = ACCOUNT,
    cluster_fails: str | None = None,
    ping: str | None = "no engine",
    events: list[str] | None = None,
) -> pluggy.PluginManager:
    """The built-in providers with their machine-facing parts replaced."""
    seen = events if events is not None else []

    def start_cluster(found: ServerBinaries, run_as: RunAs) -> tuple[str, Callable[[], None]]:
        seen.append("cluster started")
        if cluster_fails:
            raise ClusterError(cluster_fails)
        return CLUSTER_URL, lambda: seen.append("cluster stopped")

    def start_container(env: Mapping[str, str]) -> tuple[str, Callable[[], None]]:
        seen.append("container started")
        return CONTAINER_URL, lambda: seen.append("container stopped")

    manager = database_manager(builtins=False, entry_points=False)
    manager.register(ExternalDatabaseProvider(probe=probe))
    manager.register(
        ClusterProvider(
            find=lambda env: binaries,
            account=lambda: account,
            start=start_cluster,
            probe=probe,
        )
    )
    manager.register(
        PostgresContainerProvider(
            ping=lambda timeout, env: ping, start=start_container, probe=probe
        )
    )
    return manager


def test_the_cluster_serves_when_no_url_is_set() -> None:
    events: list[str] = []
    result = provision_database({}, stub_manager(events=events))
    assert result.provider == "cluster"
    assert result.kind == "throwaway cluster"
    assert result.version == "16.4"
    assert result.skipped == (Skip("external", f"{DATABASE_URL_ENV} is not set"),)
    assert events == ["cluster started"], "the container is not asked once the cluster serves"
    result.stop()
    assert events[-1] == "cluster stopped"


def test_an_explicit_url_wins_and_is_labelled_external() -> None:
    events: list[str] = []
    env = {DATABASE_URL_ENV: "postgresql+psycopg://app:s3cret-pw@db.internal:5432/test"}
    result = provision_database(env, stub_manager(events=events))
    assert result.provider == "external"
    assert result.kind == "external URL"
    assert events == []
    assert "s3cret-pw" not in result.describe()
    assert "s3cret-pw" not in repr(result)
    assert "s3cret-pw" not in str(result.to_json())
    assert "app:***@db.internal:5432/test" in result.describe()


def test_the_container_serves_when_the_cluster_cannot_and_docker_answers() -> None:
    result = provision_database({}, stub_manager(binaries="no binaries here", ping=None))
    assert result.provider == "testcontainers"
    assert result.kind == "throwaway container"
    assert result.skipped == (
        Skip("external", f"{DATABASE_URL_ENV} is not set"),
        Skip("cluster", "no binaries here"),
    )
    assert "container-pw-0123" not in result.describe()


def test_no_provider_means_sqlite_only_with_every_reason() -> None:
    manager = stub_manager(binaries="no server binaries", ping="no Docker engine answered")
    with pytest.raises(NoDatabaseError) as caught:
        provision_database({}, manager)
    error = caught.value
    assert error.reason == "no_postgres_provider"
    assert [s.provider for s in error.skipped] == ["external", "cluster", "testcontainers"]
    assert absence_of(error.skip_reason()) == "postgres"
    assert "SQLite only" in error.skip_reason()
    assert "cluster: no server binaries" in error.skip_reason()
    message = error.required_message()
    assert "PostgreSQL is required" in message
    assert "testcontainers: no Docker engine answered" in message
    assert DATABASE_URL_ENV in message


def test_root_without_an_unprivileged_account_skips_the_cluster_with_that_reason() -> None:
    reason = "PostgreSQL refuses to run as root and there is no unprivileged postgres account"
    with pytest.raises(NoDatabaseError) as caught:
        provision_database({}, stub_manager(account=reason))
    assert Skip("cluster", reason) in caught.value.skipped


def test_a_cluster_that_fails_to_start_passes_to_the_next_provider() -> None:
    result = provision_database(
        {}, stub_manager(cluster_fails="pg_ctl exited 1: could not bind", ping=None)
    )
    assert result.provider == "testcontainers"
    assert result.skipped[1] == Skip(
        "cluster", "the cluster did not start (pg_ctl exited 1: could not bind)"
    )


def test_a_cluster_that_does_not_answer_is_stopped_and_skipped() -> None:
    events: list[str] = []

    def silent(url: str) -> str:
        raise ConfigurationError("PostgreSQL at ... did not answer: refused")

    manager = database_manager(builtins=False, entry_points=False)
    manager.register(
        ClusterProvider(
            find=lambda env: BINARIES,
            account=lambda: RunAs("me"),
            start=lambda b, r: (CLUSTER_URL, lambda: events.append("stopped")),
            probe=silent,
        )
    )
    with pytest.raises(NoDatabaseError) as caught:
        provision_database({}, manager)
    assert events == ["stopped"]
    assert "the cluster started but did not answer" in caught.value.skipped[0].reason


@pytest.mark.parametrize("pinned", ["external", "cluster", "testcontainers", "sqlite"])
def test_pinning_a_provider_skips_the_others_with_a_reason(pinned: str) -> None:
    env = {DATABASE_PROVIDER_ENV: pinned, DATABASE_URL_ENV: "postgresql+psycopg://u@h/d"}
    manager = stub_manager(ping=None)
    if pinned == "sqlite":
        with pytest.raises(NoDatabaseError) as caught:
            provision_database(env, manager)
        reasons = {s.reason for s in caught.value.skipped}
        assert reasons == {"not selected (provider pinned to sqlite)"}
        return
    result = provision_database(env, manager)
    assert result.provider == pinned
    assert all(s.reason == f"not selected (provider pinned to {pinned})" for s in result.skipped)


def test_an_unknown_pinned_provider_is_an_error_naming_the_variable() -> None:
    with pytest.raises(ConfigurationError, match=DATABASE_PROVIDER_ENV):
        provision_database({DATABASE_PROVIDER_ENV: "mysql"}, stub_manager())


def test_an_external_url_that_does_not_answer_fails_instead_of_falling_back() -> None:
    def refused(url: str) -> str:
        raise ConfigurationError("PostgreSQL at x did not answer: connection refused")

    manager = database_manager(builtins=False, entry_points=False)
    manager.register(ExternalDatabaseProvider(probe=refused))
    env = {DATABASE_URL_ENV: "postgresql+psycopg://u@127.0.0.1:1/d"}
    with pytest.raises(ConfigurationError, match=DATABASE_URL_ENV) as caught:
        provision_database(env, manager)
    assert caught.value.reason == "configuration"


def test_a_child_reports_the_parents_cluster_not_an_external_url() -> None:
    parent = ProvisionedDatabase(
        "cluster",
        CLUSTER_URL,
        "throwaway cluster",
        "16.4",
        skipped=(Skip("external", f"{DATABASE_URL_ENV} is not set"),),
    )
    env = handoff_database_environment(parent)
    assert env[DATABASE_URL_ENV] == CLUSTER_URL
    assert env[DATABASE_PROVIDER_ENV] == "external"
    events: list[str] = []
    child = provision_database(env, stub_manager(events=events))
    assert events == [], "the child reuses the parent's server"
    assert child.provider == "cluster"
    assert child.kind == "throwaway cluster"
    assert child.url == CLUSTER_URL
    assert child.skipped == parent.skipped
    assert child.close is None, "the child never stops the parent's server"


def test_a_child_of_a_run_without_postgres_repeats_the_reasons_without_retrying() -> None:
    reasons = (Skip("cluster", "no server binaries"), Skip("testcontainers", "no engine"))
    env = handoff_database_environment(None, reasons)
    assert DATABASE_URL_ENV not in env
    events: list[str] = []
    with pytest.raises(NoDatabaseError) as caught:
        provision_database(env, stub_manager(ping=None, events=events))
    assert events == []
    assert caught.value.skipped == reasons


def test_a_garbled_handoff_is_ignored() -> None:
    env = {DATABASE_SERVED_BY_ENV: "{not json"}
    result = provision_database(env, stub_manager())
    assert result.provider == "cluster"


class CompanyDatabase:
    @hookimpl
    def scrypath_provision_database(
        self, env: Mapping[str, str], skipped: list[Skip]
    ) -> ProvisionedDatabase | None:
        return ProvisionedDatabase(
            "company", "postgresql://ci@db/ci", "shared CI server", "15.1", tuple(skipped)
        )


def test_an_installed_provider_is_asked_after_the_url_and_before_the_cluster() -> None:
    events: list[str] = []
    manager = stub_manager(events=events)
    manager.register(CompanyDatabase())
    result = provision_database({}, manager)
    assert result.provider == "company"
    assert events == []
    assert [s.provider for s in result.skipped] == ["external"]


def test_builtin_manager_registers_the_three_providers_in_order() -> None:
    manager = database_manager(entry_points=False)
    names = [impl.plugin_name for impl in manager.hook.scrypath_provision_database.get_hookimpls()]
    # pluggy calls the last of this list first
    assert names[::-1] == ["database-external", "database-cluster", "database-testcontainers"]
    assert postgres_container.DEFAULT_POSTGRES_IMAGE.startswith("postgres:")
