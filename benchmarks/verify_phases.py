"""Wall time of each numbered verify phase on this machine, against its target.

Each phase runs as a maintainer runs it, `python -m verify phaseNN --json REPORT`, in a
process of its own. The baseline, measured in the same run, is one pytest start-up that
collects a small file and runs nothing: every pytest step of a phase pays it once, so the
ratio says how much of a phase is start-up and how much is its tests.

    python benchmarks/verify_phases.py                    # phases 14, 20, 26, 28 and 11
    python benchmarks/verify_phases.py --phases phase14 phase28 --rounds 2
    python benchmarks/verify_phases.py --cache-bytecode   # where PYTHONDONTWRITEBYTECODE is set

Targets: phase28 <= 20 s, phase14 <= 30 s. The other phases are measured and reported.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("phase14", "phase20", "phase26", "phase28", "phase11")
TARGETS_S = {"phase14": 30.0, "phase28": 20.0}
STARTUP_PROBE = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--co", "tests/test_caches.py")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the process and all it waited for, and the exit code.

    On a shared machine the wall time swings with the load; the CPU time much less, and on
    an idle machine a phase's wall time is close to it (its steps run one at a time).
    """
    cpu, started = _children_cpu(), time.perf_counter()
    quiet = subprocess.DEVNULL
    code = subprocess.call(argv, cwd=ROOT, env=env, stdout=quiet, stderr=quiet)
    return time.perf_counter() - started, _children_cpu() - cpu, code


def bytecode_env(prefix: str | None) -> dict[str, str] | None:
    """With a prefix, bytecode is cached there (and warmed), even where the environment
    turns caching off; the checkout itself is never written to."""
    if prefix is None:
        return None
    env = {**os.environ, "PYTHONPYCACHEPREFIX": prefix}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    trees = [tree for tree in ("scrypath", "tests", "verify", "examples") if (ROOT / tree).is_dir()]
    warm = [sys.executable, "-m", "compileall", "-q", *trees]
    subprocess.call(warm, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    return env


def bytecode(env: dict[str, str] | None) -> str:
    current = os.environ if env is None else env
    if current.get("PYTHONDONTWRITEBYTECODE"):
        return "bytecode caching off (PYTHONDONTWRITEBYTECODE): every process compiles from source"
    if current.get("PYTHONPYCACHEPREFIX"):
        return "bytecode cached in a separate directory (PYTHONPYCACHEPREFIX)"
    return "bytecode cached"


def pytest_startup(env: dict[str, str] | None) -> float:
    """One pytest start-up with the project's plugins and conftest, collecting only."""
    seconds, _, code = _timed([sys.executable, *STARTUP_PROBE], env)
    if code != 0:
        raise SystemExit(f"the start-up probe failed (exit {code})")
    return seconds


def run_phase(
    name: str, workdir: Path, env: dict[str, str] | None
) -> tuple[float, float, dict[str, Any]]:
    """The phase's wall and CPU seconds, and its JSON report."""
    report = workdir / f"{name}.json"
    argv = [sys.executable, "-m", "verify", name, "--json", str(report)]
    seconds, cpu, _ = _timed(argv, env)
    if not report.exists():
        raise SystemExit(f"{name} wrote no report: run `python -m verify {name}` to see why")
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return seconds, cpu, data


def describe(
    name: str, seconds: float, cpu: float, report: dict[str, Any], startup: float
) -> list[str]:
    (phase,) = report["phases"]
    steps = phase["steps"]
    pytest_steps = sum(1 for step in steps if step["kind"] == "pytest")
    target = TARGETS_S.get(name)
    verdict = (
        f"target <= {target:.0f} s: ratio {seconds / target:.2f}"
        f" ({'met' if seconds <= target else 'MISSED'})"
        if target
        else "no target"
    )
    lines = [
        f"{name}: {seconds:.1f} s wall ({cpu:.1f} s CPU), {phase['outcome']}; {verdict};"
        f" {pytest_steps} pytest start-ups = {pytest_steps * startup:.1f} s"
        f" ({seconds / startup:.1f}x one start-up)"
    ]
    for step in sorted(steps, key=lambda s: -s["duration_s"]):
        share = step["duration_s"] / seconds if seconds else 0.0
        lines.append(
            f"    {step['duration_s']:6.1f} s  {share:4.0%}  {step['outcome']:<7}  {step['label']}"
        )
    return lines


def served(report: dict[str, Any]) -> str:
    """Who served the phase's tests, as its report says (never a real server by assumption)."""
    meili = report.get("meilisearch", {})
    line = f"Meilisearch: {meili.get('provider')} (real: {meili.get('real')})"
    if "database" in report:
        line += f"; database: {json.dumps(report['database'])}"
    return line


def machine() -> str:
    """Cores and load: a phase's wall time means little without them on a shared machine."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} (1 min), {five:.2f} (5 min)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phases", nargs="+", default=list(PHASES), choices=PHASES)
    parser.add_argument("--rounds", type=int, default=1, help="runs per phase (median reported)")
    parser.add_argument(
        "--cache-bytecode",
        action="store_true",
        help="cache bytecode in a temporary directory, as a developer's machine does",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scrypath-bench-verify-") as work:
        workdir = Path(work)
        env = bytecode_env(str(workdir / "pycache") if args.cache_bytecode else None)
        startup = statistics.median(pytest_startup(env) for _ in range(3))
        print(f"machine: {machine()}; {bytecode(env)}")
        print(f"baseline: one pytest start-up (collect only) = {startup:.2f} s")
        for name in args.phases:
            runs = [run_phase(name, workdir, env) for _ in range(args.rounds)]
            seconds = statistics.median(seconds for seconds, _, _ in runs)
            cpu = statistics.median(cpu for _, cpu, _ in runs)
            report = runs[-1][2]
            if name == args.phases[0]:
                print(served(report))
            print("\n".join(describe(name, seconds, cpu, report, startup)))
        print(f"machine at the end: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
