"""C2SP signed notes and tlog checkpoints with Ed25519 keys, byte-compatible with Go's
golang.org/x/mod/sumdb/note, so any Go witness or verifier accepts our checkpoints.

Specifications: https://c2sp.org/signed-note and https://c2sp.org/tlog-checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shokei.errors import N_, Text

ALGORITHM_ED25519 = 0x01
KEY_ID_SIZE = 4
ED25519_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
ROOT_HASH_SIZE = 32
SIGNATURE_LINE_PREFIX = "\u2014 "  # EM DASH, SPACE
PRIVATE_KEY_PREFIX = "PRIVATE+KEY+"
# Same bound as the Go implementation: a note is small and cheap to reject.
MAX_SIGNATURES = 100

_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class KeyFormatError(ValueError):
    """A signer or verifier key text is malformed or its key id does not match its key."""


class NoteVerificationError(ValueError):
    """A note is malformed, carries no signature by the expected key, or the signature fails.

    `text` says which as a catalogue message (for the user's language); str() is its English."""

    def __init__(self, text: Text | str) -> None:
        self.text = text if isinstance(text, Text) else Text("%(text)s", {"text": text})
        super().__init__(self.text.render())


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A verified C2SP tlog checkpoint: the log's origin, tree size and root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A parsed verifier key `<name>+<hex key id>+<base64(0x01 || public key)>`."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    @classmethod
    def parse(cls, text: str) -> NoteVerifier:
        """Parse verifier key text; raise `KeyFormatError` if anything is off."""
        name, key_id, key_bytes = _parse_key_text(text.strip("\n"), "verifier")
        _require_key_id(name, key_id, key_bytes, "verifier")
        try:
            public_key = Ed25519PublicKey.from_public_bytes(key_bytes)
        except ValueError as error:
            raise KeyFormatError(f"verifier key is not an Ed25519 key: {error}") from error
        return cls(name, key_id, public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True if `signature` is this key's Ed25519 signature over `message`."""
        if len(signature) != ED25519_SIGNATURE_SIZE:
            return False
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class NoteSigner:
    """A parsed signer key `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`."""

    name: str
    key_id: bytes
    private_key: Ed25519PrivateKey

    @classmethod
    def parse(cls, text: str) -> NoteSigner:
        """Parse Go-format signer key text; raise `KeyFormatError` if anything is off."""
        text = text.strip("\n")
        if not text.startswith(PRIVATE_KEY_PREFIX):
            raise KeyFormatError(f"signer key must start with {PRIVATE_KEY_PREFIX}")
        name, key_id, seed = _parse_key_text(text.removeprefix(PRIVATE_KEY_PREFIX), "signer")
        private_key = Ed25519PrivateKey.from_private_bytes(seed)
        _require_key_id(name, key_id, _public_bytes(private_key), "signer")
        return cls(name, key_id, private_key)

    @property
    def verifier_key_text(self) -> str:
        """The matching verifier key text to publish."""
        return verifier_key_text(self.name, _public_bytes(self.private_key))

    def sign(self, body: str) -> str:
        """Return `body` as a signed note."""
        return sign_note(body, self.name, self.private_key)


@dataclass(frozen=True, slots=True)
class _SignatureLine:
    name: str
    key_id: bytes
    signature: bytes


def key_id(name: str, public_key: bytes) -> bytes:
    """C2SP key id: SHA-256(name || 0x0A || 0x01 || raw Ed25519 public key)[:4]."""
    _require_valid_name(name)
    material = name.encode() + b"\n" + bytes([ALGORITHM_ED25519]) + public_key
    return hashlib.sha256(material).digest()[:KEY_ID_SIZE]


def verifier_key_text(name: str, public_key: bytes) -> str:
    """Verifier key text `<name>+<hex key id>+<base64(0x01 || public key)>`."""
    if len(public_key) != ED25519_KEY_SIZE:
        raise KeyFormatError(f"an Ed25519 public key has {ED25519_KEY_SIZE} bytes")
    encoded = _b64(bytes([ALGORITHM_ED25519]) + public_key)
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def signer_key_text(name: str, private_key: Ed25519PrivateKey) -> str:
    """Go-format signer key text `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`."""
    seed = private_key.private_bytes_raw()
    encoded = _b64(bytes([ALGORITHM_ED25519]) + seed)
    return f"{PRIVATE_KEY_PREFIX}{name}+{key_id(name, _public_bytes(private_key)).hex()}+{encoded}"


def generate_signer(name: str) -> tuple[str, str]:
    """Create a new Ed25519 key: (signer key text — keep secret, verifier key text — publish)."""
    private_key = Ed25519PrivateKey.generate()
    return signer_key_text(name, private_key), verifier_key_text(name, _public_bytes(private_key))


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    """The C2SP tlog-checkpoint text: "<origin>\\n<size>\\n<base64 root>\\n"."""
    if not origin or "\n" in origin or _has_forbidden_character(origin):
        raise ValueError("checkpoint origin must be one non-empty line of text")
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    if len(root) != ROOT_HASH_SIZE:
        raise ValueError(f"a root hash has {ROOT_HASH_SIZE} bytes, not {len(root)}")
    return f"{origin}\n{size}\n{_b64(root)}\n"


def sign_note(body: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Sign `body` (text ending in a newline): body + blank line + "— <name> <base64 sig>"."""
    _require_valid_body(body)
    signature = private_key.sign(body.encode())
    blob = key_id(name, _public_bytes(private_key)) + signature
    return f"{body}\n{SIGNATURE_LINE_PREFIX}{name} {_b64(blob)}\n"


def sign_checkpoint(signer_key: str, origin: str, size: int, root: bytes) -> str:
    """Convenience: the signed checkpoint note for (origin, size, root)."""
    return NoteSigner.parse(signer_key).sign(checkpoint_body(origin, size, root))


def open_signed_note(note_text: str, verifier_key: str) -> str:
    """Return the note's text once a signature by `verifier_key` verifies.

    Signatures by other keys (e.g. witness cosignatures) are ignored; every signature that
    claims to be by this key must verify. Raises `NoteVerificationError` otherwise.
    """
    verifier = _parse_verifier(verifier_key)
    body, signatures = _split_note(note_text)
    ours = [s for s in signatures if (s.name, s.key_id) == (verifier.name, verifier.key_id)]
    label = f"{verifier.name}+{verifier.key_id.hex()}"
    if not ours:
        raise NoteVerificationError(Text(N_("note has no signature by key %(key)s"), {"key": label}))
    if not all(verifier.verify(body.encode(), line.signature) for line in ours):
        raise NoteVerificationError(Text(N_("invalid signature for key %(key)s"), {"key": label}))
    return body


def open_note(note_text: str, verifier_key: str) -> Checkpoint:
    """Verify a signed checkpoint note and parse it; raise `NoteVerificationError` if not valid."""
    return parse_checkpoint(open_signed_note(note_text, verifier_key))


def parse_checkpoint(body: str) -> Checkpoint:
    """Parse checkpoint text (already verified); raise `NoteVerificationError` if malformed."""
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteVerificationError(Text(N_("malformed checkpoint: needs origin, size and root lines")))
    origin, size_text, root_text, *extensions = lines[:-1]
    if not origin or not _DECIMAL.fullmatch(size_text) or "" in extensions:
        raise NoteVerificationError(Text(N_("malformed checkpoint: bad origin, size or extension line")))
    root = _strict_b64decode(root_text)
    if root is None or len(root) != ROOT_HASH_SIZE:
        raise NoteVerificationError(Text(N_("malformed checkpoint: root is not a base64 SHA-256 hash")))
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def _split_note(note_text: str) -> tuple[str, list[_SignatureLine]]:
    if _has_forbidden_character(note_text) or not note_text.endswith("\n"):
        raise NoteVerificationError(Text(N_("malformed note: bad characters or no final newline")))
    split = note_text.rfind("\n\n")
    if split < 0:
        raise NoteVerificationError(Text(N_("malformed note: no blank line before the signatures")))
    signature_lines = note_text[split + 2 :].split("\n")[:-1]
    if not 0 < len(signature_lines) <= MAX_SIGNATURES:
        raise NoteVerificationError(
            Text(N_("malformed note: needs 1 to %(most)s signatures"), {"most": MAX_SIGNATURES})
        )
    return note_text[: split + 1], [_parse_signature_line(line) for line in signature_lines]


def _parse_signature_line(line: str) -> _SignatureLine:
    parts = line.removeprefix(SIGNATURE_LINE_PREFIX).split(" ")
    blob = _strict_b64decode(parts[-1])
    valid_shape = line.startswith(SIGNATURE_LINE_PREFIX) and len(parts) == 2
    if not valid_shape or not _is_valid_name(parts[0]) or blob is None or len(blob) <= 4:
        raise NoteVerificationError(
            Text(N_("malformed note: bad signature line %(line)s"), {"line": repr(line[:80])})
        )
    return _SignatureLine(parts[0], blob[:KEY_ID_SIZE], blob[KEY_ID_SIZE:])


def _parse_key_text(text: str, kind: str) -> tuple[str, bytes, bytes]:
    # name+hexid+base64: the base64 part may itself contain '+', so split twice only.
    parts = text.split("+", 2)
    if len(parts) != 3 or not _KEY_ID_HEX.fullmatch(parts[1]) or not _is_valid_name(parts[0]):
        raise KeyFormatError(f"malformed {kind} key: expected <name>+<8 hex digits>+<base64>")
    material = _strict_b64decode(parts[2])
    if material is None or len(material) != 1 + ED25519_KEY_SIZE:
        raise KeyFormatError(f"malformed {kind} key: key material is not 33 bytes of base64")
    if material[0] != ALGORITHM_ED25519:
        raise KeyFormatError(f"unsupported {kind} key algorithm {material[0]:#04x}")
    return parts[0], bytes.fromhex(parts[1]), material[1:]


def _require_key_id(name: str, claimed: bytes, public_key: bytes, kind: str) -> None:
    if key_id(name, public_key) != claimed:
        raise KeyFormatError(f"{kind} key id {claimed.hex()} does not match its key")


def _parse_verifier(verifier_key: str) -> NoteVerifier:
    try:
        return NoteVerifier.parse(verifier_key)
    except KeyFormatError as error:
        raise NoteVerificationError(
            Text(N_("unusable verifier key: %(error)s"), {"error": str(error)})
        ) from error


def _require_valid_body(body: str) -> None:
    if not body.endswith("\n") or _has_forbidden_character(body):
        raise ValueError("note text must end with a newline and hold no control characters")


def _require_valid_name(name: str) -> None:
    if not _is_valid_name(name):
        raise KeyFormatError(f"key name {name!r} must be non-empty with no spaces or '+'")


def _is_valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def _has_forbidden_character(text: str) -> bool:
    # Signed-note text is UTF-8 with no control characters other than newline.
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        return True
    try:
        text.encode()
    except UnicodeEncodeError:  # lone surrogates cannot be signed bytes
        return True
    return False


def _strict_b64decode(text: str) -> bytes | None:
    # Canonical standard base64 only: one encoding per value, so no malleable key or root text.
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if _b64(decoded) == text else None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _public_bytes(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes_raw()
