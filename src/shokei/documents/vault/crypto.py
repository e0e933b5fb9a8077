"""Key handling and streaming encryption for the document vault.

Three layers, each usable alone:

* **Master keys**: 32 random bytes in a 0600 file. A keys directory holds the current key as
  `master.key` and retired keys as `master-<key id>.key`. The key id is derived from the key, so a
  wrong key is recognised by its id before anything is decrypted.
* **Data keys**: one random 32-byte key per stored file, wrapped by a master key with AES key wrap
  (RFC 3394) and tagged with that master key's id, so rotating the master key rewraps 49 bytes per
  file and never touches content.
* **Content**: Tink's streaming AEAD "AES-GCM-HKDF" wire format (AES256_GCM_HKDF_1MB by default):
  `header || segment_0 || ... || segment_n`, header = `len(header) || salt || nonce prefix`,
  segment key = HKDF(data key, salt, info=associated data), segment nonce =
  `nonce prefix || segment number (4 bytes, big-endian) || last-segment flag`. Each segment carries
  its own GCM tag, so reading verifies as it streams and memory stays at two segment buffers.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from shokei.errors import N_, BadInput, IntegrityFailure, ShokeiError, Text

MASTER_KEY_SIZE = 32
DATA_KEY_SIZE = 32
CURRENT_KEY_FILE = "master.key"
_RETIRED_KEY_FILE = re.compile(r"master-([0-9a-f]{16})\.key")
# Domain separation: the id is a fingerprint of this project's master keys, not a bare hash.
_KEY_ID_LABEL = b"shokei/vault/master-key-id/v1\x00"
_KEY_ID_SIZE = 8
_WRAP_FORMAT_VERSION = 1
_WRAPPED_KEY_SIZE = 1 + _KEY_ID_SIZE + DATA_KEY_SIZE + 8  # version, key id, RFC 3394 output

TAG_SIZE = 16
NONCE_PREFIX_SIZE = 7
_MAX_SEGMENTS = 2**32  # the segment number is a 4-byte counter in the nonce


class MasterKeyError(ShokeiError):
    """A master key is missing, malformed, unsafe on disk, or not in the keyring."""

    title = "Master key error"


# ---------------------------------------------------------------------------------- master keys


@dataclass(frozen=True)
class MasterKey:
    """A loaded master key; the material never appears in repr or logs."""

    key_id: str
    material: bytes = field(repr=False)
    path: Path | None = None


def master_key_id(material: bytes) -> str:
    """The public id of a master key: first 8 bytes (hex) of SHA-256 over a fixed label + key."""
    return hashlib.sha256(_KEY_ID_LABEL + material).digest()[:_KEY_ID_SIZE].hex()


def create_master_key(path: Path) -> str:
    """Write a new random master key to `path` (mode 0600, never overwriting); return its id."""
    material = secrets.token_bytes(MASTER_KEY_SIZE)
    try:
        _write_new_private_file(path, material)
    except FileExistsError:
        raise MasterKeyError(
            Text(N_("refusing to overwrite the existing key file %(path)s"), {"path": path})
        ) from None
    return master_key_id(material)


def load_master_key(path: Path) -> MasterKey:
    """Load a master key file, refusing a missing, wrongly sized or group/other-readable one."""
    try:
        mode = path.stat().st_mode
        material = path.read_bytes()
    except FileNotFoundError:
        raise MasterKeyError(Text(N_("master key file %(path)s does not exist"), {"path": path})) from None
    if stat.S_IMODE(mode) & 0o077:
        raise MasterKeyError(
            Text(
                N_(
                    "master key file %(path)s is accessible to group or others (mode "
                    "%(s_imode)s); restrict it with chmod 600"
                ),
                {"path": path, "s_imode": format(stat.S_IMODE(mode), "o")},
            )
        )
    if len(material) != MASTER_KEY_SIZE:
        raise MasterKeyError(
            Text(
                N_("master key file %(path)s holds %(count)s bytes, expected %(master_key_size)s"),
                {"path": path, "count": len(material), "master_key_size": MASTER_KEY_SIZE},
            )
        )
    return MasterKey(master_key_id(material), material, path)


class MasterKeyring:
    """The current master key (wraps new data keys) plus retired ones (still unwrap old ones)."""

    def __init__(
        self, current: MasterKey, retired: Iterable[MasterKey] = (), source: Path | None = None
    ) -> None:
        self.current = current
        self.source = source
        self._by_id = {key.key_id: key for key in retired}
        self._by_id[current.key_id] = current

    @classmethod
    def from_directory(cls, keys_dir: Path) -> MasterKeyring:
        """Load `master.key` as current and every `master-<key id>.key` as retired."""
        current = load_master_key(keys_dir / CURRENT_KEY_FILE)
        retired = [_load_retired_key(path) for path in sorted(keys_dir.glob("master-*.key"))]
        return cls(current, retired, source=keys_dir)

    @property
    def key_ids(self) -> list[str]:
        """Ids of every key this keyring can unwrap with, sorted."""
        return sorted(self._by_id)

    def get(self, key_id: str) -> MasterKey:
        """The key with this id, or a MasterKeyError naming the id and where keys were loaded."""
        try:
            return self._by_id[key_id]
        except KeyError:
            where = f" loaded from {self.source}" if self.source else ""
            raise MasterKeyError(
                Text(
                    N_(
                        "master key %(key_id)s is not in the keyring%(where)s (it holds "
                        "%(key_ids)s); was it retired and removed too early?"
                    ),
                    {"key_id": key_id, "where": where, "key_ids": ", ".join(self.key_ids)},
                )
            ) from None


def rotate_master_key(keys_dir: Path) -> str:
    """Retire `master.key` as `master-<id>.key` and install a new current key; return its id.

    Crash-safe: the old key is hard-linked under its retired name before `master.key` is
    atomically replaced, so at every instant both keys can be found.
    """
    current = load_master_key(keys_dir / CURRENT_KEY_FILE)
    retired_path = keys_dir / f"master-{current.key_id}.key"
    if not retired_path.exists():
        os.link(keys_dir / CURRENT_KEY_FILE, retired_path)
    staged = keys_dir / f".{CURRENT_KEY_FILE}.{secrets.token_hex(8)}.new"
    new_id = create_master_key(staged)  # its directory fsync also persists the link above
    os.replace(staged, keys_dir / CURRENT_KEY_FILE)
    fsync_directory(keys_dir)
    return new_id


def _load_retired_key(path: Path) -> MasterKey:
    key = load_master_key(path)
    match = _RETIRED_KEY_FILE.fullmatch(path.name)
    if match is None or match.group(1) != key.key_id:
        raise MasterKeyError(
            Text(
                N_(
                    "retired key file %(path)s holds master key %(key_id)s; it must be "
                    "named master-%(key_id)s.key"
                ),
                {"path": path, "key_id": key.key_id},
            )
        )
    return key


# ------------------------------------------------------------------------------ data key wrap


def new_data_key() -> bytes:
    """A fresh random per-file data key."""
    return secrets.token_bytes(DATA_KEY_SIZE)


def wrap_data_key(data_key: bytes, master: MasterKey) -> bytes:
    """`version || master key id || AES-KW(master, data key)` (49 bytes)."""
    key_id = bytes.fromhex(master.key_id)
    return bytes([_WRAP_FORMAT_VERSION]) + key_id + aes_key_wrap(master.material, data_key)


def wrapped_key_id(wrapped: bytes) -> str:
    """The id of the master key that wrapped this data key (read from the tag, no key needed)."""
    if len(wrapped) != _WRAPPED_KEY_SIZE or wrapped[0] != _WRAP_FORMAT_VERSION:
        raise IntegrityFailure(
            Text(
                N_("wrapped data key is malformed (%(count)s bytes, format %(value)s)"),
                {"count": len(wrapped), "value": wrapped[:1].hex() or "none"},
            )
        )
    return wrapped[1 : 1 + _KEY_ID_SIZE].hex()


def unwrap_data_key(wrapped: bytes, keyring: MasterKeyring) -> bytes:
    """Recover a data key; the master key is chosen by the wrap's id tag, then AES-KW verifies."""
    key_id = wrapped_key_id(wrapped)
    master = keyring.get(key_id)
    try:
        return aes_key_unwrap(master.material, wrapped[1 + _KEY_ID_SIZE :])
    except InvalidUnwrap:
        raise IntegrityFailure(
            Text(
                N_("wrapped data key failed its integrity check under master key %(key_id)s"),
                {"key_id": key_id},
            )
        ) from None


