"""`export_originals`: the only way another feature gets a case's plaintext originals, each in
an anonymous file (no name on disk while it is read, nothing left after)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from shokei.audit.models import AuditEntry
from shokei.documents import services as documents
from shokei.documents.vault import FilesystemVault
from shokei.errors import Forbidden
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office


def _case_with_files(uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path) -> int:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("first drawing\n", encoding="utf-8")
    (folder / "b.txt").write_text("second drawing\n", encoding="utf-8")
    case_id = office.open_case(documents=0).id
    scratch = tmp_path / "intake"
    scratch.mkdir()
    documents.submit_documents(uow, vault, office.supplier, case_id, [folder], scratch_dir=scratch)
    return case_id


def test_originals_are_verified_owner_only_and_gone_after_the_export(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    case_id = _case_with_files(uow, vault, office, tmp_path)
    seen: dict[str, bytes] = {}
    taken: list[tuple[Path, int]] = []
    with documents.export_originals(
        uow, vault, office.manager, case_id, scratch_dir=scratch, purpose="release of marked copies"
    ) as originals:
        for original in originals:
            for earlier, inode in taken:  # one plaintext at a time (a freed fd number comes back)
                assert not earlier.exists() or earlier.stat().st_ino != inode
            assert stat.S_IMODE(original.plaintext.stat().st_mode) == 0o600
            assert original.plaintext.stat().st_nlink == 0  # an anonymous file: no name anywhere
            assert [p for p in scratch.rglob("*") if p.is_file()] == []
            seen[original.name] = original.plaintext.read_bytes()
            taken.append((original.plaintext, original.plaintext.stat().st_ino))
    assert seen == {"a.txt": b"first drawing\n", "b.txt": b"second drawing\n"}
    assert list(scratch.iterdir()) == []
    with uow.transaction() as session:
        reads = session.execute(
            select(AuditEntry).where(AuditEntry.action == "document:content:read")
        ).scalars()
        readers = [(entry.actor_name, "release of marked copies" in entry.leaf.decode()) for entry in reads]
    assert readers == [("manager", True)] * 2


def test_scratch_plaintext_is_removed_when_the_consumer_fails(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    case_id = _case_with_files(uow, vault, office, tmp_path)

    def copier_fails() -> None:
        with documents.export_originals(
            uow, vault, office.manager, case_id, scratch_dir=scratch, purpose="release"
        ) as originals:
            assert next(originals).plaintext.exists()
            raise RuntimeError("the copier failed")

    with pytest.raises(RuntimeError):
        copier_fails()
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("role", ["supplier", "intake", "examiner", "negotiator", "auditor", "successor"])
def test_only_program_managers_export_originals(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path, role: str
) -> None:
    case_id = _case_with_files(uow, vault, office, tmp_path)
    with (
        pytest.raises(Forbidden),
        documents.export_originals(
            uow, vault, getattr(office, role), case_id, scratch_dir=scratch, purpose="curiosity"
        ),
    ):
        pass
    assert list(scratch.iterdir()) == []
