"""The command line against a real office server process (uvicorn on 127.0.0.1, a free port)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

INSPECTOR = [sys.executable, "-m", "inspector"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*INSPECTOR, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def office_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    office_dir = tmp_path / "office-data"
    port = _free_port()
    proc = subprocess.Popen(
        [*INSPECTOR, "--data-dir", str(office_dir), "office", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/docs", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the office server did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.2)
        yield url, office_dir
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_enrol_and_sync_from_the_command_line(office_server: tuple[str, Path], tmp_path: Path) -> None:
    url, office_dir = office_server
    added = _run(
        "--data-dir", str(office_dir), "office", "add-user", "王建军", "--role", "inspector", "--county", "140522"
    )
    assert added.returncode == 0, added.stderr
    user_id = added.stdout.strip().split()[-1]
    enrolled = _run("--data-dir", str(office_dir), "office", "enroll-device", user_id)
    assert enrolled.returncode == 0, enrolled.stderr
    code = enrolled.stdout.strip().split()[-1]
    laptop = tmp_path / "laptop"
    assert _run("--data-dir", str(laptop), "demo").returncode == 0

    first = _run("--data-dir", str(laptop), "sync", "--office", url, "--code", code, "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout[first.stdout.index("{") :])
    assert report["pushed"] > 100 and report["blobs_uploaded"] >= 7 and report["number_blocks"] == 1

    again = _run("--data-dir", str(laptop), "sync", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["pushed"] == 0

    reused = _run("--data-dir", str(tmp_path / "other"), "sync", "--office", url, "--code", code)
    assert reused.returncode == 2 and "error" in reused.stderr  # a one-time code works once
    offline = _run("--data-dir", str(tmp_path / "third"), "sync", "--office", "http://127.0.0.1:9", "--code", code)
    assert offline.returncode == 2 and "Cannot reach the office" in offline.stderr
