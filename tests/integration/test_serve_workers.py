"""`shokei serve --workers N`: N server processes under one supervisor, each with its own app and
connections, all answering on the one port; stopping the supervisor stops them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from shokei.kernel.unit_of_work import UnitOfWork
from tests.live_server import free_port

SHOKEI = Path(sys.executable).parent / "shokei"


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def _ready(url: str) -> dict[str, str] | None:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
            return dict(json.loads(response.read()))
    except (OSError, urllib.error.URLError):
        return None


def test_serve_with_two_workers_answers_from_two_processes_and_stops_them_all(
    uow: UnitOfWork, database_url: str, tmp_path: Path
) -> None:
    env = {**os.environ, "SHOKEI_DATABASE_URL": database_url, "SHOKEI_DATA_DIR": str(tmp_path / "var")}
    subprocess.run([str(SHOKEI), "init"], env=env, check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [str(SHOKEI), "serve", "--port", str(port), "--workers", "2"], env=env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 120
        while (checks := _ready(url)) is None:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.1)
        assert set(checks.values()) == {"ok"}, checks  # the database and the vault, from a worker
        workers = {
            child
            for child in _children(server.pid)
            if "resource_tracker" not in Path(f"/proc/{child}/cmdline").read_text()
        }
        assert len(workers) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0, (tmp_path / "serve.log").read_text()
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
