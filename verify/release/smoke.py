"""The clean-consumer smoke: the built wheel, installed into a fresh virtualenv, works.

The wheel is installed by file (no editable or source-tree install), the consumer runs from
an empty directory with no `PYTHONPATH`, and it must find `scrypath` in the virtualenv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import venv
from pathlib import Path

from verify.release.dists import check_built
from verify.release.inspection import inspect_dists
from verify.release.problems import Problems
from verify.release.project import Project

CONSUMER = Path(__file__).with_name("consumer.py")
INSTALL_TIMEOUT_S = 600
RUN_TIMEOUT_S = 120
DROPPED_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV")


def check_smoke(project: Project) -> Problems:
    """Build (or reuse) the dists, inspect them, then install and use the wheel."""
    return check_built(
        project,
        "smoke",
        lambda dists, version, work: (
            inspect_dists(dists, version, work / "unpacked") + _consume(dists.wheel, version, work)
        ),
    )


def clean_env(env_dir: Path) -> dict[str, str]:
    """The environment of a shell that activated `env_dir`, with no path into the source."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    bin_dir = env_dir / "bin"
    env.update(
        VIRTUAL_ENV=str(env_dir),
        PATH=os.pathsep.join([str(bin_dir), env.get("PATH", "")]),
        PYTHONNOUSERSITE="1",
        NO_COLOR="1",
    )
    return env


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: int) -> tuple[int, str]:
    try:
        done = subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return -1, f"timed out after {timeout}s"
    return done.returncode, (done.stdout + done.stderr).strip()


def _last_lines(output: str) -> str:
    return " | ".join(output.splitlines()[-4:])


def _consume(wheel: Path, version: str, work: Path) -> list[str]:
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    consumer_dir = work / "consumer"
    consumer_dir.mkdir()
    shutil.copy(CONSUMER, consumer_dir / "consumer.py")
    env = clean_env(env_dir)
    code, out = _run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        consumer_dir,
        env,
        INSTALL_TIMEOUT_S,
    )
    if code != 0:
        return [f"pip could not install {wheel.name}: {_last_lines(out)}"]
    return _consumer_problems(python, consumer_dir, env, env_dir, version) + _cli_problems(
        env_dir, consumer_dir, env, version
    )


def _consumer_problems(
    python: str, cwd: Path, env: dict[str, str], env_dir: Path, version: str
) -> list[str]:
    code, out = _run([python, "consumer.py"], cwd, env, RUN_TIMEOUT_S)
    if code != 0:
        return [f"the consumer failed (exit {code}): {_last_lines(out)}"]
    try:
        outcome = json.loads(out.splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return [f"the consumer printed no outcome: {_last_lines(out)}"]
    problems = []
    if outcome.get("version") != version:
        problems.append(f"the installed scrypath is {outcome.get('version')!r}, not {version!r}")
    location = Path(str(outcome.get("location", ""))).resolve()
    if not location.is_relative_to(env_dir.resolve()):
        problems.append(f"the consumer imported scrypath from outside the virtualenv: {location}")
    return problems


def _cli_problems(env_dir: Path, cwd: Path, env: dict[str, str], version: str) -> list[str]:
    script = str(env_dir / "bin" / "scrypath")
    problems = []
    code, out = _run([script, "--help"], cwd, env, RUN_TIMEOUT_S)
    if code != 0 or "Usage:" not in out:
        problems.append(f"scrypath --help failed (exit {code}): {_last_lines(out)}")
    code, out = _run([script, "--version"], cwd, env, RUN_TIMEOUT_S)
    if out.strip() != f"scrypath {version}":
        problems.append(f"scrypath --version printed {out.strip()!r}, not 'scrypath {version}'")
    return problems
