"""The cluster provider: a throwaway PostgreSQL started from local server binaries.

It runs `initdb` in a temporary directory, starts the server on a free port that
listens on 127.0.0.1 only, and removes everything when the run ends. PostgreSQL
refuses to run as root, so under root the server runs as an unprivileged account
(`postgres`, else `nobody`) that owns the directory.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scrypath.testing.provisioning.database_env import POSTGRES_BIN_ENV
from scrypath.testing.provisioning.database_model import ProvisionedDatabase
from scrypath.testing.provisioning.database_offer import offer_database, probe_started
from scrypath.testing.provisioning.hookspecs import hookimpl
from scrypath.testing.provisioning.model import Skip
from scrypath.testing.provisioning.postgres_url import driver_missing, server_version

PACKAGED_BIN_GLOB = "/usr/lib/postgresql/*/bin"
UNPRIVILEGED_ACCOUNTS = ("postgres", "nobody")
START_TIMEOUT_S = 60
START_ATTEMPTS = 3
ROOT_PREFIX = "scrypath-pg-"
OWNER_FILE = "owner.pid"
# A throwaway cluster trades durability for speed; nothing in it outlives the run.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class ClusterError(Exception):
    """A server step failed; the message holds the tool's last words."""


@dataclass(frozen=True, slots=True)
class ServerBinaries:
    """A directory holding `initdb` and `pg_ctl` (and the `postgres` they start)."""

    directory: Path

    @property
    def initdb(self) -> str:
        return str(self.directory / "initdb")

    @property
    def pg_ctl(self) -> str:
        return str(self.directory / "pg_ctl")


@dataclass(frozen=True, slots=True)
class RunAs:
    """The account the server runs as; `uid` None means this process's own."""

    name: str
    uid: int | None = None
    gid: int | None = None


