"""The standalone entry point: `python -m scrypath.testing.meilisearch`."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from scrypath.testing.meilisearch.__main__ import parse_args

KEY = "standalone-master-key-0123456789"


def _start(*extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "scrypath.testing.meilisearch", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "http://127.0.0.1:" in line, line
    return line.split()[4]


def _get(url: str, key: str | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_standalone_serves_health_and_stops_cleanly(stop_signal):
    process = _start("--master-key", KEY)
    try:
        url = _url(process)
        assert _get(url + "/health") == (200, {"status": "available"})
        assert _get(url + "/version")[0] == 401
        assert _get(url + "/version", KEY)[0] == 200
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "stopped" in out
    assert KEY not in out + err


def test_arguments_have_meilisearch_like_defaults():
    args = parse_args([])
    assert (args.host, args.port, args.master_key) == ("127.0.0.1", 7700, None)
    assert parse_args(["--master-key", "k", "--port", "1"]).master_key == "k"
