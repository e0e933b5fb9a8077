"""Throughput of the vault's encryption and ingest path, one core.

Run: `.venv/bin/python bench/ingest_crypto.py [MiB]` (default 1024 MiB per measurement).
The plaintext is generated on the fly, so memory stays flat whatever the size.
"""

from __future__ import annotations

import hashlib
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

from shokei.documents.vault import FilesystemVault, StoredBlob
from shokei.documents.vault.crypto import (
    MasterKeyring,
    create_master_key,
    decrypt_stream,
    encrypt_stream,
    new_data_key,
)

MIB = 1 << 20
ASSOCIATED_DATA = b"bench"


class GeneratedPlaintext(io.RawIOBase):
    """`size` bytes of a repeating non-zero pattern, produced as they are read."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._pattern = memoryview(bytes(range(256)) * (4 * MIB // 256))

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self._left, len(self._pattern))
        buffer[:count] = self._pattern[:count]
        self._left -= count
        return count


class NullSink:
    def write(self, data: memoryview) -> int:
        return len(data)


class HashingNullSink(NullSink):
    """Hashes what it is given, as the vault does for the content address."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    def write(self, data: memoryview) -> int:
        self.digest.update(data)
        return len(data)


class HashingPlaintext(GeneratedPlaintext):
    """Generated plaintext hashed as it is read, as the vault does for fixity."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.digest = hashlib.sha256()

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = super().readinto(buffer)
        self.digest.update(buffer[:count])
        return count


def measure(label: str, size: int, action: Callable[[], object]) -> None:
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    print(f"{label:<42} {size / seconds / 1e6:8.0f} MB/s  ({size / MIB:.0f} MiB, {seconds:.2f} s)")


def main(size_mib: int) -> None:
    size = size_mib * MIB
    in_memory_size = min(size, 256 * MIB)
    data_key = new_data_key()
    ciphertext = io.BytesIO()
    encrypt_stream(data_key, ASSOCIATED_DATA, GeneratedPlaintext(in_memory_size), ciphertext)

    def decrypt_all() -> None:
        ciphertext.seek(0)
        for _ in decrypt_stream(data_key, ASSOCIATED_DATA, ciphertext):
            pass

    measure(
        "streaming AEAD encrypt (no hashing, no disk)",
        size,
        lambda: encrypt_stream(data_key, ASSOCIATED_DATA, GeneratedPlaintext(size), NullSink()),
    )
    measure("streaming AEAD decrypt (no hashing, no disk)", in_memory_size, decrypt_all)
    measure(
        "encrypt + 2x SHA-256 (put's CPU work, no disk)",
        size,
        lambda: encrypt_stream(data_key, ASSOCIATED_DATA, HashingPlaintext(size), HashingNullSink()),
    )
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        create_master_key(root / "master.key")
        vault = FilesystemVault(root / "vault", MasterKeyring.from_directory(root))
        stored: list[StoredBlob] = []
        measure(
            "vault.put (2x SHA-256, write, fsync, rename)",
            size,
            lambda: stored.append(vault.put(cast(BinaryIO, GeneratedPlaintext(size)), ASSOCIATED_DATA)),
        )
        measure(
            "vault.read_into (decrypt, SHA-256 check)",
            size,
            lambda: vault.read_into(stored[0], ASSOCIATED_DATA, cast(BinaryIO, NullSink())),
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1024)
