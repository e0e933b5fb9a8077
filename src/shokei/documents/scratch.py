"""Scratch space that cannot leak plaintext past the process that wrote it.

Each process works in its own folder under the data dir's `scratch/`: `proc-<pid>-<token>/`,
beside it `proc-<pid>-<token>.lock` (the pid, and an exclusive `flock` held for the life of the
process). The kernel releases the lock when the process dies, however it dies, so any process can tell a dead
owner's folder (its lock can be taken) from a live one (it cannot) without trusting pids.

What a submission spools there (archive members, HTTP upload parts) is *sealed*: written in
chunks encrypted with AES-256-GCM under a key made at start-up and held only in this process's
memory. After a crash, `kill -9` included, the bytes left on disk cannot be read by anyone, and
the next process to start (`sweep_dead`) or `shokei vault gc` removes them.

Readers that need a file name (format sniffing and extraction open paths) get the plaintext as an
anonymous file that has no name on any filesystem (`anonymous_file`): a `memfd` (memory only) up
to `SCRATCH_MEMORY_BYTES`, above it an `O_TMPFILE` in the process's folder (unlinked from birth:
the kernel frees it when the last descriptor closes, also on a crash). Both are reached through
`/proc/self/fd/N` while the context is open. Release and dissemination of marked copies work the
same way: the decrypted originals and the copies made of them live only in anonymous files.
"""

from __future__ import annotations

import fcntl
import io
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CHUNK = 1 << 16
_TAG = 16
_PREFIX = 8
LOCK_SUFFIX = ".lock"
AREA_PREFIX = "proc-"
SCRATCH_MEMORY_BYTES = 64 << 20
# A folder still being set up has no lock yet: left alone this long (then it is a crash's).
_UNLOCKED_GRACE_SECONDS = 60.0


class ScratchArea:
    """This process's scratch folder and its ephemeral key (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.root = root
        self.pid = os.getpid()
        name = f"{AREA_PREFIX}{self.pid}-{secrets.token_hex(4)}"
        self.path = root / name
        # The lock is taken before its file has its name, then renamed into place (the lock
        # stays with the file): no sweeper ever sees an area or a lock file not yet locked.
        pending = root / f".{name}{LOCK_SUFFIX}"
        self._lock_fd = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(self._lock_fd, f"{self.pid}\n".encode())
        os.rename(pending, root / f"{name}{LOCK_SUFFIX}")
        self.path.mkdir(mode=0o700)
        self._cipher = AESGCM(AESGCM.generate_key(bit_length=256))

    def sealed(self, prefix: str = "spool-") -> SealedWriter:
        """A new sealed file in this folder, open for writing."""
        fd, name = _mkstemp(self.path, prefix)
        return SealedWriter(SealedFile(Path(name), self._cipher, secrets.token_bytes(_PREFIX)), fd)

    def workdir(self, prefix: str) -> Path:
        """A fresh owner-only folder inside this process's area (the caller removes it)."""
        path = self.path / f"{prefix}{secrets.token_hex(8)}"
        path.mkdir(mode=0o700)
        return path


_areas: dict[Path, ScratchArea] = {}
_areas_lock = threading.Lock()


def area_for(root: Path) -> ScratchArea:
    """This process's area under `root`, made on first use (after a fork: made again); dead
    processes' leftovers under `root` are removed when it is made. Given an area's own folder
    (what `Shokei.scratch_dir` hands out), that area."""
    key = root.resolve()
    with _areas_lock:
        for known in _areas.values():
            if known.path.resolve() == key and known.pid == os.getpid():
                return known
        area = _areas.get(key)
        if area is None or area.pid != os.getpid():
            sweep_dead(root)
            area = _areas[key] = ScratchArea(root)
        return area


@dataclass(frozen=True, slots=True)
class Swept:
    entries: int = 0
    bytes: int = 0


def sweep_dead(root: Path) -> Swept:
    """Remove what dead processes left under `root` (their areas and lock files, and anything a
    version without areas left); a live process's area stays. Counts areas, not lock files."""
    entries = removed_bytes = 0
    for child in _dead_entries(root):
        size = tree_size(child)
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
        if not child.exists() and not child.name.endswith(LOCK_SUFFIX):
            entries, removed_bytes = entries + 1, removed_bytes + size
    return Swept(entries, removed_bytes)


def leftovers(root: Path) -> list[Path]:
    """What dead processes left under `root`, lock files aside (what `vault fsck` reports)."""
    return [child for child in _dead_entries(root) if not child.name.endswith(LOCK_SUFFIX)]


def _dead_entries(root: Path) -> list[Path]:
    try:
        children = sorted(root.iterdir())
    except FileNotFoundError:
        return []
    # An area's folder before its lock file: the lock file goes last, once the folder is gone.
    dead = [child for child in children if not _owned_by_live_process(child)]
    return sorted(dead, key=lambda child: child.name.endswith(LOCK_SUFFIX))