def rewrap(wrapped: bytes, keyring: MasterKeyring, new_key_id: str | None = None) -> bytes:
    """Rewrap a data key under `new_key_id` (default: the current key); content is untouched."""
    target = keyring.get(new_key_id) if new_key_id else keyring.current
    return wrap_data_key(unwrap_data_key(wrapped, keyring), target)


# ---------------------------------------------------------------------------- small secrets

_SEALED_FORMAT_VERSION = 1
_SEALED_NONCE_SIZE = 12


def seal_small(plaintext: bytes, associated_data: bytes, keyring: MasterKeyring) -> bytes:
    """A small secret (a TOTP seed) sealed under the current master key, as a document is:
    `version || wrapped data key || nonce || AES-256-GCM(data key, nonce, plaintext, associated
    data)`. The wrap names its master key, so a rotation leaves it readable (retired keys stay)."""
    data_key, nonce = new_data_key(), secrets.token_bytes(_SEALED_NONCE_SIZE)
    body = AESGCM(data_key).encrypt(nonce, plaintext, associated_data)
    return bytes([_SEALED_FORMAT_VERSION]) + wrap_data_key(data_key, keyring.current) + nonce + body


def open_small(sealed: bytes, associated_data: bytes, keyring: MasterKeyring) -> bytes:
    """The secret `seal_small` sealed; IntegrityFailure when it was altered, moved to another
    record (other associated data) or is malformed."""
    start = 1 + _WRAPPED_KEY_SIZE
    if len(sealed) < start + _SEALED_NONCE_SIZE + TAG_SIZE or sealed[0] != _SEALED_FORMAT_VERSION:
        raise IntegrityFailure(Text(N_("a sealed secret is malformed")))
    data_key = unwrap_data_key(sealed[1:start], keyring)
    nonce, body = sealed[start : start + _SEALED_NONCE_SIZE], sealed[start + _SEALED_NONCE_SIZE :]
    try:
        return AESGCM(data_key).decrypt(nonce, body, associated_data)
    except InvalidTag:
        raise IntegrityFailure(Text(N_("a sealed secret failed its integrity check"))) from None


