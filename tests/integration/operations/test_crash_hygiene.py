"""kill -9 during an archive submission and during an HTTP upload (a real server process): no
plaintext of the submitted files anywhere under the data dir, and `vault gc` + `vault fsck` clean.

Synchronisation is on observable conditions (a sealed scratch file reaching a size) polled
against a bounded deadline, never on sleeps."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.factories import Office

MARKER = b"SHOKEI-PLAINTEXT-MARKER-4b1d9e"
SHOKEI = str(Path(sys.executable).parent / "shokei")


def _marked_bytes(size: int) -> bytes:
    line = MARKER + b" design note: radar absorber layer stack, do not leak\n"
    return (line * (size // len(line) + 1))[:size]


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
            found.append(path)
    return found


def _wait_for(
    condition: Callable[[], bool], what: str, alive: Callable[[], bool], seconds: float = 60
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert alive(), f"the process ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.002)  # polling interval, not synchronisation


def _sealed_spool(data_dir: Path, prefix: str, at_least: int) -> Callable[[], bool]:
    def present() -> bool:
        for path in (data_dir / "scratch").glob(f"proc-*/{prefix}*"):
            try:
                if path.stat().st_size >= at_least:
                    return True
            except FileNotFoundError:
                continue
        return False

    return present


def _gc_and_fsck_clean(cli: Cli) -> dict[str, object]:
    gc = cli("vault", "gc", "--grace-hours", "0", "--as", "auditor", "--json").json()
    assert isinstance(gc, dict)
    fsck = cli("vault", "fsck", "--as", "auditor", "--json")
    assert fsck.exit_code == 0, fsck.stdout
    report = json.loads(fsck.stdout)
    assert report["ok"] is True
    assert report["leftovers"] == []
    assert report["problems"] == []
    return gc


def test_kill_during_an_archive_submission_leaves_no_plaintext(
    uow: UnitOfWork, cli: Cli, cli_env: Path, tmp_path: Path
) -> None:
    assert cli("init").exit_code == 0
    case = Office(uow).open_case(documents=0).id
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    member = inputs / "note.txt"
    member.write_bytes(_marked_bytes(24 << 20))
    archive = tmp_path / "drawings.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(member, arcname="drawings/note.txt")
    member.unlink()

    process = subprocess.Popen(
        [SHOKEI, "docs", "submit", str(case), str(archive), "--as", "supplier", "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(
            _sealed_spool(cli_env, "member-", 1 << 20),
            "the member was spooled to scratch",
            lambda: process.poll() is None,
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert list((cli_env / "scratch").glob("proc-*/member-*")), "killed while the member was spooled"

    assert _files_containing(cli_env, MARKER) == []
    gc = _gc_and_fsck_clean(cli)
    removed = gc["removed"]
    assert isinstance(removed, dict)
    assert removed["scratch"] >= 1  # the dead area (and its lock)
    assert _files_containing(cli_env, MARKER) == []
    assert not list((cli_env / "scratch").glob("proc-*"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_kill_during_an_http_upload_leaves_no_plaintext(uow: UnitOfWork, cli: Cli, cli_env: Path) -> None:
    assert cli("init").exit_code == 0
    case = Office(uow).open_case(documents=0).id
    token = cli("user", "token", "supplier", "--as", "admin", "--json").json()["token"]  # type: ignore[index]
    port = _free_port()
    server = subprocess.Popen(
        [SHOKEI, "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    release = threading.Event()
    outcome: list[object] = []

    def body() -> Iterator[bytes]:
        yield b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="spec.txt"\r\n\r\n'
        chunk = _marked_bytes(1 << 20)
        for _ in range(8):
            yield chunk
        release.wait(timeout=120)  # the request stays open until the server is dead
        yield chunk
        yield b"\r\n--XyZ--\r\n"

    def upload() -> None:
        try:
            outcome.append(
                httpx.post(
                    f"{base}/api/v1/cases/{case}/files",
                    content=body(),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "multipart/form-data; boundary=XyZ",
                    },
                    timeout=120,
                )
            )
        except httpx.HTTPError as error:
            outcome.append(error)

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    client = threading.Thread(target=upload, daemon=True)
    try:
        _wait_for(ready, "the server answered", lambda: server.poll() is None)
        client.start()
        _wait_for(
            _sealed_spool(cli_env, "upload-", 4 << 20),
            "the upload was spooled to scratch",
            lambda: server.poll() is None,
        )
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=60)
        release.set()
        client.join(timeout=60)
    assert server.returncode == -signal.SIGKILL
    assert len(outcome) == 1
    assert isinstance(outcome[0], httpx.HTTPError)  # the upload never completed
    assert list((cli_env / "scratch").glob("proc-*/upload-*")), "killed while the upload was spooled"

    assert _files_containing(cli_env, MARKER) == []
    # Any command that takes the vault removes a dead process's scratch at start.
    listed = cli("docs", "submit", str(case), os.devnull, "--as", "supplier", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert not list((cli_env / "scratch").glob("proc-*/upload-*"))
    _gc_and_fsck_clean(cli)
    assert _files_containing(cli_env, MARKER) == []
