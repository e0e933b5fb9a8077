"""Master keys, data-key wrapping and the Tink-compatible streaming AEAD, with real crypto."""

from __future__ import annotations

import io
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given, settings
from hypothesis import strategies as st

from shokei.documents.vault.crypto import (
    AES256_GCM_HKDF_1MB,
    CURRENT_KEY_FILE,
    KeyringSealer,
    MasterKey,
    MasterKeyError,
    MasterKeyring,
    StreamingAeadParameters,
    ciphertext_size,
    create_master_key,
    decrypt_stream,
    encrypt_stream,
    load_master_key,
    new_data_key,
    rewrap,
    rotate_master_key,
    unwrap_data_key,
    wrap_data_key,
    wrapped_key_id,
)
from shokei.errors import BadInput, IntegrityFailure, ShokeiError

# Small segments exercise every boundary quickly: header 40, segment 0 holds 8 bytes, later 48.
SMALL = StreamingAeadParameters(ciphertext_segment_size=64, derived_key_size=32, hkdf_hash=hashes.SHA256())
AAD = b"case-1/document-7"


class ShortReads(io.RawIOBase):
    """A source that hands out at most `step` bytes per read, like a pipe or socket."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = memoryview(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self._step, len(self._data))
        buffer[:count] = self._data[:count]
        self._data = self._data[count:]
        return count


def encrypt(
    plaintext: bytes,
    key: bytes,
    aad: bytes = AAD,
    params: StreamingAeadParameters = SMALL,
    random_bytes: Callable[[int], bytes] | None = None,
) -> bytes:
    sink = io.BytesIO()
    randomness = random_bytes or secrets.token_bytes
    encrypt_stream(key, aad, io.BytesIO(plaintext), sink, params=params, random_bytes=randomness)
    return sink.getvalue()


def decrypt(
    ciphertext: bytes, key: bytes, aad: bytes = AAD, params: StreamingAeadParameters = SMALL
) -> bytes:
    return b"".join(bytes(c) for c in decrypt_stream(key, aad, io.BytesIO(ciphertext), params=params))


# ------------------------------------------------------------------------------ master keys


def test_create_master_key_writes_32_private_bytes_and_returns_the_id_it_loads_with(
    tmp_path: Path,
) -> None:
    path = tmp_path / CURRENT_KEY_FILE
    key_id = create_master_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_bytes()) == 32
    assert load_master_key(path).key_id == key_id
    assert len(key_id) == 16
    assert create_master_key(tmp_path / "other.key") != key_id


def test_create_master_key_never_overwrites_an_existing_key(tmp_path: Path) -> None:
    path = tmp_path / CURRENT_KEY_FILE
    create_master_key(path)
    before = path.read_bytes()
    with pytest.raises(MasterKeyError, match="refusing to overwrite"):
        create_master_key(path)
    assert path.read_bytes() == before


def test_master_key_repr_never_shows_the_material(tmp_path: Path) -> None:
    create_master_key(tmp_path / "k")
    key = load_master_key(tmp_path / "k")
    assert key.material.hex() not in repr(key)
    assert repr(key.material) not in repr(key)


def test_missing_key_file_is_a_clear_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match=r"master\.key does not exist") as caught:
        MasterKeyring.from_directory(tmp_path)
    assert str(tmp_path) in caught.value.message
    assert isinstance(caught.value, ShokeiError)


def test_key_file_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / CURRENT_KEY_FILE
    path.write_bytes(b"short")
    path.chmod(0o600)
    with pytest.raises(MasterKeyError, match=r"holds 5 bytes, expected 32"):
        load_master_key(path)


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / CURRENT_KEY_FILE
    create_master_key(path)
    path.chmod(0o644)
    with pytest.raises(MasterKeyError, match=r"mode 644.*chmod 600"):
        load_master_key(path)


def test_retired_key_file_must_be_named_for_its_key_id(tmp_path: Path) -> None:
    create_master_key(tmp_path / CURRENT_KEY_FILE)
    create_master_key(tmp_path / "master-0000000000000000.key")
    with pytest.raises(MasterKeyError, match=r"master-0000000000000000\.key holds master key"):
        MasterKeyring.from_directory(tmp_path)


def test_rotation_retires_the_old_key_under_its_id_and_installs_a_new_current(
    tmp_path: Path,
) -> None:
    old_id = create_master_key(tmp_path / CURRENT_KEY_FILE)
    new_id = rotate_master_key(tmp_path)
    keyring = MasterKeyring.from_directory(tmp_path)
    assert keyring.current.key_id == new_id != old_id
    assert keyring.key_ids == sorted([old_id, new_id])
    assert (tmp_path / f"master-{old_id}.key").exists()
    assert stat.S_IMODE((tmp_path / CURRENT_KEY_FILE).stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_keyring_loads_after_a_rotation_interrupted_between_its_two_steps(tmp_path: Path) -> None:
    # A crash after the hard link but before the replace leaves the current key under both names.
    key_id = create_master_key(tmp_path / CURRENT_KEY_FILE)
    (tmp_path / f"master-{key_id}.key").hardlink_to(tmp_path / CURRENT_KEY_FILE)
    keyring = MasterKeyring.from_directory(tmp_path)
    assert keyring.current.key_id == key_id
    assert keyring.key_ids == [key_id]


# ----------------------------------------------------------------------------- key wrapping


@pytest.fixture
def two_keys(tmp_path: Path) -> tuple[MasterKey, MasterKey]:
    create_master_key(tmp_path / "a.key")
    create_master_key(tmp_path / "b.key")
    return load_master_key(tmp_path / "a.key"), load_master_key(tmp_path / "b.key")


def test_wrapped_key_is_tagged_with_its_master_key_id_and_unwraps(
    two_keys: tuple[MasterKey, MasterKey],
) -> None:
    key_a, _ = two_keys
    data_key = new_data_key()
    wrapped = wrap_data_key(data_key, key_a)
    assert wrapped_key_id(wrapped) == key_a.key_id
    assert data_key not in wrapped
    assert unwrap_data_key(wrapped, MasterKeyring(key_a)) == data_key


def test_unwrapping_without_the_right_master_key_names_the_missing_key_id(
    two_keys: tuple[MasterKey, MasterKey],
) -> None:
    key_a, key_b = two_keys
    wrapped = wrap_data_key(new_data_key(), key_a)
    with pytest.raises(MasterKeyError, match=f"master key {key_a.key_id} is not in the keyring"):
        unwrap_data_key(wrapped, MasterKeyring(key_b))


def test_a_wrap_retagged_to_another_key_fails_integrity_not_silently(
    two_keys: tuple[MasterKey, MasterKey],
) -> None:
    key_a, key_b = two_keys
    wrapped = wrap_data_key(new_data_key(), key_a)
    retagged = wrapped[:1] + bytes.fromhex(key_b.key_id) + wrapped[9:]
    with pytest.raises(IntegrityFailure, match=f"under master key {key_b.key_id}"):
        unwrap_data_key(retagged, MasterKeyring(key_b, [key_a]))


@pytest.mark.parametrize("position", [9, 30, 48])
def test_a_flipped_byte_in_the_wrap_fails_integrity(
    two_keys: tuple[MasterKey, MasterKey], position: int
) -> None:
    key_a, _ = two_keys
    wrapped = bytearray(wrap_data_key(new_data_key(), key_a))
    wrapped[position] ^= 0x01
    with pytest.raises(IntegrityFailure):
        unwrap_data_key(bytes(wrapped), MasterKeyring(key_a))


@pytest.mark.parametrize("wrapped", [b"", b"\x02" + bytes(48), bytes(48)])
def test_malformed_wraps_are_integrity_failures(wrapped: bytes) -> None:
    with pytest.raises(IntegrityFailure, match="malformed"):
        wrapped_key_id(wrapped)


def test_rewrap_moves_a_data_key_to_the_new_master_key_unchanged(
    two_keys: tuple[MasterKey, MasterKey],
) -> None:
    key_a, key_b = two_keys
    data_key = new_data_key()
    rewrapped = rewrap(wrap_data_key(data_key, key_a), MasterKeyring(key_b, [key_a]))
    assert wrapped_key_id(rewrapped) == key_b.key_id
    assert unwrap_data_key(rewrapped, MasterKeyring(key_b)) == data_key
    back = rewrap(rewrapped, MasterKeyring(key_b, [key_a]), new_key_id=key_a.key_id)
    assert unwrap_data_key(back, MasterKeyring(key_a)) == data_key


# ------------------------------------------------------------- Tink interoperability vectors


# Tink's published AES-GCM-HKDF streaming vectors (tink-java AesGcmHkdfStreamingTestUtil, taken
# from Tink's cross-language test_manually_created_test_vector).
@dataclass(frozen=True)
class TinkVector:
    key_hex: str
    hkdf_hash: hashes.HashAlgorithm
    segment_size: int
    derived_size: int
    plaintext: bytes
    aad: bytes
    ciphertext_hex: str

    @property
    def params(self) -> StreamingAeadParameters:
        return StreamingAeadParameters(self.segment_size, self.derived_size, self.hkdf_hash)


_KEY_16 = "6eb56cdc726dfbe5d57f2fcdc6e9345b"
_KEY_32 = "00112233445566778899aabbccddeeff6eb56cdc726dfbe5d57f2fcdc6e9345b"
_THREE_BLOCKS = b"This is a fairly long plaintext. It is of the exact length to create three output blocks. "
TINK_VECTORS = {
    "three-segments": TinkVector(
        _KEY_16, hashes.SHA1(), 64, 16, _THREE_BLOCKS, b"aad",
        "18" "93b3af5e14ab378d065addfc8484da64" "2c0862877baea8"
        "db92d9c77406a406168478821c4298eab3e6d531277f4c1a051714faebcaefcbca7b7be05e9445ea"
        "a0bb2904153398a25084dd80ae0edcd1c3079fcea2cd3770630ee36f7539207b8ec9d754956d486b"
        "71cdf989f0ed6fba6779b63558be0a66e668df14e1603cd2"
        "af8944844078345286d0b292e772e7190775c51a0f83e40c0b75821027e7e538e111",
    ),
    "empty-sha1": TinkVector(
        _KEY_16, hashes.SHA1(), 64, 16, b"", b"",
        "18ec99b2c3884194023bd41bb9bff309205354c750fa0cb3c0d02609abf71f88eaeaa48d7deca27f",
    ),
    "empty-sha256": TinkVector(
        _KEY_16, hashes.SHA256(), 64, 16, b"", b"",
        "18be78bce0cab6fd38a9041eea8ab0ffc4cf17e3c00b661d3927f5f79069f41a210fedc40b25648c",
    ),
    "empty-sha512": TinkVector(
        _KEY_16, hashes.SHA512(), 64, 16, b"", b"",
        "18fec8139ccb406e0f140d7e2bcc41e1b899bc1b121574cc31d1c78ed2ca1cdf324665b8dce21095",
    ),
    "32-byte-key": TinkVector(
        _KEY_32, hashes.SHA1(), 64, 16, b"", b"",
        "180880e85a24207a7b72cefde26306ed09d7d76e58104b751d005a3ffd72dd6151f0d9c8ccf163f7",
    ),
    "32-byte-derived-key": TinkVector(
        _KEY_32, hashes.SHA1(), 64, 32, b"", b"",
        "28fae780c70a82d1256c8303a1261ac6a98cf557b4e173967a62f3c149517ba5b2431da93b3c6e90"
        "f508b34dc14bfda59bab05681c6ad3fa",
    ),
    "exactly-one-full-segment": TinkVector(
        _KEY_32, hashes.SHA1(), 120, 32,
        b"BLOCK 1.BLOCK 2.BLOCK 3.BLOCK 4.BLOCK 5.BLOCK 6.BLOCK 7.BLOCK 8.", bytes([0, 1, 2, 3]),
        "28782994617714a80fa085e15051a16854522330d6d0f26c049b2192f09cdd98b2eb90c753bfff277a"
        "29e54fa4afb15d648c28477eb07f012535c767f5fdce24ffffae318480c1d37357d6d3c511159318af"
        "a09ef38aa3f5456fd7817c5c02dd6e1a7fef174c8bd24e38b5982ac105497c0101ac5581fe5b",
    ),
}  # fmt: skip


@pytest.mark.parametrize("vector", TINK_VECTORS.values(), ids=TINK_VECTORS.keys())
def test_tink_vectors_decrypt_and_re_encrypt_byte_for_byte(vector: TinkVector) -> None:
    key, ciphertext = bytes.fromhex(vector.key_hex), bytes.fromhex(vector.ciphertext_hex)
    assert decrypt(ciphertext, key, vector.aad, vector.params) == vector.plaintext
    # Replaying the vector's salt and nonce prefix must reproduce Tink's exact bytes.
    salt_end = 1 + vector.derived_size
    header_randomness = iter([ciphertext[1:salt_end], ciphertext[salt_end : salt_end + 7]])

    def replay(size: int) -> bytes:
        chunk = next(header_randomness)
        assert len(chunk) == size
        return chunk

    reencrypted = encrypt(vector.plaintext, key, vector.aad, vector.params, random_bytes=replay)
    assert reencrypted == ciphertext


def test_our_1mb_layout_matches_tinks_spec_decrypted_independently() -> None:
    """Parse the header, derive the key and decrypt segments with raw HKDF + AES-GCM, per spec."""
    data_key = new_data_key()
    plaintext = bytes(range(256)) * (10 * 1024)  # 2.5 MiB: three segments
    ciphertext = encrypt(plaintext, data_key, params=AES256_GCM_HKDF_1MB)
    mib = 1 << 20
    assert ciphertext[0] == 40
    salt, nonce_prefix = ciphertext[1:33], ciphertext[33:40]
    segment_key = HKDF(hashes.SHA256(), 32, salt=salt, info=AAD).derive(data_key)
    aead = AESGCM(segment_key)
    segment_0 = aead.decrypt(nonce_prefix + bytes(4) + b"\x00", ciphertext[40:mib], None)
    assert segment_0 == plaintext[: mib - 40 - 16]
    last_nonce = nonce_prefix + (2).to_bytes(4, "big") + b"\x01"
    segment_2 = aead.decrypt(last_nonce, ciphertext[2 * mib :], None)
    assert segment_2 == plaintext[mib - 56 + (mib - 16) :]
    assert len(ciphertext) == ciphertext_size(len(plaintext), AES256_GCM_HKDF_1MB)


# ------------------------------------------------------------------------- streaming AEAD


@settings(max_examples=60)
@given(plaintext=st.binary(max_size=400), step=st.integers(min_value=1, max_value=70))
def test_round_trip_through_short_reads(plaintext: bytes, step: int) -> None:
    key = bytes(32)
    sink = io.BytesIO()
    encrypt_stream(key, AAD, ShortReads(plaintext, step), sink, params=SMALL)
    ciphertext = sink.getvalue()
    assert len(ciphertext) == ciphertext_size(len(plaintext), SMALL)
    chunks = decrypt_stream(key, AAD, ShortReads(ciphertext, step), params=SMALL)
    assert b"".join(bytes(c) for c in chunks) == plaintext


@settings(max_examples=60)
@given(plaintext=st.binary(max_size=200), data=st.data())
def test_any_single_flipped_bit_fails_integrity(plaintext: bytes, data: st.DataObject) -> None:
    ciphertext = bytearray(encrypt(plaintext, bytes(32)))
    position = data.draw(st.integers(0, len(ciphertext) - 1))
    ciphertext[position] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(IntegrityFailure):
        decrypt(bytes(ciphertext), bytes(32))


@settings(max_examples=60)
@given(plaintext=st.binary(max_size=200), data=st.data())
def test_any_truncation_or_extension_fails_integrity(plaintext: bytes, data: st.DataObject) -> None:
    ciphertext = encrypt(plaintext, bytes(32))
    cut = data.draw(st.integers(0, len(ciphertext) - 1))
    with pytest.raises(IntegrityFailure):
        decrypt(ciphertext[:cut], bytes(32))
    with pytest.raises(IntegrityFailure):
        decrypt(ciphertext + data.draw(st.binary(min_size=1, max_size=70)), bytes(32))


def test_dropping_whole_final_segment_fails_even_at_a_segment_boundary() -> None:
    ciphertext = encrypt(bytes(8 + 48 + 10), bytes(32))  # segments of 64, 64, 26 bytes
    with pytest.raises(IntegrityFailure, match="segment 1 failed"):
        decrypt(ciphertext[:128], bytes(32))


def test_swapped_segments_fail_integrity() -> None:
    ciphertext = encrypt(bytes(range(8 + 48 * 3)), bytes(32))  # 0: [0,64) 1: [64,128) 2: ...
    swapped = ciphertext[:64] + ciphertext[128:192] + ciphertext[64:128] + ciphertext[192:]
    with pytest.raises(IntegrityFailure, match="segment 1 failed"):
        decrypt(swapped, bytes(32))


def test_wrong_associated_data_or_data_key_fails_integrity() -> None:
    ciphertext = encrypt(b"drawing", bytes(32))
    with pytest.raises(IntegrityFailure):
        decrypt(ciphertext, bytes(32), aad=b"case-1/document-8")
    with pytest.raises(IntegrityFailure):
        decrypt(ciphertext, bytes(31) + b"\x01")


def test_a_header_declaring_another_length_is_refused() -> None:
    ciphertext = bytearray(encrypt(b"drawing", bytes(32)))
    ciphertext[0] = 24
    with pytest.raises(IntegrityFailure, match="declares length 24, expected 40"):
        decrypt(bytes(ciphertext), bytes(32))


def test_ciphertexts_of_the_same_plaintext_never_repeat() -> None:
    assert encrypt(b"same", bytes(32)) != encrypt(b"same", bytes(32))


def test_a_non_blocking_source_with_no_data_is_refused_not_taken_as_the_end() -> None:
    class WouldBlock(io.RawIOBase):
        def readinto(self, buffer: memoryview) -> None:  # type: ignore[override]
            return None

    with pytest.raises(BadInput, match="non-blocking"):
        encrypt_stream(bytes(32), AAD, WouldBlock(), io.BytesIO(), params=SMALL)


@pytest.mark.parametrize(("segment_size", "derived_size"), [(56, 32), (64, 24)])
def test_invalid_parameters_are_refused(segment_size: int, derived_size: int) -> None:
    with pytest.raises(BadInput):
        StreamingAeadParameters(segment_size, derived_size, hashes.SHA256())


def test_data_key_shorter_than_the_derived_key_is_refused() -> None:
    with pytest.raises(BadInput, match="shorter"):
        encrypt(b"x", bytes(16))


# ------------------------------------------------------------------- small sealed secrets


def test_a_small_secret_opens_only_with_its_associated_data_and_survives_a_rotation(tmp_path: Path) -> None:
    """Accounts' TOTP seeds: sealed under the current master key, bound to their record, and still
    readable after a rotation (the wrap names its key; retired keys stay in the keyring)."""
    create_master_key(tmp_path / CURRENT_KEY_FILE)
    sealer = KeyringSealer(MasterKeyring.from_directory(tmp_path))
    secret, record = b"JBSWY3DPEHPK3PXP", b"shokei/accounts/totp/v1\x007\x00examiner"
    sealed = sealer.seal(secret, record)
    assert secret not in sealed
    assert sealer.seal(secret, record) != sealed  # a fresh data key and nonce each time
    assert sealer.open(sealed, record) == secret
    with pytest.raises(IntegrityFailure):
        sealer.open(sealed, b"shokei/accounts/totp/v1\x008\x00negotiator")
    for position in (0, 20, len(sealed) - 1):
        flipped = bytearray(sealed)
        flipped[position] ^= 1
        with pytest.raises(IntegrityFailure):
            sealer.open(bytes(flipped), record)
    with pytest.raises(IntegrityFailure):
        sealer.open(sealed[:40], record)
    rotate_master_key(tmp_path)
    rotated = KeyringSealer(MasterKeyring.from_directory(tmp_path))
    assert rotated.open(sealed, record) == secret
    assert wrapped_key_id(rotated.seal(secret, record)[1:50]) == rotated.keyring.current.key_id


# ------------------------------------------------------------------------------ buffers sized to the source


@pytest.mark.parametrize("length", [0, 1, 7, 8, 9, 23, 24, 25, 63, 64, 200])
@pytest.mark.parametrize("declared", ["exact", "too small", "too large", "zero"])
def test_a_declared_size_changes_no_byte_of_the_ciphertext(length: int, declared: str) -> None:
    """The vault declares a file's size so small files get small buffers; a size that is wrong
    (a file grown or truncated while read) still gives exactly the bytes of an undeclared run.
    SMALL's segments: 24 plaintext bytes in the first (after the header), 48 in later ones."""
    key, plaintext = new_data_key(), bytes((7 * n) % 256 for n in range(length))
    expected = {"exact": length, "too small": max(length - 5, 0), "too large": length + 50, "zero": 0}[
        declared
    ]
    fixed = [b"\x11" * 32, b"\x22" * 7]

    def replay() -> Callable[[int], bytes]:
        chunks = iter(list(fixed))
        return lambda size: next(chunks)

    undeclared, declared_sink = io.BytesIO(), io.BytesIO()
    encrypt_stream(key, AAD, ShortReads(plaintext, 5), undeclared, params=SMALL, random_bytes=replay())
    encrypt_stream(
        key,
        AAD,
        ShortReads(plaintext, 5),
        declared_sink,
        params=SMALL,
        random_bytes=replay(),
        expected_size=expected,
    )
    assert declared_sink.getvalue() == undeclared.getvalue()
    assert decrypt(declared_sink.getvalue(), key) == plaintext