@dataclass(frozen=True)
class KeyringSealer:
    """Seals small secrets under a master keyring (the `Sealer` port of accounts)."""

    keyring: MasterKeyring = field(repr=False)

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        return seal_small(plaintext, associated_data, self.keyring)

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        return open_small(sealed, associated_data, self.keyring)


# ------------------------------------------------------------------------- streaming AEAD


@dataclass(frozen=True)
class StreamingAeadParameters:
    """Tink AES-GCM-HKDF streaming parameters (sizes in bytes)."""

    ciphertext_segment_size: int
    derived_key_size: int
    hkdf_hash: hashes.HashAlgorithm

    def __post_init__(self) -> None:
        if self.derived_key_size not in (16, 32):
            raise BadInput(Text(N_("the derived AES-GCM key must be 16 or 32 bytes")))
        if self.ciphertext_segment_size <= self.header_size + TAG_SIZE:
            raise BadInput(Text(N_("the ciphertext segment must be longer than header plus tag")))

    @property
    def header_size(self) -> int:
        """`len(header) || salt || nonce prefix`: 40 bytes for a 32-byte derived key."""
        return 1 + self.derived_key_size + NONCE_PREFIX_SIZE

    @property
    def first_plaintext_segment_size(self) -> int:
        """Segment 0 is shortened so that header + segment 0 fill one ciphertext segment."""
        return self.ciphertext_segment_size - self.header_size - TAG_SIZE

    @property
    def plaintext_segment_size(self) -> int:
        """Plaintext bytes in every later full segment."""
        return self.ciphertext_segment_size - TAG_SIZE


