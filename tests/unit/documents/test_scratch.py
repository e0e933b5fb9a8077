"""Sealed scratch files and the per-process scratch areas (`documents.scratch`)."""

from __future__ import annotations

import fcntl
import io
import os
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from shokei.documents.scratch import CHUNK, ScratchArea, area_for, leftovers, sweep_dead

MARKER = b"PLAINTEXT-MARKER-"


def test_a_sealed_file_reads_back_whole_and_at_any_offset_and_holds_no_plaintext(tmp_path: Path) -> None:
    area = ScratchArea(tmp_path / "scratch")
    content = (MARKER * 20_000)[: 3 * CHUNK + 123]
    writer = area.sealed()
    for start in range(0, len(content), 7777):  # writes that do not line up with chunks
        writer.write(content[start : start + 7777])
    sealed = writer.close()
    assert sealed.size == len(content)
    assert MARKER not in sealed.path.read_bytes()
    with sealed.open() as stream:
        assert stream.read() == content
        stream.seek(CHUNK + 5)
        assert stream.read(CHUNK) == content[CHUNK + 5 : 2 * CHUNK + 5]
        stream.seek(-10, io.SEEK_END)
        assert stream.read() == content[-10:]
    with sealed.plaintext_path() as path:
        assert not str(path).startswith(str(tmp_path))
        assert path.read_bytes() == content
    with sealed.plaintext_path(memory_limit=10) as path:  # above the memory limit: O_TMPFILE
        assert path.read_bytes() == content
    assert sorted(p.name for p in area.path.iterdir()) == [sealed.path.name]  # nothing named beside it


def test_another_key_cannot_read_a_sealed_file(tmp_path: Path) -> None:
    first, second = ScratchArea(tmp_path / "a"), ScratchArea(tmp_path / "b")
    writer = first.sealed()
    writer.write(b"secret")
    sealed = writer.close()
    foreign = type(sealed)(sealed.path, second._cipher, sealed.prefix, sealed.size)
    with pytest.raises(InvalidTag), foreign.open() as stream:
        stream.read()


def test_a_dead_process_area_is_swept_and_a_live_one_kept(tmp_path: Path) -> None:
    root = tmp_path / "scratch"
    root.mkdir()
    dead = root / "proc-4242-deadbeef"
    dead.mkdir()
    (dead / "upload-x").write_bytes(b"sealed bytes")
    (root / "proc-4242-deadbeef.lock").write_text("4242\n")
    live = root / "proc-4343-cafebabe"
    live.mkdir()
    lock = root / "proc-4343-cafebabe.lock"
    lock.write_text("4343\n")
    legacy = root / "upload-abc"  # what a version without areas left
    legacy.mkdir()
    holder = os.open(lock, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another "process" alive: its open file description holds it
    try:
        assert leftovers(root) == [dead, legacy]
        swept = sweep_dead(root)
        assert (swept.entries, swept.bytes) == (2, len(b"sealed bytes"))
        assert sorted(p.name for p in root.iterdir()) == ["proc-4343-cafebabe", "proc-4343-cafebabe.lock"]
    finally:
        os.close(holder)
    assert leftovers(root) == [live]  # its owner has gone


def test_this_process_has_one_area_per_root_and_finds_it_by_its_own_path(tmp_path: Path) -> None:
    area = area_for(tmp_path / "scratch")
    assert area_for(tmp_path / "scratch") is area
    assert area_for(area.path) is area
    assert leftovers(tmp_path / "scratch") == []
