"""The throwaway cluster: finding the binaries, the account it runs as, and a real start and stop.

The start-and-stop tests run where PostgreSQL server binaries are installed and skip,
naming what is missing, elsewhere.
"""

from __future__ import annotations

import os
import pwd
import socket
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from scrypath.testing.provisioning import postgres_cluster
from scrypath.testing.provisioning.database_env import POSTGRES_BIN_ENV
from scrypath.testing.provisioning.postgres_cluster import (
    ClusterError,
    RunAs,
    ServerBinaries,
    account_for_server,
    find_binaries,
    start_cluster,
)


def fake_server_tools(directory: Path, *, executable: bool = True) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for tool in ("initdb", "pg_ctl"):
        path = directory / tool
        path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        path.chmod(0o755 if executable else 0o644)
    return directory


def test_binaries_are_found_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres_cluster, "PACKAGED_BIN_GLOB", str(tmp_path / "none" / "*"))
    bin_dir = fake_server_tools(tmp_path / "bin")
    found = find_binaries({"PATH": str(bin_dir)})
    assert found == ServerBinaries(bin_dir.resolve())


def test_packaged_versions_are_searched_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("9.6", "16", "13"):
        fake_server_tools(tmp_path / "postgresql" / version / "bin")
    monkeypatch.setattr(postgres_cluster, "PACKAGED_BIN_GLOB", str(tmp_path / "postgresql/*/bin"))
    found = find_binaries({"PATH": str(tmp_path / "empty")})
    assert found == ServerBinaries(tmp_path / "postgresql" / "16" / "bin")


def test_a_pinned_directory_is_the_only_place_looked(tmp_path: Path) -> None:
    fake_server_tools(tmp_path / "on-path")
    empty = tmp_path / "empty"
    empty.mkdir()
    reason = find_binaries({POSTGRES_BIN_ENV: str(empty), "PATH": str(tmp_path / "on-path")})
    assert reason == f"no initdb and pg_ctl in {POSTGRES_BIN_ENV}"


def test_tools_that_cannot_run_are_not_binaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may execute files without the execute bit")
    monkeypatch.setattr(postgres_cluster, "PACKAGED_BIN_GLOB", str(tmp_path / "none" / "*"))
    bin_dir = fake_server_tools(tmp_path / "bin", executable=False)
    assert isinstance(find_binaries({"PATH": str(bin_dir)}), str)


def test_no_binaries_anywhere_names_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_cluster, "PACKAGED_BIN_GLOB", str(tmp_path / "none" / "*"))
    reason = find_binaries({"PATH": str(tmp_path)})
    assert isinstance(reason, str)
    assert "initdb" in reason and "PATH" in reason


def test_a_non_root_process_runs_the_server_as_itself() -> None:
    nobody = pwd.getpwnam("nobody").pw_uid if _has("nobody") else 65534
    run_as = account_for_server(euid=nobody)
    assert isinstance(run_as, RunAs)
    assert run_as.uid is None, "no account switch is needed"


def test_root_drops_to_an_unprivileged_account(monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = {"nobody": pwd.struct_passwd(("nobody", "x", 65534, 65534, "", "/", "/bin/false"))}

    def getpwnam(name: str) -> pwd.struct_passwd:
        return accounts[name]

    monkeypatch.setattr(postgres_cluster.pwd, "getpwnam", getpwnam)
    assert account_for_server(euid=0) == RunAs("nobody", 65534, 65534)


def test_root_without_an_unprivileged_account_gives_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def getpwnam(name: str) -> pwd.struct_passwd:
        if name == "postgres":  # an account that is itself root does not count
            return pwd.struct_passwd(("postgres", "x", 0, 0, "", "/", "/bin/sh"))
        raise KeyError(name)

    monkeypatch.setattr(postgres_cluster.pwd, "getpwnam", getpwnam)
    reason = account_for_server(euid=0)
    assert reason == (
        "PostgreSQL refuses to run as root and there is no unprivileged postgres or nobody account"
    )


def _has(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def local_cluster() -> tuple[ServerBinaries, RunAs]:
    binaries = find_binaries(os.environ)
    if isinstance(binaries, str):
        pytest.skip(f"needs PostgreSQL server binaries: {binaries}")
    run_as = account_for_server()
    if isinstance(run_as, str):
        pytest.skip(run_as)
    return binaries, run_as


def test_a_real_cluster_listens_on_loopback_only_and_is_removed_on_stop() -> None:
    binaries, run_as = local_cluster()
    url, stop = start_cluster(binaries, run_as)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            address = connection.execute(text("SHOW listen_addresses")).scalar_one()
            data = Path(connection.execute(text("SHOW data_directory")).scalar_one())
            fsync = connection.execute(text("SHOW fsync")).scalar_one()
        assert address == "127.0.0.1"
        assert fsync == "off"
        root = data.parent
        assert root.name.startswith("scrypath-pg-")
        if run_as.uid is not None:
            assert root.stat().st_uid == run_as.uid, "the unprivileged account owns the directory"
        assert stat.S_IMODE(root.stat().st_mode) == 0o700
    finally:
        engine.dispose()
        stop()
    assert not root.exists()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the server is gone"
    stop()  # a second stop is harmless


def test_a_taken_port_is_retried_on_another() -> None:
    binaries, run_as = local_cluster()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        busy = taken.getsockname()[1]
        ports = iter([busy, postgres_cluster.free_port()])
        url, stop = start_cluster(binaries, run_as, port=lambda: next(ports))
        try:
            assert f":{busy}/" not in url
        finally:
            stop()


def test_a_cluster_that_never_starts_reports_the_server_log_and_cleans_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    binaries, run_as = local_cluster()
    made: list[Path] = []
    real_make_root = postgres_cluster.make_root

    def tracking_root(account: RunAs) -> Path:
        made.append(real_make_root(account))
        return made[-1]

    monkeypatch.setattr(postgres_cluster, "make_root", tracking_root)
    monkeypatch.setitem(postgres_cluster.SERVER_SETTINGS, "shared_buffers", "'not-a-size'")
    with pytest.raises(ClusterError, match="server log"):
        start_cluster(binaries, run_as)
    assert made and not made[0].exists()


def test_a_cluster_left_by_a_killed_run_is_swept_by_the_next_one(tmp_path: Path) -> None:
    binaries, run_as = local_cluster()
    url, stop = start_cluster(binaries, run_as)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            root = Path(connection.execute(text("SHOW data_directory")).scalar_one()).parent
    finally:
        engine.dispose()
    assert postgres_cluster.sweep_abandoned(binaries, root.parent) == [], "its owner is alive"
    dead = subprocess.Popen(["true"])
    dead.wait()
    owner = root / postgres_cluster.OWNER_FILE
    owner.write_text(f"another-host {dead.pid}", encoding="utf-8")
    try:
        assert postgres_cluster.sweep_abandoned(binaries, root.parent) == [], "not this host's"
        owner.write_text(f"{socket.gethostname()} {dead.pid}", encoding="utf-8")
        assert postgres_cluster.sweep_abandoned(binaries, root.parent) == [root]
        assert not root.exists()
    finally:
        stop()