AES256_GCM_HKDF_1MB = StreamingAeadParameters(
    ciphertext_segment_size=1 << 20, derived_key_size=32, hkdf_hash=hashes.SHA256()
)


class ReadsInto(Protocol):
    """A byte source that fills a caller's buffer (files, BytesIO, sockets)."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


class WritesBytes(Protocol):
    """A byte sink that writes all it is given (buffered files, BytesIO)."""

    def write(self, data: memoryview, /) -> object: ...


def ciphertext_size(plaintext_size: int, params: StreamingAeadParameters) -> int:
    """The exact ciphertext length for a plaintext length (a partial last segment counts)."""
    beyond_first = max(0, plaintext_size - params.first_plaintext_segment_size)
    later_segments = -(-beyond_first // params.plaintext_segment_size)
    return params.header_size + plaintext_size + TAG_SIZE * (1 + later_segments)


def encrypt_stream(
    data_key: bytes,
    associated_data: bytes,
    source: ReadsInto,
    sink: WritesBytes,
    *,
    params: StreamingAeadParameters = AES256_GCM_HKDF_1MB,
    random_bytes: Callable[[int], bytes] = secrets.token_bytes,
    expected_size: int | None = None,
) -> None:
    """Encrypt everything `source` yields into `sink`, one segment at a time.

    `expected_size`, the plaintext's size where it is known (a file): buffers are sized to it, so
    a small file does not allocate and zero two whole segments (a third of sealing a 256 KiB
    file); a source longer than it said still gets the full buffers. It changes no byte written.

    `random_bytes` exists so tests can reproduce Tink's published vectors byte for byte;
    production callers must leave it alone (salt and nonce prefix must be fresh and random).
    """
    salt = random_bytes(params.derived_key_size)
    nonce_prefix = random_bytes(NONCE_PREFIX_SIZE)
    aead = AESGCM(derive_segment_key(data_key, salt, associated_data, params))
    sink.write(memoryview(bytes([params.header_size]) + salt + nonce_prefix))
    full = params.ciphertext_segment_size
    ciphertext = memoryview(bytearray(full if expected_size is None else min(full, expected_size + TAG_SIZE)))
    first, later = params.first_plaintext_segment_size, params.plaintext_segment_size
    segments = _split_segments(source, first, later, expected_size=expected_size)
    for number, plaintext, is_last in segments:
        if len(plaintext) + TAG_SIZE > len(ciphertext):  # longer than expected
            ciphertext = memoryview(bytearray(full))
        nonce = segment_nonce(nonce_prefix, number, is_last)
        written = aead.encrypt_into(nonce, plaintext, None, ciphertext[: len(plaintext) + TAG_SIZE])
        sink.write(ciphertext[:written])


def decrypt_stream(
    data_key: bytes,
    associated_data: bytes,
    source: ReadsInto,
    *,
    params: StreamingAeadParameters = AES256_GCM_HKDF_1MB,
) -> Iterator[memoryview]:
    """Yield verified plaintext segment by segment; raise IntegrityFailure on any tampering.

    Each yielded view is reused for the next segment: consume it before advancing. A segment is
    only yielded after its tag verified; truncation or a dropped last segment fails at the end
    because the last-segment flag is part of every nonce.
    """
    salt, nonce_prefix = _read_header(source, params)
    aead = AESGCM(derive_segment_key(data_key, salt, associated_data, params))
    plaintext = memoryview(bytearray(params.plaintext_segment_size))
    first_size = params.ciphertext_segment_size - params.header_size
    segments = _split_segments(source, first_size, params.ciphertext_segment_size)
    for number, segment, is_last in segments:
        if len(segment) < TAG_SIZE:
            raise IntegrityFailure(
                Text(N_("ciphertext is truncated inside segment %(number)s"), {"number": number})
            )
        nonce = segment_nonce(nonce_prefix, number, is_last)
        try:
            size = aead.decrypt_into(nonce, segment, None, plaintext[: len(segment) - TAG_SIZE])
        except InvalidTag:
            raise IntegrityFailure(
                Text(
                    N_(
                        "segment %(number)s failed authentication (tampered, truncated, "
                        "reordered, or read with the wrong data key or associated data)"
                    ),
                    {"number": number},
                )
            ) from None
        yield plaintext[:size]


def derive_segment_key(
    data_key: bytes, salt: bytes, associated_data: bytes, params: StreamingAeadParameters
) -> bytes:
    """HKDF(ikm=data key, salt=salt, info=associated data): binds every segment to the AAD."""
    if len(data_key) < params.derived_key_size:
        raise BadInput(Text(N_("the data key is shorter than the derived segment key")))
    hkdf = HKDF(params.hkdf_hash, params.derived_key_size, salt=salt, info=associated_data)
    return hkdf.derive(data_key)


def segment_nonce(nonce_prefix: bytes, number: int, is_last: bool) -> bytes:
    """`nonce prefix (7) || segment number (4, big-endian) || last-segment flag (1)`."""
    if number >= _MAX_SEGMENTS:
        raise BadInput(Text(N_("stream too long: more than 2**32 segments")))
    return nonce_prefix + number.to_bytes(4, "big") + (b"\x01" if is_last else b"\x00")


def _read_header(source: ReadsInto, params: StreamingAeadParameters) -> tuple[bytes, bytes]:
    header = memoryview(bytearray(params.header_size))
    if read_fully(source, header) < params.header_size:
        raise IntegrityFailure(Text(N_("ciphertext ends inside its header")))
    if header[0] != params.header_size:
        raise IntegrityFailure(
            Text(
                N_("ciphertext header declares length %(header)s, expected %(header_size)s"),
                {"header": header[0], "header_size": params.header_size},
            )
        )
    salt_end = 1 + params.derived_key_size
    return bytes(header[1:salt_end]), bytes(header[salt_end:])


def _split_segments(
    source: ReadsInto, first_size: int, later_size: int, *, expected_size: int | None = None
) -> Iterator[tuple[int, memoryview, bool]]:
    """Yield `(number, segment, is_last)` views over one reused buffer.

    Reads one byte past each segment: the last-segment flag must be known before a segment is
    encrypted or decrypted, and a stream only reveals its end when a read comes back short.
    With `expected_size` the buffer starts at that size (plus the byte past it) and grows to a
    whole segment only if the source turns out longer.
    """
    full = max(first_size, later_size) + 1
    buffer = memoryview(bytearray(full if expected_size is None else min(full, expected_size + 1)))
    size, carried = first_size, 0
    for number in itertools.count():
        filled = carried + read_fully(source, buffer[carried : size + 1])
        if filled == len(buffer) < size + 1:  # the source is longer than expected
            grown = memoryview(bytearray(full))
            grown[:filled] = buffer[:filled]
            buffer = grown
            filled += read_fully(source, buffer[filled : size + 1])
        if filled <= size:
            yield number, buffer[:filled], True
            return
        yield number, buffer[:size], False
        buffer[0] = buffer[size]
        size, carried = later_size, 1


def read_fully(source: ReadsInto, buffer: memoryview) -> int:
    """Fill `buffer` unless the source ends first (pipes and sockets return short reads)."""
    filled = 0
    while filled < len(buffer):
        count = source.readinto(buffer[filled:])
        if count is None:
            raise BadInput(Text(N_("the source stream is non-blocking and had no data ready")))
        if count == 0:
            break
        filled += count
    return filled


# ------------------------------------------------------------------------------- durability


def _write_new_private_file(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename or creation inside `directory` survive a power cut."""
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
