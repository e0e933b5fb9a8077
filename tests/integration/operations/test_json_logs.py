"""`SHOKEI_LOG_FORMAT=json`: a real `shokei serve` process writes its logs (uvicorn's start-up,
access and error records) as one JSON object a line, which a log shipper indexes as is."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from shokei.logs import JsonFormatter
from tests.conftest import Cli
from tests.integration.operations.test_crash_hygiene import SHOKEI, _free_port, _wait_for


def test_serve_writes_json_lines_with_access_fields(cli: Cli, cli_env: Path, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [SHOKEI, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            env={**os.environ, "SHOKEI_LOG_FORMAT": "json"},
        )
        base = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        try:
            _wait_for(ready, "the server answered", lambda: server.poll() is None)
            assert httpx.get(f"{base}/api/v1/cases", timeout=5).status_code == 401
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)

    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines, "the server logged nothing"
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(line["message"] == "Application startup complete." for line in lines)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert {(a["method"], a["path"], a["status"]) for a in access} >= {
        ("GET", "/healthz", 200),
        ("GET", "/api/v1/cases", 401),
    }


def test_an_error_record_carries_its_traceback() -> None:
    try:
        raise RuntimeError("the tail could not be signed")
    except RuntimeError:
        record = logging.LogRecord(
            "shokei.cli", logging.ERROR, __file__, 1, "sealing failed", None, sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["logger"], line["message"]) == ("error", "shokei.cli", "sealing failed")
    assert "RuntimeError: the tail could not be signed" in line["exception"]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_access_lines_leave_out_query_strings(
    cli: Cli, cli_env: Path, tmp_path: Path, log_format: str
) -> None:
    """Issue 23, finding 7: search terms and read reasons travel in query strings; the access
    log keeps the path only, in either format."""
    assert cli("init").exit_code == 0
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [SHOKEI, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink,  # uvicorn's text access lines go to stdout
            stderr=sink,
            env={**os.environ, "SHOKEI_LOG_FORMAT": log_format},
        )
        base = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        try:
            _wait_for(ready, "the server answered", lambda: server.poll() is None)
            httpx.get(f"{base}/api/v1/cases", params={"q": "secret-search-term"}, timeout=5)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    text = log.read_text(encoding="utf-8")
    assert "/api/v1/cases" in text
    assert "secret-search-term" not in text


def test_a_security_event_is_a_structured_json_line() -> None:
    record = logging.LogRecord("shokei.security", logging.INFO, __file__, 1, "%s %s", ("login", ""), None)
    record.security = {"event": "login", "user": "intake", "address": "192.0.2.1"}
    line = json.loads(JsonFormatter().format(record))
    assert (line["logger"], line["event"], line["user"], line["address"]) == (
        "shokei.security",
        "login",
        "intake",
        "192.0.2.1",
    )
