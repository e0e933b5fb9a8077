"""A real server for tests that need one: uvicorn in a thread on 127.0.0.1 (a free port), serving
the test database through the app `shokei run` builds. The browser tests and the CLI's remote
mode use it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from shokei.app import create_app
from shokei.bootstrap import Shokei
from shokei.kernel.unit_of_work import UnitOfWork
from tests.web.conftest import web_shokei


@dataclass
class LiveServer:
    url: str
    shokei: Shokei


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(uow: UnitOfWork, data_dir: Path) -> Iterator[LiveServer]:
    shokei = web_shokei(uow, data_dir)
    port = free_port()
    config = uvicorn.Config(
        create_app(shokei), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="shokei-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:  # polls the server's own flag: a readiness check, not a sleep for time
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", shokei)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
