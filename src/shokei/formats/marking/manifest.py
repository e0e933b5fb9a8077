"""Every other format: the file delivered unchanged inside a ZIP with a signed manifest.

The ZIP holds `payload/<file name>` (the document, byte for byte), `manifest.json` (RFC 8785
canonical JSON naming the copy, the recipient, the document's and the payload's SHA-256 and
the terms version), `manifest.sig` (base64 Ed25519 signature over the manifest bytes) and
`README.txt` (the notice and the terms, for people). Entries carry the issue date as their
time, so one document and one label always give the same bytes.

Limit, stated plainly: the payload is the original file. Once someone takes it out of the ZIP,
nothing in it names the recipient; its hash only says which documents, and so which recipients
(and the supplier, and MoD), held those bytes. `trace` reports exactly that.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shokei.errors import N_, Text
from shokei.formats.marking.base import (
    NO_COPYING_EN,
    NO_COPYING_JA,
    CopyLabel,
    CopyResult,
    DeliveryTerms,
    FoundMark,
    Mark,
    atomic_destination,
    last_path_component,
    sha256_file,
)

MANIFEST_FORMAT = "shokei-handover-manifest/1"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
README_NAME = "README.txt"
PAYLOAD_DIRECTORY = "payload/"
MAX_MANIFEST_BYTES = 64 * 1024
ZIP64_FROM = 2**31 - 1
_FILE_MODE = 0o644 << 16


@dataclass(frozen=True, slots=True)
class ManifestReading:
    """A manifest read from a ZIP: its content and whether signature and payload check out."""

    manifest: dict[str, Any]
    signature_valid: bool | None  # None: no public key was given to check it with
    payload_intact: bool

    @property
    def copy_id(self) -> str:
        """The copy this ZIP is."""
        return str(self.manifest["copy_id"])

    @property
    def parent_copy_id(self) -> str | None:
        """The copy this one was derived from (a subcontractor's copy names the successor's)."""
        parent = self.manifest.get("parent_copy_id")
        return str(parent) if parent else None


def signing_key_id(public_key: Ed25519PublicKey) -> str:
    """The first 16 hex digits of SHA-256 over the raw public key: which key signed."""
    return hashlib.sha256(public_key.public_bytes_raw()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class _Payload:
    path: Path
    file_name: str
    document_sha256: str
    document_size: int
    parent_copy_id: str | None
    member: str | None  # inside a Shokei ZIP being re-issued, else None


def _payload(source: Path, file_name: str | None) -> _Payload:
    """What goes into the ZIP: the file itself, or the payload of a Shokei ZIP being re-issued."""
    earlier = read_manifest(source)
    if earlier is not None and earlier.payload_intact:
        document = earlier.manifest["document"]
        member = str(earlier.manifest["payload"]["path"])
        name = file_name or str(document["file_name"])
        return _Payload(source, name, str(document["sha256"]), int(document["size"]), earlier.copy_id, member)
    name = last_path_component(file_name or source.name)
    return _Payload(source, name, sha256_file(source), source.stat().st_size, None, None)


def _manifest(
    label: CopyLabel, payload: _Payload, payload_path: str, key: Ed25519PublicKey, terms: DeliveryTerms
) -> bytes:
    document: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "copy_id": label.copy_id,
        "parent_copy_id": payload.parent_copy_id,
        "recipient": {"name": label.recipient_name, "corporate_number": label.recipient_corporate_number},
        "issued_on": label.issued_on.isoformat(),
        "document": {
            "file_name": payload.file_name,
            "sha256": payload.document_sha256,
            "size": payload.document_size,
        },
        # Delivered as-is: the payload is the document; kept apart so a converted payload fits.
        "payload": {"path": payload_path, "sha256": payload.document_sha256},
        "terms": {"version": terms.version, "sha256": terms.sha256},
        "notice": {"ja": NO_COPYING_JA, "en": NO_COPYING_EN},
        "signing_key": signing_key_id(key),
    }
    return rfc8785.dumps(document)


def _readme(label: CopyLabel, terms: DeliveryTerms) -> str:
    return (
        f"{NO_COPYING_JA} / {NO_COPYING_EN}\n"
        f"{label.marker}\n"
        f"貸与先 / Recipient: {label.recipient_name} "
        f"(法人番号 / corporate no. {label.recipient_corporate_number})\n"
        f"交付日 / Issued: {label.issued_on.isoformat()}\n\n"
        f"{terms.text}"
    )


def _entry(name: str, label: CopyLabel) -> zipfile.ZipInfo:
    issued = label.issued_on
    info = zipfile.ZipInfo(name, date_time=(issued.year, issued.month, issued.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = _FILE_MODE
    return info


def make_zip_copy(
    source: Path,
    label: CopyLabel,
    destination: Path,
    signing_key: Ed25519PrivateKey,
    *,
    terms: DeliveryTerms,
    file_name: str | None = None,
) -> CopyResult:
    """Write `label`'s ZIP copy of `source` (delivered unchanged) with a signed manifest
    stating the `terms` the recipient accepted.

    `file_name` names the payload (the vault stores files by hash; give the document's own
    name). A Shokei ZIP as `source` is re-issued: its payload is wrapped again for the new
    recipient and the manifest names the earlier copy as parent.
    """
    payload = _payload(source, file_name)
    payload_path = PAYLOAD_DIRECTORY + payload.file_name
    manifest = _manifest(label, payload, payload_path, signing_key.public_key(), terms)
    signature = base64.b64encode(signing_key.sign(manifest))
    with atomic_destination(destination) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        archive.writestr(_entry(MANIFEST_NAME, label), manifest)
        archive.writestr(_entry(SIGNATURE_NAME, label), signature + b"\n")
        archive.writestr(_entry(README_NAME, label), _readme(label, terms).encode())
        _write_payload(archive, _entry(payload_path, label), payload)
    return CopyResult(destination, sha256_file(destination), "zip", (Mark.ZIP_MANIFEST,))


def _write_payload(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, payload: _Payload) -> None:
    large = payload.document_size > ZIP64_FROM
    with archive.open(entry, "w", force_zip64=large) as target:
        if payload.member is None:
            with payload.path.open("rb") as stream:
                shutil.copyfileobj(stream, target)
            return
        with zipfile.ZipFile(payload.path) as earlier, earlier.open(payload.member) as stream:
            shutil.copyfileobj(stream, target)


# --- reading back -----------------------------------------------------------------------------


def _verify(manifest: bytes, signature_text: bytes, key: Ed25519PublicKey | None) -> bool | None:
    if key is None:
        return None
    try:
        key.verify(base64.b64decode(signature_text.strip(), validate=True), manifest)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _payload_sha256(archive: zipfile.ZipFile, member: str) -> str | None:
    digest = hashlib.sha256()
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1024 * 1024):
                digest.update(chunk)
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    return digest.hexdigest()


def read_manifest(path: Path, public_key: Ed25519PublicKey | None = None) -> ManifestReading | None:
    """The manifest of a Shokei hand-over ZIP, or None when `path` is not one.

    With `public_key` the signature is checked; the payload's SHA-256 is always checked.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.getinfo(MANIFEST_NAME).file_size > MAX_MANIFEST_BYTES:
                return None
            manifest_bytes = archive.read(MANIFEST_NAME)
            signature = archive.read(SIGNATURE_NAME)
            manifest = json.loads(manifest_bytes)
            if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
                return None
            payload = manifest["payload"]
            intact = _payload_sha256(archive, str(payload["path"])) == payload["sha256"]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        return None
    return ManifestReading(manifest, _verify(manifest_bytes, signature, public_key), intact)


def read_zip_marks(path: Path, public_key: Ed25519PublicKey | None = None) -> list[FoundMark]:
    """The copy id (and parent) a manifest names; untrusted when its signature fails."""
    reading = read_manifest(path, public_key)
    if reading is None:
        return []
    trusted = reading.signature_valid is not False
    status = {
        True: Text(N_("signature valid")),
        False: Text(N_("signature INVALID")),
        None: Text(N_("signature not checked")),
    }
    parts = (status[reading.signature_valid],) + (
        () if reading.payload_intact else (Text(N_("payload altered")),)
    )
    found = [
        FoundMark(reading.copy_id, Mark.ZIP_MANIFEST, Text("%(parts)s", {"parts": parts}), trusted=trusted)
    ]
    if reading.parent_copy_id:
        parent = Text("%(parts)s", {"parts": (Text(N_("parent")), *parts)})
        found.append(FoundMark(reading.parent_copy_id, Mark.ZIP_MANIFEST, parent, trusted=trusted))
    return found