def _version_key(directory: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", directory)) or (0,)


def candidate_directories(env: Mapping[str, str]) -> list[Path]:
    """Where to look, in order: `SCRYPATH_TEST_POSTGRES_BIN`, `PATH`, packaged versions."""
    found: list[Path] = []
    pinned = env.get(POSTGRES_BIN_ENV, "").strip()
    if pinned:
        return [Path(pinned)]
    on_path = shutil.which("initdb", path=env.get("PATH", os.defpath))
    if on_path:
        found.append(Path(on_path).resolve().parent)
    for directory in sorted(glob.glob(PACKAGED_BIN_GLOB), key=_version_key, reverse=True):
        found.append(Path(directory))
    return found


def find_binaries(env: Mapping[str, str]) -> ServerBinaries | str:
    """The first directory with both `initdb` and `pg_ctl`, else why none was found."""
    for directory in candidate_directories(env):
        binaries = ServerBinaries(directory)
        if all(os.access(tool, os.X_OK) for tool in (binaries.initdb, binaries.pg_ctl)):
            return binaries
    if env.get(POSTGRES_BIN_ENV, "").strip():
        return f"no initdb and pg_ctl in {POSTGRES_BIN_ENV}"
    return f"no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in {PACKAGED_BIN_GLOB}"


def account_for_server(euid: int | None = None) -> RunAs | str:
    """This process's account, or under root an unprivileged one; else why there is none."""
    euid = os.geteuid() if euid is None else euid
    if euid != 0:
        return RunAs(pwd.getpwuid(euid).pw_name if _has_entry(euid) else str(euid))
    for name in UNPRIVILEGED_ACCOUNTS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if entry.pw_uid != 0:
            return RunAs(name, entry.pw_uid, entry.pw_gid)
    accounts = " or ".join(UNPRIVILEGED_ACCOUNTS)
    return f"PostgreSQL refuses to run as root and there is no unprivileged {accounts} account"


def _has_entry(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass(frozen=True, slots=True)
class Cluster:
    """One throwaway cluster: its binaries, its account, its directory and port."""

    binaries: ServerBinaries
    run_as: RunAs
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def run(self, argv: Sequence[str], *, timeout: float) -> None:
        """Run a server tool as the cluster's account; a failure raises `ClusterError`."""
        dropping = self.run_as.uid is not None
        try:
            done = subprocess.run(
                list(argv),
                cwd=self.root,
                env=_server_environment(self.root),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                user=self.run_as.uid,
                group=self.run_as.gid,
                extra_groups=[] if dropping else None,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise ClusterError(f"{Path(argv[0]).name}: {exc}") from None
        if done.returncode != 0:
            words = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ClusterError(f"{Path(argv[0]).name} exited {done.returncode}: {words[0]}")

    def initialise(self) -> None:
        self.run(
            [
                self.binaries.initdb,
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            timeout=START_TIMEOUT_S,
        )

    def start(self, port: int) -> None:
        # Later lines of postgresql.conf win, so a retry on another port appends again.
        settings = {**SERVER_SETTINGS, "port": str(port)}
        settings["unix_socket_directories"] = f"'{self.root}'"
        lines = "".join(f"{name} = {value}\n" for name, value in settings.items())
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(lines)
        pg_ctl = self.binaries.pg_ctl
        argv = [pg_ctl, "-D", str(self.data), "-l", str(self.log), "-w"]
        try:
            self.run([*argv, "-t", str(START_TIMEOUT_S), "start"], timeout=START_TIMEOUT_S + 10)
        except ClusterError as exc:
            raise ClusterError(f"{exc}; {self.log_tail()}") from None

    def stop(self) -> None:
        with contextlib.suppress(ClusterError):
            argv = [self.binaries.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w"]
            self.run([*argv, "-t", "30", "stop"], timeout=40)
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return "no server log"
        return "server log: " + (lines[-1] if lines else "empty")


def _server_environment(root: Path) -> dict[str, str]:
    """This environment without PG* variables that would steer the tools elsewhere."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    return {**env, "LC_ALL": "C", "LANG": "C", "HOME": str(root)}


def make_root(run_as: RunAs) -> Path:
    """A fresh private directory owned by the server's account, naming the process it serves."""
    root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
    (root / OWNER_FILE).write_text(f"{socket.gethostname()} {os.getpid()}", encoding="utf-8")
    if run_as.uid is not None and run_as.gid is not None:
        os.chown(root, run_as.uid, run_as.gid)
    return root


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_abandoned(binaries: ServerBinaries, where: Path | None = None) -> list[Path]:
    """Stop and remove clusters whose process died without stopping them (killed runs).

    A directory without a readable owner file may be one being set up right now, and one
    from another host (a container sharing the directory) has a process this one cannot
    see: both are left alone.
    """
    swept: list[Path] = []
    for root in Path(where or tempfile.gettempdir()).glob(f"{ROOT_PREFIX}*"):
        try:
            host, _, pid = (root / OWNER_FILE).read_text(encoding="utf-8").strip().rpartition(" ")
            owner = int(pid)
            uid, gid = root.stat().st_uid, root.stat().st_gid
        except (OSError, ValueError):
            continue
        if host != socket.gethostname() or _alive(owner):
            continue
        dropping = os.geteuid() == 0 and uid != 0
        run_as = RunAs(str(uid), uid, gid) if dropping else RunAs("self")
        Cluster(binaries, run_as, root).stop()
        swept.append(root)
    return swept


def start_cluster(
    binaries: ServerBinaries, run_as: RunAs, *, port: Callable[[], int] = free_port
) -> tuple[str, Callable[[], None]]:
    """Initialise and start a cluster; return its URL and a stopper that removes it."""
    sweep_abandoned(binaries)
    cluster = Cluster(binaries, run_as, make_root(run_as))
    try:
        cluster.initialise()
        chosen = _start_on_a_free_port(cluster, port)
    except BaseException:
        cluster.stop()
        raise
    return f"postgresql+psycopg://postgres@127.0.0.1:{chosen}/postgres", _once(cluster.stop)


def _start_on_a_free_port(cluster: Cluster, port: Callable[[], int]) -> int:
    """Start on a free port; another process may take it first, so try a few."""
    last: ClusterError | None = None
    for _ in range(START_ATTEMPTS):
        chosen = port()
        try:
            cluster.start(chosen)
        except ClusterError as exc:
            last = exc
            continue
        return chosen
    raise last or ClusterError("the server did not start")


def _once(action: Callable[[], None]) -> Callable[[], None]:
    lock = threading.Lock()
    done: list[bool] = []

    def run_once() -> None:
        with lock:
            if done:
                return
            done.append(True)
        action()

    return run_once


class ClusterProvider:
    """Serves a throwaway cluster when PostgreSQL server binaries are installed."""

    name = "cluster"
    kind = "throwaway cluster"

    def __init__(
        self,
        find: Callable[[Mapping[str, str]], ServerBinaries | str] = find_binaries,
        account: Callable[[], RunAs | str] = account_for_server,
        start: Callable[[ServerBinaries, RunAs], tuple[str, Callable[[], None]]] = start_cluster,
        probe: Callable[[str], str] = server_version,
    ) -> None:
        self._find = find
        self._account = account
        self._start = start
        self._probe = probe

    @hookimpl
    def scrypath_provision_database(
        self, env: Mapping[str, str], skipped: list[Skip]
    ) -> ProvisionedDatabase | None:
        return offer_database(self.name, env, skipped, functools.partial(self._serve, env))

    def _serve(
        self, env: Mapping[str, str], skipped: tuple[Skip, ...]
    ) -> ProvisionedDatabase | str:
        missing = driver_missing()
        if missing is not None:
            return missing
        binaries = self._find(env)
        if isinstance(binaries, str):
            return binaries
        run_as = self._account()
        if isinstance(run_as, str):
            return run_as
        try:
            started = self._start(binaries, run_as)
        except ClusterError as exc:
            return f"the cluster did not start ({exc})"
        return probe_started(self.name, self.kind, "cluster", started, self._probe, skipped)
