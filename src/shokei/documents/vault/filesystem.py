"""The encrypted, content-addressed, durable document vault on a local filesystem.

Layout under `root`:

    blobs/ab/cd/abcd…(64 hex)   one ciphertext per file, named by its SHA-256 (the blob id)
    tmp/                         writes in progress; never listed as blobs

A blob is written to `tmp/`, fsynced, renamed into `blobs/` and its directory fsynced, so after a
crash a blob either exists completely or not at all. Nothing here touches the database: `put`
returns the metadata (`StoredBlob`) the caller records, and the fsck helpers compare what is on
disk with what the caller says it recorded. Orphans are reported; only `shokei vault gc` removes
them (`remove_orphan`), once the caller has checked no record refers to them.

A temp file is `flock`ed by its writer until it is renamed into place: one whose lock can be
taken belongs to a dead write (`stale_temp_files`).
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import queue
import re
import secrets
import stat
import threading
import time
from collections.abc import Callable, Container, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, TypeVar

from shokei.documents.vault.crypto import (
    AES256_GCM_HKDF_1MB,
    MasterKeyError,
    MasterKeyring,
    decrypt_stream,
    encrypt_stream,
    fsync_directory,
    new_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from shokei.documents.vault.port import BlobMissing, BlobRef, BlobStatus, PendingBlob, StoredBlob
from shokei.errors import N_, BadInput, IntegrityFailure, Text

_BLOB_ID = re.compile(r"[0-9a-f]{64}")
_SHARD = re.compile(r"[0-9a-f]{2}")
_PRIVATE_DIR_MODE = 0o700
_PRIVATE_FILE_MODE = 0o600
T = TypeVar("T")


class FilesystemVault:
    """A `Vault` of encrypted blobs under `root`; `keyring` may be None for key-less fixity checks."""

    def __init__(self, root: Path, keyring: MasterKeyring | None = None) -> None:
        self.root = root
        self._keyring = keyring
        self._blobs = root / "blobs"
        self._tmp = root / "tmp"
        for directory in (self._blobs, self._tmp):
            _make_directories_durably(directory)

    # ------------------------------------------------------------------------------ writing

    def put(self, source: BinaryIO, associated_data: bytes) -> StoredBlob:
        """Encrypt `source` under a fresh data key and store it durably at its content address.

        Either the complete blob is stored and returned, or nothing is (the temp file is removed
        on failure; a crash leaves only a temp file, see `remove_stale_temp_files`).
        """
        [stored] = self.make_durable([self.stage(source, associated_data)])
        return stored

    def stage(self, source: BinaryIO, associated_data: bytes) -> PendingBlob:
        """Encrypt `source` into a temp file, not yet durable nor at its address (group commit).

        Safe to call from several threads at once (hashing and AES-GCM release the GIL). The
        caller must pass the result to `make_durable` or `abandon`; until then its temp file is
        locked, and a crash leaves only that temp file.
        """
        master = self._require_keyring().current
        data_key = new_data_key()
        wrapped_key = wrap_data_key(data_key, master)  # before writing: no failure after install
        temp_path, temp_file = self._create_temp_file()
        expected = _regular_file_size(source)
        try:
            reader = _HashingReader(source)
            # One segment or less (most drawings): written on this thread, no writer thread.
            single = expected is not None and expected <= AES256_GCM_HKDF_1MB.first_plaintext_segment_size
            with _HashingWriter(temp_file, threaded=not single) as writer:
                encrypt_stream(data_key, associated_data, reader, writer, expected_size=expected)
            temp_file.flush()
        except BaseException:
            temp_file.close()
            temp_path.unlink(missing_ok=True)
            raise
        stored = StoredBlob(
            blob_id=writer.hexdigest,
            key_id=master.key_id,
            wrapped_key=wrapped_key,
            plaintext_sha256=reader.hexdigest,
            ciphertext_sha256=writer.hexdigest,
            plaintext_size=reader.size,
            ciphertext_size=writer.size,
        )
        return PendingBlob(temp_path, temp_file, stored)

    def make_durable(self, pending: Sequence[PendingBlob]) -> list[StoredBlob]:
        """`sync` then `install`: when this returns, every blob survives a crash."""
        self.sync(pending)
        return self.install(pending)

    def sync(self, pending: Sequence[PendingBlob]) -> None:
        """Fsync staged temp files together (the journal commits them as a group): the slow
        part of making them durable, done before any transaction that will refer to them."""
        try:
            _in_parallel(lambda blob: os.fsync(blob.file.fileno()), pending)
        except BaseException:
            self.abandon(pending)
            raise

    def install(self, pending: Sequence[PendingBlob]) -> list[StoredBlob]:
        """Rename synced blobs to their addresses and fsync each directory they went into once.

        Quick: meant as the last step of the transaction that records them, so a crash leaves
        at worst this group's blobs without their rows (orphans for fsck and `vault gc`), never
        a row without its blob. On failure nothing of `pending` remains at its address."""
        try:
            to_sync: dict[Path, None] = {}
            for blob in pending:
                final_path = self._blob_path(blob.stored.blob_id)
                to_sync.update(dict.fromkeys(_make_directories(final_path.parent)))
                os.replace(blob.temp_path, final_path)
                to_sync[final_path.parent] = None
            _in_parallel(fsync_directory, list(to_sync))
        except BaseException:
            for blob in pending:
                self.discard_unreferenced(blob.stored.blob_id)
            self.abandon(pending)
            raise
        for blob in pending:
            blob.file.close()  # releases the writer's lock: the blob is installed
        return [blob.stored for blob in pending]

    def abandon(self, pending: Sequence[PendingBlob]) -> None:
        """Remove staged temp files that will not be made durable (a refusal, an error)."""
        for blob in pending:
            blob.temp_path.unlink(missing_ok=True)
            blob.file.close()

    def discard_unreferenced(self, blob_id: str) -> None:
        """Remove a blob this process has just put and that no record will ever refer to.

        Only for the caller that created it (a duplicate found after encrypting): blobs found
        unreferenced later are orphans for fsck to report, never to delete.
        """
        self._blob_path(blob_id).unlink(missing_ok=True)

    def _create_temp_file(self) -> tuple[Path, BinaryIO]:
        path = self._tmp / f"{secrets.token_hex(16)}.partial"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _PRIVATE_FILE_MODE)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        return path, open(descriptor, "wb")

    # ------------------------------------------------------------------------------ reading

    def read_into(self, blob: BlobRef, associated_data: bytes, destination: BinaryIO) -> int:
        """Decrypt into `destination`, verifying every segment and finally the SHA-256.

        Returns the plaintext size. On IntegrityFailure the destination may already hold some
        verified segments: use `export_to_path` when no partial output may remain.
        """
        written = 0
        for chunk in self._iter_verified(blob, associated_data):
            destination.write(chunk)
            written += len(chunk)
        return written

    def iter_plaintext(self, blob: BlobRef, associated_data: bytes) -> Iterator[bytes]:
        """Yield the plaintext in segment-sized chunks; the last `next()` checks the SHA-256."""
        for chunk in self._iter_verified(blob, associated_data):
            yield bytes(chunk)

    def export_to_path(self, blob: BlobRef, associated_data: bytes, out_path: Path) -> None:
        """Write the verified plaintext to `out_path` (mode 0600), all or nothing.

        Decrypts into a temp file beside `out_path` and renames it into place only after every
        check passed; on any failure the temp file is removed and `out_path` is left untouched.
        """
        temp_path = out_path.with_name(f".{out_path.name}.{secrets.token_hex(8)}.partial")
        descriptor = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_FILE_MODE)
        try:
            with open(descriptor, "wb") as temp_file:
                self.read_into(blob, associated_data, temp_file)
                temp_file.flush()
                os.fsync(temp_file.fileno())
            os.replace(temp_path, out_path)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        fsync_directory(out_path.parent)

    def _iter_verified(self, blob: BlobRef, associated_data: bytes) -> Iterator[memoryview]:
        data_key = unwrap_data_key(blob.wrapped_key, self._require_keyring())
        digest, size = hashlib.sha256(), 0
        with self._open_blob(blob.blob_id) as ciphertext:
            for chunk in decrypt_stream(data_key, associated_data, ciphertext):
                digest.update(chunk)
                size += len(chunk)
                yield chunk
        if size != blob.plaintext_size or digest.hexdigest() != blob.plaintext_sha256:
            raise IntegrityFailure(
                Text(
                    N_(
                        "blob %(blob_id)s decrypted to %(size)s bytes with SHA-256 "
                        "%(hexdigest)s, but %(plaintext_size)s bytes with SHA-256 "
                        "%(plaintext_sha256)s were recorded"
                    ),
                    {
                        "blob_id": blob.blob_id,
                        "size": size,
                        "hexdigest": digest.hexdigest(),
                        "plaintext_size": blob.plaintext_size,
                        "plaintext_sha256": blob.plaintext_sha256,
                    },
                )
            )

    def _open_blob(self, blob_id: str) -> io.FileIO:
        path = self._blob_path(blob_id)
        try:
            # Unbuffered: segments are read straight into the decryptor's buffer.
            return open(path, "rb", buffering=0)
        except FileNotFoundError:
            raise BlobMissing(
                Text(
                    N_("blob %(blob_id)s is missing from the vault (%(path)s)"),
                    {"blob_id": blob_id, "path": path},
                )
            ) from None

    # --------------------------------------------------------------------------------- fsck

    def iter_blob_ids(self) -> Iterator[str]:
        """Every stored blob id in sorted order (temp files and stray names are skipped)."""
        for first in _sorted_children(self._blobs, _SHARD):
            for second in _sorted_children(first, _SHARD):
                for blob in _sorted_children(second, _BLOB_ID):
                    if blob.name.startswith(first.name + second.name):
                        yield blob.name

    def find_orphans(self, referenced_blob_ids: Container[str]) -> Iterator[str]:
        """Blob ids on disk that no record refers to. Report them; never delete them."""
        return (blob_id for blob_id in self.iter_blob_ids() if blob_id not in referenced_blob_ids)

    def check_ciphertext(self, blob_id: str, expected_ciphertext_sha256: str) -> BlobStatus:
        """Re-hash a stored ciphertext against its recorded SHA-256; no key is needed."""
        try:
            with open(self._blob_path(blob_id), "rb", buffering=0) as ciphertext:
                actual = hashlib.file_digest(ciphertext, "sha256").hexdigest()
        except FileNotFoundError:
            return BlobStatus.MISSING
        return BlobStatus.OK if actual == expected_ciphertext_sha256 else BlobStatus.CORRUPT

    def deep_check(self, blob: BlobRef, associated_data: bytes) -> BlobStatus:
        """Decrypt and discard, checking every tag and the plaintext SHA-256.

        A missing or unusable master key raises MasterKeyError: that is a key problem to fix,
        not a corrupt blob.
        """
        try:
            for _ in self._iter_verified(blob, associated_data):
                pass
        except BlobMissing:
            return BlobStatus.MISSING
        except IntegrityFailure:
            return BlobStatus.CORRUPT
        return BlobStatus.OK

    def stale_temp_files(self, older_than_seconds: float = 0.0) -> list[Path]:
        """Temp files of dead writes (their writer's lock is free) untouched for
        `older_than_seconds`; a write in progress holds its lock and is never listed."""
        cutoff = time.time() - older_than_seconds
        try:
            candidates = sorted(self._tmp.iterdir())
        except FileNotFoundError:
            return []
        return [path for path in candidates if _modified_before(path, cutoff) and not _locked(path)]

    def remove_stale_temp_files(self, older_than_seconds: float = 0.0) -> list[Path]:
        """Delete the temp files `stale_temp_files` lists (left by crashed writes); returns them."""
        stale = self.stale_temp_files(older_than_seconds)
        for path in stale:
            path.unlink(missing_ok=True)
        return stale

    def blob_path(self, blob_id: str) -> Path:
        """Where the blob's ciphertext is (or would be) stored: for backups, which copy it as is."""
        return self._blob_path(blob_id)

    def blob_age_seconds(self, blob_id: str) -> float | None:
        """Seconds since the blob was last written, or None when it is not stored."""
        try:
            return max(0.0, time.time() - self._blob_path(blob_id).stat().st_mtime)
        except FileNotFoundError:
            return None

    def remove_orphan(self, blob_id: str) -> int:
        """Delete a blob the caller has checked no record refers to; returns its size (0 if gone)."""
        path = self._blob_path(blob_id)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return 0
        return size

    # ------------------------------------------------------------------------------ helpers

    def _blob_path(self, blob_id: str) -> Path:
        if not _BLOB_ID.fullmatch(blob_id):
            raise BadInput(
                Text(N_("not a blob id (64 lowercase hex digits): %(blob_id)s"), {"blob_id": repr(blob_id)})
            )
        return self._blobs / blob_id[:2] / blob_id[2:4] / blob_id

    def _require_keyring(self) -> MasterKeyring:
        if self._keyring is None:
            raise MasterKeyError(
                Text(N_("the vault at %(root)s was opened without a master keyring"), {"root": self.root})
            )
        return self._keyring


_FSYNC_THREADS = 16  # fsync waits on the disk, not a core: more in flight, fewer journal commits


def _in_parallel(action: Callable[[T], object], items: Sequence[T]) -> None:
    """Run `action` on every item, at once on threads when there are several (fsyncs)."""
    if len(items) <= 1:
        for item in items:
            action(item)
        return
    with ThreadPoolExecutor(min(_FSYNC_THREADS, len(items)), thread_name_prefix="vault-fsync") as pool:
        for _ in pool.map(action, items):
            pass


class _HashingReader:
    """Counts and hashes the plaintext as the encryptor pulls it from the caller's stream."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        # typing.BinaryIO does not declare readinto, but real files do: use it to skip a copy.
        self._source_readinto = getattr(source, "readinto", None)
        self._digest = hashlib.sha256()
        self.size = 0

    def readinto(self, buffer: memoryview) -> int:
        count = self._read_some(buffer)
        self._digest.update(buffer[:count])
        self.size += count
        return count

    def _read_some(self, buffer: memoryview) -> int:
        if self._source_readinto is not None:
            count: int | None = self._source_readinto(buffer)
            if count is None:
                raise BadInput(Text(N_("the upload stream is non-blocking and had no data ready")))
            return count
        chunk = self._source.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    @property
    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class _HashingWriter:
    """Counts and hashes the ciphertext on its way to the temp file (it becomes the blob id).

    Hashing and writing run on a second thread while the caller encrypts the next segment: both
    release the GIL, so a put uses two cores. The queue is bounded, so memory stays a few segments.
    """

    _QUEUE_SEGMENTS = 2

    def __init__(self, sink: BinaryIO, *, threaded: bool = True) -> None:
        self._sink = sink
        self._digest = hashlib.sha256()
        self._queue: queue.Queue[bytes | None] = queue.Queue(self._QUEUE_SEGMENTS)
        self._failure: BaseException | None = None
        # Without a thread (`threaded=False`, a blob of one segment) each write hashes and
        # writes at once: a thread per small file costs more than it overlaps.
        self._worker = (
            threading.Thread(target=self._drain, name="vault-writer", daemon=True) if threaded else None
        )
        self.size = 0

    def __enter__(self) -> _HashingWriter:
        if self._worker is not None:
            self._worker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join()
        if self._failure is not None and exc_info[0] is None:
            raise self._failure

    def write(self, data: memoryview) -> None:
        if self._failure is not None:
            raise self._failure
        if self._worker is None:
            self._digest.update(data)
            self._sink.write(data)
        else:
            self._queue.put(bytes(data))  # the encryptor reuses its buffer: hand over a copy
        self.size += len(data)

    def _drain(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._failure is None:
                try:
                    self._digest.update(chunk)
                    self._sink.write(chunk)
                except BaseException as error:  # re-raised on the caller's thread
                    self._failure = error

    @property
    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _regular_file_size(source: BinaryIO) -> int | None:
    """The size of a source that is a regular file read from its start; None for a stream."""
    try:
        status = os.fstat(source.fileno())
        position = source.tell()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return None
    return max(status.st_size - position, 0) if stat.S_ISREG(status.st_mode) else None


def _sorted_children(directory: Path, name: re.Pattern[str]) -> list[Path]:
    try:
        return sorted(child for child in directory.iterdir() if name.fullmatch(child.name))
    except FileNotFoundError:  # a shard directory can vanish under a concurrent cleanup
        return []


def _make_directories_durably(directory: Path) -> None:
    """Create missing directories and fsync each parent, so the new entries survive a crash."""
    if directory.exists():
        return
    _make_directories_durably(directory.parent)
    directory.mkdir(mode=_PRIVATE_DIR_MODE, exist_ok=True)
    fsync_directory(directory.parent)


def _make_directories(directory: Path) -> list[Path]:
    """Create missing directories; returns the parents whose new entries need an fsync (the
    caller fsyncs them, with others, before relying on them)."""
    if directory.exists():
        return []
    parents = _make_directories(directory.parent)
    directory.mkdir(mode=_PRIVATE_DIR_MODE, exist_ok=True)
    return [*parents, directory.parent]


def _locked(path: Path) -> bool:
    """True while a live writer holds the temp file's lock."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return True  # installed meanwhile: not ours to remove
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def _modified_before(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:  # renamed into place by the write that owned it
        return False