def _owned_by_live_process(child: Path) -> bool:
    if child.name.startswith("."):  # a lock file being put in place (or being put once)
        return _younger_than(child, _UNLOCKED_GRACE_SECONDS)
    if not child.name.startswith(AREA_PREFIX):
        return False
    area = child.parent / child.name.removesuffix(LOCK_SUFFIX)
    if any(known.path == area and known.pid == os.getpid() for known in _areas.values()):
        return True
    try:
        fd = os.open(area.with_name(area.name + LOCK_SUFFIX), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return _younger_than(child, _UNLOCKED_GRACE_SECONDS)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock we may have taken
    return False


def _younger_than(path: Path, seconds: float) -> bool:
    try:
        return path.stat().st_mtime > time.time() - seconds
    except FileNotFoundError:
        return True


def tree_size(path: Path) -> int:
    try:
        if not path.is_dir() or path.is_symlink():
            return path.lstat().st_size
        return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    except OSError:
        return 0


# ------------------------------------------------------------------------------ anonymous files


@contextmanager
def anonymous_file(
    directory: Path,
    size_hint: int = 0,
    memory_limit: int = SCRATCH_MEMORY_BYTES,
    name: str = "shokei-scratch",
) -> Iterator[Path]:
    """An empty file with no name on any filesystem, for plaintext that a reader or writer must
    reach by path (format sniffing, extraction, marking copies): a `memfd` (memory only) when
    `size_hint` is at most `memory_limit`, else an `O_TMPFILE` in `directory` (unlinked from
    birth). The yielded `/proc/self/fd/N` path opens it (for writing too, truncating) while the
    block runs; the kernel frees it when the block ends or the process dies, `kill -9` included.
    `name` labels a memfd in `/proc/PID/fd` (no file system shows it)."""
    if size_hint <= memory_limit:
        fd = os.memfd_create(name, os.MFD_CLOEXEC)
    else:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(directory, os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # a memfd is born 0777: owner-only, like every file of ours
        yield Path(f"/proc/self/fd/{fd}")
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------ sealed files


@dataclass(frozen=True, slots=True)
class SealedFile:
    """Plaintext sealed in fixed-size chunks: chunk i is AES-GCM with nonce `prefix || i`."""

    path: Path
    cipher: AESGCM = field(repr=False)
    prefix: bytes = field(repr=False)
    size: int = 0

    @property
    def name(self) -> str:
        return self.path.name

    def open(self, mode: str = "rb") -> BinaryIO:
        """A seekable reader of the plaintext."""
        if mode != "rb":
            raise ValueError("a sealed file opens for reading only")
        return io.BufferedReader(_SealedReader(self), CHUNK)

    @contextmanager
    def plaintext_path(self, memory_limit: int = SCRATCH_MEMORY_BYTES) -> Iterator[Path]:
        """The plaintext in an anonymous file (no name on disk), reachable at the yielded path
        while the block runs; in memory up to `memory_limit` bytes."""
        with anonymous_file(self.path.parent, self.size, memory_limit) as path:
            with self.open() as source, path.open("wb") as sink:
                shutil.copyfileobj(source, sink, CHUNK)
            yield path

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def _nonce(self, index: int) -> bytes:
        return self.prefix + index.to_bytes(4, "big")


class SealedWriter:
    """Writes plaintext to a `SealedFile` a chunk at a time; `close` returns the finished file."""

    def __init__(self, sealed: SealedFile, fd: int) -> None:
        self._sealed, self._sink = sealed, open(fd, "wb")  # noqa: SIM115 - closed by close()/abort()
        self._buffer = bytearray()
        self._chunks = 0
        self._size = 0

    @property
    def path(self) -> Path:
        return self._sealed.path

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._buffer += data
        while len(self._buffer) >= CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]))
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, chunk: bytes) -> None:
        self._sink.write(self._sealed.cipher.encrypt(self._sealed._nonce(self._chunks), chunk, None))
        self._chunks += 1
        self._size += len(chunk)

    def close(self) -> SealedFile:
        if self._buffer:
            self._seal(bytes(self._buffer))
            self._buffer.clear()
        self._sink.close()
        sealed = self._sealed
        return SealedFile(sealed.path, sealed.cipher, sealed.prefix, self._size)

    def abort(self) -> None:
        self._buffer.clear()
        self._sink.close()
        self._sealed.remove()


class _SealedReader(io.RawIOBase):
    def __init__(self, sealed: SealedFile) -> None:
        super().__init__()
        self._sealed = sealed
        self._file = open(sealed.path, "rb", buffering=0)  # noqa: SIM115 - closed by close()
        self._position = 0
        self._cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._sealed.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._position >= self._sealed.size or not len(buffer):
            return 0
        index, skip = divmod(self._position, CHUNK)
        chunk = self._chunk(index)[skip:]
        count = min(len(buffer), len(chunk))
        buffer[:count] = chunk[:count]
        self._position += count
        return count

    def _chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        self._file.seek(index * (CHUNK + _TAG))
        sealed = self._file.read(CHUNK + _TAG)
        plain = self._sealed.cipher.decrypt(self._sealed._nonce(index), sealed, None)
        self._cached = (index, plain)
        return plain

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def _mkstemp(directory: Path, prefix: str) -> tuple[int, str]:
    name = directory / f"{prefix}{secrets.token_hex(8)}"
    return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), str(name)
