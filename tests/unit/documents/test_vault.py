"""The filesystem vault with real keys, real AES-GCM and real files under tmp_path."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import random
import time
import tracemalloc
from pathlib import Path
from typing import BinaryIO, cast

import pytest

from shokei.documents.vault import (
    BlobMissing,
    BlobStatus,
    FilesystemVault,
    StoredBlob,
    document_associated_data,
)
from shokei.documents.vault.crypto import (
    AES256_GCM_HKDF_1MB,
    CURRENT_KEY_FILE,
    MasterKeyError,
    MasterKeyring,
    create_master_key,
    rewrap,
    rotate_master_key,
)
from shokei.errors import BadInput, IntegrityFailure

MIB = 1 << 20
SEGMENT = AES256_GCM_HKDF_1MB.ciphertext_segment_size
FIRST = AES256_GCM_HKDF_1MB.first_plaintext_segment_size  # plaintext bytes in segment 0
LATER = AES256_GCM_HKDF_1MB.plaintext_segment_size  # plaintext bytes in each later segment
AAD = document_associated_data("case-2022-0001", "doc-17")
OTHER_AAD = document_associated_data("case-2022-0001", "doc-18")
MARKER = "機密-MACHINE-GUN-RECEIVER-DRAWING-4711".encode()


def random_bytes(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def put_bytes(vault: FilesystemVault, data: bytes, aad: bytes = AAD) -> StoredBlob:
    return vault.put(io.BytesIO(data), aad)


def blob_file(vault: FilesystemVault, blob_id: str) -> Path:
    return vault.root / "blobs" / blob_id[:2] / blob_id[2:4] / blob_id


def files_under(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*") if path.is_file())


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "keys"
    directory.mkdir()
    create_master_key(directory / CURRENT_KEY_FILE)
    return directory


@pytest.fixture
def vault(tmp_path: Path, keys_dir: Path) -> FilesystemVault:
    return FilesystemVault(tmp_path / "vault", MasterKeyring.from_directory(keys_dir))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "out"
    directory.mkdir()
    return directory


# ------------------------------------------------------------------------------- round trip


@pytest.mark.parametrize(
    "size",
    [0, 1, FIRST - 1, FIRST, FIRST + 1, FIRST + LATER - 1, FIRST + LATER, FIRST + LATER + 1,
     5 * MIB + 7],
)  # fmt: skip
def test_round_trip_at_every_segment_boundary(vault: FilesystemVault, out_dir: Path, size: int) -> None:
    data = random_bytes(size, seed=size)
    blob = put_bytes(vault, data)
    stored = blob_file(vault, blob.blob_id).read_bytes()
    assert blob.plaintext_sha256 == hashlib.sha256(data).hexdigest()
    assert blob.blob_id == blob.ciphertext_sha256 == hashlib.sha256(stored).hexdigest()
    assert (blob.plaintext_size, blob.ciphertext_size) == (size, len(stored))
    assert blob.key_id == vault._require_keyring().current.key_id
    destination = io.BytesIO()
    assert vault.read_into(blob, AAD, destination) == size
    assert destination.getvalue() == data
    assert b"".join(vault.iter_plaintext(blob, AAD)) == data
    vault.export_to_path(blob, AAD, out_dir / "copy.bin")
    assert (out_dir / "copy.bin").read_bytes() == data
    assert [p.name for p in out_dir.iterdir()] == ["copy.bin"]


@pytest.mark.parametrize("size", [0, 1, FIRST - 1, FIRST, FIRST + 1, FIRST + LATER + 1])
@pytest.mark.parametrize("skip", [0, 5])
def test_a_regular_file_round_trips_from_where_it_is_read(
    vault: FilesystemVault, tmp_path: Path, size: int, skip: int
) -> None:
    """A file's size is read to size the buffers (and, for one segment, to write without a
    writer thread); what is sealed is still what is read, from the file's current position."""
    data = random_bytes(size + skip, seed=size)
    source_path = tmp_path / "drawing.bin"
    source_path.write_bytes(data)
    with open(source_path, "rb") as source:
        source.seek(skip)
        blob = vault.put(source, AAD)
    assert (blob.plaintext_size, blob.plaintext_sha256) == (size, hashlib.sha256(data[skip:]).hexdigest())
    assert b"".join(vault.iter_plaintext(blob, AAD)) == data[skip:]
    assert blob.blob_id == hashlib.sha256(blob_file(vault, blob.blob_id).read_bytes()).hexdigest()


