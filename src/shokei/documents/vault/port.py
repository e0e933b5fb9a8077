"""The storage port of the documents feature: what a vault is, whatever holds its blobs.

A vault stores encrypted, content-addressed blobs durably and reads them back verified; it
never touches the database. `put` returns the metadata (`StoredBlob`) the caller records, and
every read takes those recorded facts back (`BlobRef`) with the associated data the blob was
bound to. `FilesystemVault` (`vault.filesystem`) is the implementation in use.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, Protocol

from shokei.errors import IntegrityFailure

_ASSOCIATED_DATA_LABEL = b"shokei/document/v1"


class BlobStatus(StrEnum):
    """What a fixity check found for one recorded blob."""

    OK = "ok"
    MISSING = "missing"
    CORRUPT = "corrupt"


class BlobMissing(IntegrityFailure):
    """A blob the caller recorded is not in the vault: data loss, not a user's typo."""

    title = "Stored document missing"


@dataclass(frozen=True)
class StoredBlob:
    """What `put` stored: the caller records all of it (blob_id equals ciphertext_sha256)."""

    blob_id: str
    key_id: str
    wrapped_key: bytes
    plaintext_sha256: str
    ciphertext_sha256: str
    plaintext_size: int
    ciphertext_size: int


@dataclass(frozen=True, slots=True)
class PendingBlob:
    """A blob `stage` encrypted into a locked temp file; `stored` is what it is once durable."""

    temp_path: Path
    file: BinaryIO
    stored: StoredBlob


class BlobRef(Protocol):
    """The recorded facts a read needs; a StoredBlob or a database row both qualify."""

    @property
    def blob_id(self) -> str: ...
    @property
    def wrapped_key(self) -> bytes: ...
    @property
    def plaintext_sha256(self) -> str: ...
    @property
    def plaintext_size(self) -> int: ...


def document_associated_data(case_id: str, document_id: str) -> bytes:
    """Associated data binding a blob to its case and document.

    Length-prefixed, so no two (case, document) pairs encode alike; a blob read under any other
    pair fails authentication.
    """
    parts = (_ASSOCIATED_DATA_LABEL, case_id.encode(), document_id.encode())
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


class Vault(Protocol):
    """Encrypted, content-addressed, durable blob storage (see `FilesystemVault` for the contract)."""

    def put(self, source: BinaryIO, associated_data: bytes) -> StoredBlob:
        """Encrypt and store `source` durably; all of it or nothing."""
        ...

    def stage(self, source: BinaryIO, associated_data: bytes) -> PendingBlob:
        """Encrypt `source` into a locked temp file, not yet durable (thread-safe)."""
        ...

    def make_durable(self, pending: Sequence[PendingBlob]) -> list[StoredBlob]:
        """`sync` then `install`: the staged blobs are durable at their addresses."""
        ...

    def sync(self, pending: Sequence[PendingBlob]) -> None:
        """Fsync staged temp files together (before the transaction that records them)."""
        ...

    def install(self, pending: Sequence[PendingBlob]) -> list[StoredBlob]:
        """Rename synced blobs to their addresses, fsyncing each directory once (quick)."""
        ...

    def abandon(self, pending: Sequence[PendingBlob]) -> None:
        """Remove staged temp files that will not be made durable."""
        ...

    def discard_unreferenced(self, blob_id: str) -> None:
        """Remove a blob this process has just put and that no record will refer to."""
        ...

    def read_into(self, blob: BlobRef, associated_data: bytes, destination: BinaryIO) -> int:
        """Decrypt into `destination`, verified; returns the plaintext size."""
        ...

    def iter_plaintext(self, blob: BlobRef, associated_data: bytes) -> Iterator[bytes]:
        """The verified plaintext in chunks; the last `next()` checks the SHA-256."""
        ...

    def export_to_path(self, blob: BlobRef, associated_data: bytes, out_path: Path) -> None:
        """Write the verified plaintext to `out_path` (owner-only), all or nothing."""
        ...

    def find_orphans(self, referenced_blob_ids: Container[str]) -> Iterator[str]:
        """Stored blob ids no record refers to (reported, never deleted)."""
        ...

    def check_ciphertext(self, blob_id: str, expected_ciphertext_sha256: str) -> BlobStatus:
        """Re-hash a stored ciphertext against its recorded SHA-256 (no key needed)."""
        ...

    def deep_check(self, blob: BlobRef, associated_data: bytes) -> BlobStatus:
        """Decrypt and discard, checking every tag and the plaintext SHA-256."""
        ...

    def stale_temp_files(self, older_than_seconds: float = 0.0) -> list[Path]:
        """Temp files left by dead writes, untouched for `older_than_seconds`."""
        ...

    def remove_stale_temp_files(self, older_than_seconds: float = 0.0) -> list[Path]:
        """Delete the temp files `stale_temp_files` lists; returns them."""
        ...

    def blob_path(self, blob_id: str) -> Path:
        """Where the blob's ciphertext is stored (backups copy it as is)."""
        ...

    def blob_age_seconds(self, blob_id: str) -> float | None:
        """Seconds since the blob was written (None: not stored)."""
        ...

    def remove_orphan(self, blob_id: str) -> int:
        """Delete a blob no record refers to (the caller checked); returns its size."""
        ...
