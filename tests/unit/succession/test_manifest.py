"""Other formats: delivered unchanged inside a ZIP whose manifest is signed with Ed25519."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shokei.formats.marking import make_copy
from shokei.formats.marking.manifest import make_zip_copy, read_manifest
from shokei.succession.tracing.matching import trace
from tests import samples
from tests.unit.succession.support import (
    SUBCONTRACTOR,
    SUCCESSOR_A,
    SUCCESSOR_B,
    TERMS,
    known_copy,
    register,
)

# Any file that is not PDF or CAD goes into the signed ZIP as it is; a BODS package is one.
SOURCE_BYTES = json.dumps(samples.bods_package(), indent=2).encode()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "bods-package.json"
    path.parent.mkdir()
    path.write_bytes(SOURCE_BYTES)
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_zip_holds_the_file_unchanged_and_a_signed_manifest(
    source: Path, tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    result = make_zip_copy(source, SUCCESSOR_A, tmp_path / "a.zip", signing_key, terms=TERMS)
    members = _members(result.path)
    assert set(members) == {"manifest.json", "manifest.sig", "README.txt", "payload/bods-package.json"}
    assert members["payload/bods-package.json"] == SOURCE_BYTES
    manifest = json.loads(members["manifest.json"])
    document_sha = hashlib.sha256(SOURCE_BYTES).hexdigest()
    assert manifest["copy_id"] == "SK-A-0001"
    assert manifest["recipient"] == {"name": "承継電子株式会社", "corporate_number": "8010401050387"}
    assert manifest["document"] == {
        "file_name": "bods-package.json",
        "sha256": document_sha,
        "size": len(SOURCE_BYTES),
    }
    assert manifest["payload"] == {"path": "payload/bods-package.json", "sha256": document_sha}
    assert manifest["parent_copy_id"] is None
    assert rfc8785.dumps(manifest) == members["manifest.json"]  # canonical bytes are what was signed
    signing_key.public_key().verify(base64.b64decode(members["manifest.sig"]), members["manifest.json"])
    assert "SHOKEI-COPY:SK-A-0001" in members["README.txt"].decode()


def test_copies_differ_per_recipient_and_repeat_exactly(
    source: Path, tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    first = make_zip_copy(source, SUCCESSOR_A, tmp_path / "a.zip", signing_key, terms=TERMS)
    again = make_zip_copy(source, SUCCESSOR_A, tmp_path / "a-again.zip", signing_key, terms=TERMS)
    other = make_zip_copy(source, SUCCESSOR_B, tmp_path / "b.zip", signing_key, terms=TERMS)
    assert first.sha256 == again.sha256
    assert first.sha256 != other.sha256


def test_make_copy_sends_other_formats_to_the_zip(
    source: Path, tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    result = make_copy(
        source, SUCCESSOR_A, tmp_path, signing_key=signing_key, file_name="所有者情報.json", terms=TERMS
    )
    assert (result.format, result.path.name, result.notes) == ("zip", "SK-A-0001-所有者情報.json.zip", ())
    assert "payload/所有者情報.json" in _members(result.path)


def _rewrite(
    source: Path, target: Path, change: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED
) -> None:
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", compression) as out:
        for name in archive.namelist():
            out.writestr(name, change.get(name, archive.read(name)))


def test_forged_manifest_is_not_believed(
    source: Path, tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    honest = make_zip_copy(source, SUCCESSOR_A, tmp_path / "a.zip", signing_key, terms=TERMS)
    other = make_zip_copy(source, SUCCESSOR_B, tmp_path / "b.zip", signing_key, terms=TERMS)
    known = register(known_copy(SUCCESSOR_A, honest, source, unchanged=True),
                     known_copy(SUCCESSOR_B, other, source, unchanged=True))  # fmt: skip
    manifest = json.loads(_members(honest.path)["manifest.json"])
    manifest["copy_id"] = "SK-B-0001"  # someone tries to pin the leak on B
    forged = tmp_path / "forged.zip"
    _rewrite(honest.path, forged, {"manifest.json": rfc8785.dumps(manifest)})
    reading = read_manifest(forged, signing_key.public_key())
    assert reading is not None
    assert reading.signature_valid is False
    result = trace(forged, known, manifest_key=signing_key.public_key())
    assert result.copy_id is None
    assert any(str(note).startswith("not believed: SK-B-0001") for note in result.notes)


def test_repacked_zip_is_traced_by_its_manifest(
    source: Path, tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    first = make_zip_copy(source, SUCCESSOR_A, tmp_path / "a.zip", signing_key, terms=TERMS)
    known = register(known_copy(SUCCESSOR_A, first, source, unchanged=True))
    repacked = tmp_path / "repacked.zip"
    _rewrite(first.path, repacked, {}, zipfile.ZIP_STORED)
    result = trace(repacked, known, manifest_key=signing_key.public_key())
    assert (result.copy_id, result.method, result.confidence) == ("SK-A-0001", "marks", 0.95)
    assert [str(piece) for piece in result.candidates[0].evidence] == [
        "zip:signed-manifest (signature valid)"
    ]


def test_payload_taken_out_of_the_zip_names_every_recipient_of_it(
    source: Path, tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    first = make_zip_copy(source, SUCCESSOR_A, tmp_path / "a.zip", signing_key, terms=TERMS)
    second = make_zip_copy(source, SUCCESSOR_B, tmp_path / "b.zip", signing_key, terms=TERMS)
    known = register(known_copy(SUCCESSOR_A, first, source, unchanged=True),
                     known_copy(SUCCESSOR_B, second, source, unchanged=True))  # fmt: skip
    loose = tmp_path / "found.json"
    loose.write_bytes(_members(first.path)["payload/bods-package.json"])
    result = trace(loose, known)
    assert (result.copy_id, result.method) == (None, "hash")
    assert {(c.copy_id, c.confidence) for c in result.candidates} == {
        ("SK-A-0001", 0.25),
        ("SK-B-0001", 0.25),
    }


def test_reissue_to_a_subcontractor_names_the_parent(
    source: Path, tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    successor = make_zip_copy(source, SUCCESSOR_A, tmp_path / "a.zip", signing_key, terms=TERMS)
    sub = make_zip_copy(successor.path, SUBCONTRACTOR, tmp_path / "s.zip", signing_key, terms=TERMS)
    members = _members(sub.path)
    manifest = json.loads(members["manifest.json"])
    assert (manifest["copy_id"], manifest["parent_copy_id"]) == ("SK-S-0001", "SK-A-0001")
    assert members["payload/bods-package.json"] == SOURCE_BYTES
    assert manifest["document"]["sha256"] == hashlib.sha256(SOURCE_BYTES).hexdigest()
    known = register(
        known_copy(SUCCESSOR_A, successor, source, unchanged=True),
        known_copy(SUBCONTRACTOR, sub, source, unchanged=True, parent="SK-A-0001"),
    )
    repacked = tmp_path / "repacked.zip"
    _rewrite(sub.path, repacked, {}, zipfile.ZIP_STORED)
    result = trace(repacked, known, manifest_key=signing_key.public_key())
    assert result.copy_id == "SK-S-0001"
    assert [c.copy_id for c in result.candidates] == ["SK-S-0001", "SK-A-0001"]


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x05\x06" + bytes(18)])
def test_anything_else_has_no_manifest(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(content)
    assert read_manifest(path) is None