def test_put_accepts_streams_with_only_read_and_short_reads(vault: FilesystemVault) -> None:
    class Trickle:
        def __init__(self, data: bytes) -> None:
            self._data = data

        def read(self, size: int) -> bytes:
            chunk, self._data = self._data[: min(size, 1000)], self._data[min(size, 1000) :]
            return chunk

    data = random_bytes(2 * MIB + 5)
    blob = vault.put(cast(BinaryIO, Trickle(data)), AAD)
    assert blob.plaintext_size == len(data)
    assert b"".join(vault.iter_plaintext(blob, AAD)) == data


def test_no_plaintext_marker_appears_anywhere_under_the_vault_root(
    vault: FilesystemVault,
) -> None:
    small = MARKER
    large = (MARKER + b" ") * (3 * MIB // len(MARKER))
    blobs = [put_bytes(vault, small), put_bytes(vault, large)]
    stored_files = files_under(vault.root)
    assert len(stored_files) == 2
    for path in stored_files:
        content = path.read_bytes()
        assert MARKER not in content
        assert MARKER[:16] not in content
    for blob in blobs:  # and the metadata handed to the database carries nothing of it either
        assert MARKER[:16] not in repr(blob).encode()


def test_every_put_of_the_same_content_is_a_distinct_blob(vault: FilesystemVault) -> None:
    first, second = put_bytes(vault, b"same drawing"), put_bytes(vault, b"same drawing")
    assert first.blob_id != second.blob_id
    assert first.plaintext_sha256 == second.plaintext_sha256
    assert first.wrapped_key != second.wrapped_key


def test_associated_data_encodes_case_and_document_unambiguously() -> None:
    assert document_associated_data("ab", "c") != document_associated_data("a", "bc")
    assert document_associated_data("a", "b") == document_associated_data("a", "b")


# -------------------------------------------------------------------------- tamper evidence


@pytest.fixture
def four_segment_blob(vault: FilesystemVault) -> StoredBlob:
    """Segments: 0 = [40, 1 MiB), 1 and 2 full, 3 partial (ends the file)."""
    return put_bytes(vault, random_bytes(FIRST + 2 * LATER + 1000))


def assert_export_fails_cleanly(
    vault: FilesystemVault, blob: StoredBlob, out_dir: Path, aad: bytes = AAD
) -> None:
    with pytest.raises(IntegrityFailure):
        vault.export_to_path(blob, aad, out_dir / "copy.bin")
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize(
    "position",
    [0, 5, 39, 40, SEGMENT - 1, SEGMENT + 12_345, 3 * SEGMENT + 500, -1],
    ids=["header-length", "salt", "nonce-prefix", "segment-0-first", "segment-0-tag",
         "segment-1", "last-segment", "last-byte"],
)  # fmt: skip
def test_one_flipped_byte_anywhere_fails_and_leaves_no_output(
    vault: FilesystemVault, four_segment_blob: StoredBlob, out_dir: Path, position: int
) -> None:
    path = blob_file(vault, four_segment_blob.blob_id)
    content = bytearray(path.read_bytes())
    content[position] ^= 0x80
    path.write_bytes(content)
    assert_export_fails_cleanly(vault, four_segment_blob, out_dir)
    recorded_hash = four_segment_blob.ciphertext_sha256
    assert vault.check_ciphertext(four_segment_blob.blob_id, recorded_hash) == BlobStatus.CORRUPT
    assert vault.deep_check(four_segment_blob, AAD) == BlobStatus.CORRUPT


@pytest.mark.parametrize(
    "keep",
    [1, 3 * SEGMENT, 3 * SEGMENT + 17, 2 * SEGMENT, SEGMENT],
    ids=["inside-header", "drop-last-segment", "inside-last-segment", "drop-two", "only-first"],
)
def test_truncation_fails_and_leaves_no_output(
    vault: FilesystemVault, four_segment_blob: StoredBlob, out_dir: Path, keep: int
) -> None:
    path = blob_file(vault, four_segment_blob.blob_id)
    path.write_bytes(path.read_bytes()[:keep])
    assert_export_fails_cleanly(vault, four_segment_blob, out_dir)


def test_swapping_two_segments_fails(
    vault: FilesystemVault, four_segment_blob: StoredBlob, out_dir: Path
) -> None:
    path = blob_file(vault, four_segment_blob.blob_id)
    content = path.read_bytes()
    one, two = content[SEGMENT : 2 * SEGMENT], content[2 * SEGMENT : 3 * SEGMENT]
    path.write_bytes(content[:SEGMENT] + two + one + content[3 * SEGMENT :])
    with pytest.raises(IntegrityFailure, match="segment 1 failed"):
        vault.read_into(four_segment_blob, AAD, io.BytesIO())
    assert_export_fails_cleanly(vault, four_segment_blob, out_dir)


def test_swapping_two_blobs_files_fails_both_ways(vault: FilesystemVault, out_dir: Path) -> None:
    first = put_bytes(vault, random_bytes(3000, seed=1), AAD)
    second = put_bytes(vault, random_bytes(3000, seed=2), OTHER_AAD)
    first_path, second_path = blob_file(vault, first.blob_id), blob_file(vault, second.blob_id)
    first_bytes = first_path.read_bytes()
    first_path.write_bytes(second_path.read_bytes())
    second_path.write_bytes(first_bytes)
    assert_export_fails_cleanly(vault, first, out_dir, AAD)
    assert_export_fails_cleanly(vault, second, out_dir, OTHER_AAD)
    assert vault.check_ciphertext(first.blob_id, first.ciphertext_sha256) == BlobStatus.CORRUPT


def test_reading_a_blob_under_another_documents_associated_data_fails(
    vault: FilesystemVault, out_dir: Path
) -> None:
    blob = put_bytes(vault, b"drawing for doc-17")
    assert_export_fails_cleanly(vault, blob, out_dir, OTHER_AAD)


def test_plaintext_differing_from_the_recorded_hash_fails_after_full_decryption(
    vault: FilesystemVault, out_dir: Path
) -> None:
    blob = put_bytes(vault, random_bytes(FIRST + 10))
    wrong_hash = dataclasses.replace(blob, plaintext_sha256=hashlib.sha256(b"x").hexdigest())
    wrong_size = dataclasses.replace(blob, plaintext_size=blob.plaintext_size - 1)
    for recorded in (wrong_hash, wrong_size):
        with pytest.raises(IntegrityFailure, match="were recorded"):
            list(vault.iter_plaintext(recorded, AAD))
        assert_export_fails_cleanly(vault, recorded, out_dir)


def test_a_failed_export_leaves_an_existing_output_file_untouched(
    vault: FilesystemVault, out_dir: Path
) -> None:
    blob = put_bytes(vault, b"drawing")
    (out_dir / "copy.bin").write_bytes(b"previous export")
    with pytest.raises(IntegrityFailure):
        vault.export_to_path(blob, OTHER_AAD, out_dir / "copy.bin")
    assert [p.name for p in out_dir.iterdir()] == ["copy.bin"]
    assert (out_dir / "copy.bin").read_bytes() == b"previous export"


def test_a_missing_blob_is_reported_as_missing_not_as_not_found(
    vault: FilesystemVault, out_dir: Path
) -> None:
    blob = put_bytes(vault, b"drawing")
    blob_file(vault, blob.blob_id).unlink()
    with pytest.raises(BlobMissing, match=blob.blob_id):
        vault.export_to_path(blob, AAD, out_dir / "copy.bin")
    assert list(out_dir.iterdir()) == []
    assert vault.check_ciphertext(blob.blob_id, blob.ciphertext_sha256) == BlobStatus.MISSING
    assert vault.deep_check(blob, AAD) == BlobStatus.MISSING


@pytest.mark.parametrize("blob_id", ["../../keys/master.key", "AB" * 32, "ab" * 31, ""])
def test_malformed_blob_ids_are_refused_before_touching_the_filesystem(
    vault: FilesystemVault, blob_id: str
) -> None:
    with pytest.raises(BadInput, match="not a blob id"):
        vault.check_ciphertext(blob_id, "00" * 32)


# ------------------------------------------------------------------------------------- keys


def test_wrong_master_key_is_recognised_by_id_and_leaves_no_output(
    tmp_path: Path, vault: FilesystemVault, out_dir: Path
) -> None:
    blob = put_bytes(vault, b"drawing")
    other_keys = tmp_path / "other-keys"
    other_keys.mkdir()
    create_master_key(other_keys / CURRENT_KEY_FILE)
    stranger = FilesystemVault(vault.root, MasterKeyring.from_directory(other_keys))
    with pytest.raises(MasterKeyError, match=f"master key {blob.key_id} is not in the keyring"):
        stranger.export_to_path(blob, AAD, out_dir / "copy.bin")
    assert list(out_dir.iterdir()) == []
    with pytest.raises(MasterKeyError):  # a key problem is not mislabelled as corruption
        stranger.deep_check(blob, AAD)


def test_missing_key_file_is_a_clear_error_naming_it(tmp_path: Path, keys_dir: Path) -> None:
    (keys_dir / CURRENT_KEY_FILE).unlink()
    with pytest.raises(MasterKeyError, match=str(keys_dir / CURRENT_KEY_FILE)):
        MasterKeyring.from_directory(keys_dir)


def test_a_vault_opened_without_keys_checks_fixity_but_cannot_read(
    vault: FilesystemVault,
) -> None:
    blob = put_bytes(vault, b"drawing")
    keyless = FilesystemVault(vault.root)
    assert keyless.check_ciphertext(blob.blob_id, blob.ciphertext_sha256) == BlobStatus.OK
    assert list(keyless.iter_blob_ids()) == [blob.blob_id]
    with pytest.raises(MasterKeyError, match="without a master keyring"):
        keyless.read_into(blob, AAD, io.BytesIO())
    with pytest.raises(MasterKeyError, match="without a master keyring"):
        keyless.put(io.BytesIO(b"x"), AAD)


def test_rotation_rewrap_and_retirement_keep_every_blob_readable(tmp_path: Path, keys_dir: Path) -> None:
    vault_root = tmp_path / "vault"
    old_vault = FilesystemVault(vault_root, MasterKeyring.from_directory(keys_dir))
    contents = [random_bytes(FIRST + 100 * n, seed=n) for n in range(3)]
    blobs = [put_bytes(old_vault, data) for data in contents]
    old_id = blobs[0].key_id

    new_id = rotate_master_key(keys_dir)
    both = MasterKeyring.from_directory(keys_dir)
    vault = FilesystemVault(vault_root, both)
    assert all(vault.deep_check(blob, AAD) == BlobStatus.OK for blob in blobs)
    assert put_bytes(vault, b"new").key_id == new_id

    rewrapped = [
        dataclasses.replace(blob, wrapped_key=rewrap(blob.wrapped_key, both), key_id=new_id) for blob in blobs
    ]
    (keys_dir / f"master-{old_id}.key").unlink()
    only_new = FilesystemVault(vault_root, MasterKeyring.from_directory(keys_dir))
    for blob, data in zip(rewrapped, contents, strict=True):
        assert b"".join(only_new.iter_plaintext(blob, AAD)) == data
    with pytest.raises(MasterKeyError, match=old_id):
        only_new.read_into(blobs[0], AAD, io.BytesIO())


# ------------------------------------------------------------------------------------- fsck


def test_fsck_helpers_report_ok_corrupt_missing_and_orphans_without_deleting(
    vault: FilesystemVault,
) -> None:
    ok, corrupt, missing, orphan = (put_bytes(vault, bytes([n]) * 100) for n in range(4))
    corrupt_path = blob_file(vault, corrupt.blob_id)
    corrupt_path.write_bytes(corrupt_path.read_bytes()[:-1] + b"\x00")
    blob_file(vault, missing.blob_id).unlink()
    statuses = {
        blob.blob_id: vault.check_ciphertext(blob.blob_id, blob.ciphertext_sha256)
        for blob in (ok, corrupt, missing)
    }
    assert statuses == {
        ok.blob_id: BlobStatus.OK,
        corrupt.blob_id: BlobStatus.CORRUPT,
        missing.blob_id: BlobStatus.MISSING,
    }
    recorded = {ok.blob_id, corrupt.blob_id, missing.blob_id}
    assert list(vault.find_orphans(recorded)) == [orphan.blob_id]
    assert blob_file(vault, orphan.blob_id).exists()
    assert list(vault.iter_blob_ids()) == sorted([ok.blob_id, corrupt.blob_id, orphan.blob_id])


def test_listing_skips_temp_files_and_stray_names(vault: FilesystemVault) -> None:
    blob = put_bytes(vault, b"drawing")
    shard = blob_file(vault, blob.blob_id).parent
    (shard / f"{blob.blob_id}.partial").write_bytes(b"x")
    (shard / ("0" * 64)).write_bytes(b"wrong shard for this name")
    (vault.root / "blobs" / "notes.txt").write_bytes(b"x")
    (vault.root / "tmp" / "deadbeef.partial").write_bytes(b"x")
    assert list(vault.iter_blob_ids()) == [blob.blob_id]


# ------------------------------------------------------------------------------- durability


class FailingSource(io.RawIOBase):
    """Delivers `size` bytes, then fails like a dropped upload connection."""

    def __init__(self, size: int) -> None:
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left == 0:
            raise ConnectionResetError("upload dropped")
        count = min(len(buffer), self._left)
        buffer[:count] = bytes(count)
        self._left -= count
        return count


def test_a_failed_upload_leaves_neither_a_blob_nor_a_temp_file(vault: FilesystemVault) -> None:
    with pytest.raises(ConnectionResetError):
        vault.put(cast(BinaryIO, FailingSource(3 * MIB)), AAD)
    assert list(vault.iter_blob_ids()) == []
    assert files_under(vault.root) == []


def test_a_failed_rename_leaves_neither_a_blob_nor_a_temp_file(
    vault: FilesystemVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_fails(source: object, target: object) -> None:
        raise OSError("simulated I/O error during rename")

    monkeypatch.setattr(os, "replace", disk_fails)
    with pytest.raises(OSError, match="simulated"):
        put_bytes(vault, b"drawing")
    assert list(vault.iter_blob_ids()) == []
    assert files_under(vault.root) == []


def test_temp_files_left_by_a_crash_are_never_blobs_and_are_cleaned_once_stale(
    vault: FilesystemVault,
) -> None:
    crashed = vault.root / "tmp" / "0123abcd.partial"
    crashed.write_bytes(b"half-written ciphertext")
    two_hours_ago = time.time() - 7200
    os.utime(crashed, (two_hours_ago, two_hours_ago))
    in_progress = vault.root / "tmp" / "4567ef01.partial"
    in_progress.write_bytes(b"being written now")
    assert list(vault.iter_blob_ids()) == []
    assert vault.remove_stale_temp_files(older_than_seconds=3600) == [crashed]
    assert not crashed.exists()
    assert in_progress.exists()


def test_staged_blobs_are_locked_temp_files_until_installed_together(vault: FilesystemVault) -> None:
    """Group commit: staged blobs are no blobs (a crash leaves temp files, never listed as stale
    while their writer lives); once synced and installed, each reads back under its own AAD."""
    contents = [random_bytes(FIRST + 10, seed=n) for n in range(3)]
    aads = [document_associated_data("case-1", f"doc-{n}") for n in range(3)]
    pending = [vault.stage(io.BytesIO(data), aad) for data, aad in zip(contents, aads, strict=True)]
    assert list(vault.iter_blob_ids()) == []
    assert len(files_under(vault.root / "tmp")) == 3
    assert vault.stale_temp_files() == []  # their writer holds the locks
    vault.sync(pending)
    stored = vault.install(pending)
    assert sorted(vault.iter_blob_ids()) == sorted(blob.blob_id for blob in stored)
    assert files_under(vault.root / "tmp") == []
    for data, aad, blob in zip(contents, aads, stored, strict=True):
        assert blob.plaintext_sha256 == hashlib.sha256(data).hexdigest()
        assert blob.blob_id == hashlib.sha256(blob_file(vault, blob.blob_id).read_bytes()).hexdigest()
        out = io.BytesIO()
        vault.read_into(blob, aad, cast(BinaryIO, out))
        assert out.getvalue() == data


def test_abandoned_staged_blobs_leave_nothing(vault: FilesystemVault) -> None:
    pending = [vault.stage(io.BytesIO(b"refused drawing %d" % n), AAD) for n in range(2)]
    vault.abandon(pending)
    assert files_under(vault.root) == []


def test_an_install_that_fails_part_way_leaves_no_blob_of_the_group(
    vault: FilesystemVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = [vault.stage(io.BytesIO(b"drawing %d" % n), AAD) for n in range(3)]
    vault.sync(pending)
    real_replace, calls = os.replace, []

    def second_rename_fails(source: str | Path, target: str | Path) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError("simulated I/O error during rename")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", second_rename_fails)
    with pytest.raises(OSError, match="simulated"):
        vault.install(pending)
    assert list(vault.iter_blob_ids()) == []
    assert files_under(vault.root) == []


# ----------------------------------------------------------------------------------- memory


class GeneratedPlaintext(io.RawIOBase):
    """`size` bytes produced as they are read, never held in memory at once."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._pattern = memoryview(bytes(range(256)) * (MIB // 256))

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self._left, len(self._pattern))
        buffer[:count] = self._pattern[:count]  # a view: the test adds no copy of its own
        self._left -= count
        return count


def test_a_200_mib_stream_is_stored_and_verified_in_constant_memory(
    vault: FilesystemVault,
) -> None:
    size = 200 * MIB
    source = GeneratedPlaintext(size)
    tracemalloc.start()
    try:
        blob = vault.put(cast(BinaryIO, source), AAD)
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        status = vault.deep_check(blob, AAD)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert blob.plaintext_size == size
    assert status == BlobStatus.OK
    # Two 1 MiB segment buffers, plus the writer thread's bounded queue (2 segments) and the one
    # it is hashing/writing; the whole stream would be 200 MiB.
    assert put_peak < 7 * MIB, f"put peaked at {put_peak / MIB:.1f} MiB"
    assert read_peak < 3 * MIB, f"deep_check peaked at {read_peak / MIB:.1f} MiB"
