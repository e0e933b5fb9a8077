"""Custody: tampered blobs, wrong keys, key rotation and reads are caught, refused and audited."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from shokei.audit.models import AuditEntry
from shokei.documents import services as documents
from shokei.documents.schemas import DocumentView
from shokei.documents.vault import FilesystemVault
from shokei.documents.vault.crypto import MasterKeyError, MasterKeyring, create_master_key
from shokei.errors import BadInput, Forbidden, IntegrityFailure
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.web import i18n
from tests.factories import Office

SEGMENT = 1 << 20  # ciphertext segment size of AES256_GCM_HKDF_1MB


def _store(
    uow: UnitOfWork,
    vault: FilesystemVault,
    office: Office,
    tmp_path: Path,
    scratch: Path,
    sizes: dict[str, int],
) -> dict[str, DocumentView]:
    folder = tmp_path / "handed-in"
    folder.mkdir()
    for name, size in sizes.items():
        (folder / name).write_bytes(os.urandom(size))
    case = office.open_case(documents=0)
    result = documents.submit_documents(uow, vault, office.supplier, case.id, [folder], scratch_dir=scratch)
    return {Path(d.path).name: d for d in result.documents}


def _blob(vault: FilesystemVault, uow: UnitOfWork, office: Office, document: DocumentView) -> Path:
    from shokei.documents.models import Document

    with uow.transaction() as session:
        blob_id = session.execute(select(Document.blob_id).where(Document.id == document.id)).scalar_one()
    return vault.root / "blobs" / blob_id[:2] / blob_id[2:4] / blob_id


def _flip_byte(blob: Path, _other: Path) -> None:
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))


def _truncate(blob: Path, _other: Path) -> None:
    blob.write_bytes(blob.read_bytes()[: -SEGMENT // 2])


def _swap_segments(blob: Path, _other: Path) -> None:
    data = blob.read_bytes()
    first, second = data[SEGMENT : 2 * SEGMENT], data[2 * SEGMENT : 3 * SEGMENT]
    blob.write_bytes(data[:SEGMENT] + second + first + data[3 * SEGMENT :])


def _swap_blobs(blob: Path, other: Path) -> None:
    content, other_content = blob.read_bytes(), other.read_bytes()
    blob.write_bytes(other_content)
    other.write_bytes(content)


TAMPERING: list[Callable[[Path, Path], None]] = [_flip_byte, _truncate, _swap_segments, _swap_blobs]


@pytest.mark.parametrize("tamper", TAMPERING, ids=lambda f: f.__name__)
def test_tampering_fails_the_read_names_the_document_and_fsck_reports_it(
    uow: UnitOfWork,
    vault: FilesystemVault,
    office: Office,
    tmp_path: Path,
    scratch: Path,
    tamper: Callable[[Path, Path], None],
) -> None:
    stored = _store(
        uow, vault, office, tmp_path, scratch, {"large.bin": 3 * SEGMENT + 1234, "other.bin": 5000}
    )
    large, other = stored["large.bin"], stored["other.bin"]
    out = tmp_path / "out.bin"
    documents.export_document(uow, vault, office.examiner, large.id, out, reason="before tampering")
    out.unlink()

    tamper(_blob(vault, uow, office, large), _blob(vault, uow, office, other))

    with pytest.raises(IntegrityFailure, match=f"document {large.id} "):
        documents.export_document(uow, vault, office.examiner, large.id, out, reason="after tampering")
    assert not out.exists()
    assert list(tmp_path.glob("out.bin*")) == []
    report = documents.check_vault(uow, vault, office.auditor, deep=True)
    assert not report.ok
    assert large.id in {p.document_id for p in report.problems}
    assert {p.kind for p in report.problems} == {"corrupt"}


def test_fsck_reports_missing_and_orphan_blobs_without_deleting(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    stored = _store(uow, vault, office, tmp_path, scratch, {"a.bin": 100, "b.bin": 200})
    assert documents.check_vault(uow, vault, office.admin).ok
    missing = _blob(vault, uow, office, stored["a.bin"])
    kept = tmp_path / "kept"
    shutil.move(missing, kept)
    orphan = vault.root / "blobs" / "00" / "00" / ("00" * 32)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"stray")
    report = documents.check_vault(uow, FilesystemVault(vault.root), office.admin)  # key-less
    assert sorted((p.kind, p.document_id) for p in report.problems) == [
        ("missing", stored["a.bin"].id),
        ("orphan", None),
    ]
    assert orphan.exists()
    found = {p.kind: p for p in report.problems}
    lost = stored["a.bin"]
    assert found["missing"].detail == f"document {lost.id} ({lost.path}): blob file is missing"
    assert found["orphan"].detail == f"blob {'00' * 32} is referred to by no document"
    with i18n.activate("ja"):  # as `shokei vault fsck` says it under LANG=ja
        japanese = [found[kind].detail_text.render(i18n.gettext) for kind in ("missing", "orphan")]  # type: ignore[union-attr]
    assert japanese == [
        f"文書{lost.id}（{lost.path}）：保管データのファイルがありません",
        f"保管データ{'00' * 32}を参照する文書がありません",
    ]
    with pytest.raises(Forbidden):
        documents.check_vault(uow, vault, office.examiner)


def test_wrong_or_missing_master_key_is_a_clear_error_and_leaves_no_output(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    stored = _store(uow, vault, office, tmp_path, scratch, {"a.bin": 70_000})
    other_keys = tmp_path / "other-keys"
    other_keys.mkdir(mode=0o700)
    create_master_key(other_keys / "master.key")
    wrong = FilesystemVault(vault.root, MasterKeyring.from_directory(other_keys))
    out = tmp_path / "out.bin"
    with pytest.raises(MasterKeyError, match="key"):
        documents.export_document(uow, wrong, office.examiner, stored["a.bin"].id, out, reason="r")
    assert not out.exists()
    (other_keys / "master.key").unlink()
    with pytest.raises(MasterKeyError, match=r"master\.key"):
        MasterKeyring.from_directory(other_keys)


def test_reads_need_a_reason_from_officials_and_are_audited(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    stored = _store(uow, vault, office, tmp_path, scratch, {"a.bin": 10})
    doc = stored["a.bin"]
    out = tmp_path / "out.bin"
    with pytest.raises(BadInput, match="reason"):
        documents.export_document(uow, vault, office.examiner, doc.id, out, reason=" ")
    with pytest.raises(Forbidden):
        documents.export_document(uow, vault, office.admin, doc.id, out, reason="curious")
    documents.export_document(uow, vault, office.supplier, doc.id, out, reason=None)
    documents.export_document(uow, vault, office.examiner, doc.id, tmp_path / "o2", reason="技術的意義の審査")
    assert out.read_bytes() == (tmp_path / "handed-in" / "a.bin").read_bytes()
    with uow.transaction() as session:
        reads = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.action == "document:content:read")
                .order_by(AuditEntry.index)
            )
            .scalars()
            .all()
        )
        assert [(r.actor_name, r.subject_id) for r in reads] == [
            ("supplier", str(doc.id)),
            ("examiner", str(doc.id)),
        ]
        assert "技術的意義の審査" in reads[1].leaf.decode()


def test_master_key_rotation_rewraps_without_touching_content(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path, keys_dir: Path
) -> None:
    stored = _store(uow, vault, office, tmp_path, scratch, {"a.bin": 1000, "b.bin": 2 * SEGMENT})
    blobs_before = {p.name: p.read_bytes() for p in vault.root.rglob("*") if p.is_file()}
    old_key = MasterKeyring.from_directory(keys_dir).current.key_id
    report = documents.rotate_vault_master_key(uow, keys_dir, office.admin)
    assert report.rewrapped == 2
    assert report.new_key_id != old_key
    assert report.retired_key_ids == [old_key]
    assert {p.name: p.read_bytes() for p in vault.root.rglob("*") if p.is_file()} == blobs_before
    # Reading now needs only the new key: drop the retired one.
    (keys_dir / f"master-{old_key}.key").unlink()
    rotated = FilesystemVault(vault.root, MasterKeyring.from_directory(keys_dir))
    out = tmp_path / "b.out"
    documents.export_document(uow, rotated, office.examiner, stored["b.bin"].id, out, reason="rotation check")
    assert out.read_bytes() == (tmp_path / "handed-in" / "b.bin").read_bytes()
    with pytest.raises(Forbidden):
        documents.rotate_vault_master_key(uow, keys_dir, office.examiner)
