"""kill -9 while marked copies are made (a `shokei handover release` process): the decrypted
originals and the copies made of them live only in anonymous files, so the dead process leaves
no plaintext under the data dir, not even a file name in its scratch area; `vault gc` (like the
next start) sweeps the area, and `vault gc` + `vault fsck` are clean (a copy staged but never
recorded is an orphan of the copies vault, which gc removes).

Synchronisation is on an observable condition (the process holding an anonymous copy file of a
given size, seen in /proc/PID/fd) polled against a bounded deadline, never on sleeps."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import services as succession
from tests.conftest import Cli
from tests.factories import Office
from tests.integration.operations.test_crash_hygiene import (
    MARKER,
    SHOKEI,
    _files_containing,
    _gc_and_fsck_clean,
    _wait_for,
)


def _poorly_compressible_marked_bytes(size: int) -> bytes:
    # Random hex between the markers keeps the ZIP copy (deflated) about as large as the original.
    lines = []
    total = 0
    while total < size:
        line = MARKER + b" " + secrets.token_hex(480).encode() + b"\n"
        lines.append(line)
        total += len(line)
    return b"".join(lines)[:size]


def _holds_anonymous_file(pid: int, name: str, at_least: int) -> Callable[[], bool]:
    def present() -> bool:
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except FileNotFoundError:
            return False
        for descriptor in descriptors:
            try:
                named = os.readlink(descriptor).startswith(f"/memfd:{name} ")
                if named and descriptor.stat().st_size >= at_least:
                    return True
            except FileNotFoundError:  # closed while we looked
                continue
        return False

    return present


def test_kill_during_a_release_of_marked_copies_leaves_no_plaintext(
    uow: UnitOfWork, cli: Cli, cli_env: Path, tmp_path: Path
) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    case = office.open_case(documents=0).id
    drawing = tmp_path / "note.txt"
    drawing.write_bytes(_poorly_compressible_marked_bytes(24 << 20))
    submitted = cli("docs", "submit", str(case), str(drawing), "--as", "supplier", "--json")
    assert submitted.exit_code == 0, submitted.stderr
    drawing.unlink()
    office.to_successor_selection(case)
    office.make_eligible(office.successor_company)
    number = office.successor_company.corporate_number or ""
    succession.select_successor(uow, office.manager, case, number, reason="最適")
    succession.accept_terms(uow, office.successor, case)
    assert _files_containing(cli_env, MARKER) == []  # the vault holds ciphertext only

    process = subprocess.Popen(
        [SHOKEI, "handover", "release", str(case), "--as", "manager", "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The original is decrypted whole before its copy is written: a copy of 1 MiB or more
        # means the plaintext original and part of the copy are in the process.
        _wait_for(
            _holds_anonymous_file(process.pid, "shokei-copy", 1 << 20),
            "the copy was being made",
            lambda: process.poll() is None,
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    dead = list((cli_env / "scratch").glob(f"proc-{process.pid}-*"))
    assert [area for area in dead if area.is_dir()], "the killed process had a scratch area"
    assert [path for area in dead if area.is_dir() for path in area.rglob("*")] == []  # not even a name
    assert _files_containing(cli_env, MARKER) == []

    _gc_and_fsck_clean(cli)
    assert not list((cli_env / "scratch").glob(f"proc-{process.pid}-*"))
    assert _files_containing(cli_env, MARKER) == []
    assert succession.list_copies(uow, office.manager, case) == []  # nothing was half-recorded


def test_a_large_anonymous_file_leaves_nothing_when_its_process_is_killed(tmp_path: Path) -> None:
    """Above the memory limit an anonymous file is an O_TMPFILE in the scratch folder: the kernel
    frees it when the process dies, so kill -9 leaves neither its bytes nor a name."""
    folder = tmp_path / "area"
    folder.mkdir(mode=0o700)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from shokei.documents.scratch import anonymous_file\n"
        f"with anonymous_file(Path({str(folder)!r}), size_hint=10, memory_limit=0) as path:\n"
        f"    path.write_bytes({MARKER!r} * 1000)\n"
        "    print('ready', flush=True)\n"
        "    sys.stdin.read()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline() == b"ready\n"
            linked = [os.readlink(fd) for fd in Path(f"/proc/{child.pid}/fd").iterdir()]
            assert any(link.startswith(str(folder)) and link.endswith("(deleted)") for link in linked), linked
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
    assert list(folder.iterdir()) == []
    assert _files_containing(tmp_path, MARKER) == []
