"""Handing in documents: generated samples and real public files, archives, duplicates, refusals,
search."""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shokei.audit.models import AuditEntry
from shokei.cases import services as cases
from shokei.documents import services as documents
from shokei.documents.models import Document
from shokei.documents.vault import FilesystemVault
from shokei.errors import Conflict, Forbidden, NotFound
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests import factories, samples
from tests.factories import Office


def _submit(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, case_id: int, *paths: Path, scratch: Path
) -> documents.SubmissionResult:
    return documents.submit_documents(uow, vault, office.supplier, case_id, list(paths), scratch_dir=scratch)


def _count(uow: UnitOfWork) -> int:
    with uow.transaction() as session:
        return session.execute(select(func.count()).select_from(Document)).scalar_one()


def test_generated_samples_get_the_right_types_and_metadata(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, sample_files: Path, tmp_path: Path, scratch: Path
) -> None:
    folder = tmp_path / "handed-in"
    shutil.copytree(sample_files, folder)
    samples.write_pdf(folder / "locked.pdf", ["secret"], user_password="openpassword")
    case = office.open_case(documents=0)
    result = _submit(uow, vault, office, case.id, folder, scratch=scratch)
    by_name = {Path(d.path).name: d for d in result.documents}

    assert result.refused == []
    expected_types = {
        "one-page.pdf": "pdf",
        "four-pages.pdf": "pdf",
        "memo.pdf": "pdf",
        "locked.pdf": "pdf",
        "part.stp": "step",
        "part.igs": "iges",
        "part.iges": "iges",
        "drawing-r12.dxf": "dxf",
        "drawing-r12-binary.dxf": "dxf",
        "drawing-r2013.dxf": "dxf",
        "package.json": "text",
    }
    assert {name: document.type for name, document in by_name.items()} == expected_types
    assert by_name["four-pages.pdf"].page_count == 4
    assert "encrypted" in by_name["locked.pdf"].flags
    step_bytes = (folder / "part.stp").read_bytes()
    assert by_name["part.stp"].sha256 == hashlib.sha256(step_bytes).hexdigest()
    assert by_name["drawing-r12-binary.dxf"].size == (folder / "drawing-r12-binary.dxf").stat().st_size
    iges = documents.get_document(uow, office.examiner, by_name["part.iges"].id)
    assert iges.metadata["units_name"] == "MM"  # tests/samples.py IgesGlobal
    inventory = cases.get_case(uow, office.supplier, case.id).inventory
    assert len(inventory) == len(expected_types)
    assert office.move(case.id, "submit", office.supplier).state == "documents_submitted"


def test_real_public_files_get_the_right_types_and_metadata(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, real_files: Path, scratch: Path
) -> None:
    case = office.open_case(documents=0)
    folders = [real_files / name for name in ("pdf", "step", "iges", "dxf")]
    result = _submit(uow, vault, office, case.id, *folders, scratch=scratch)
    by_name = {Path(d.path).name: d for d in result.documents}

    assert result.refused == []
    assert len(by_name) == 18
    expected_types = {
        "pdf": "pdf",
        "stp": "step",
        "step": "step",
        "igs": "iges",
        "iges": "iges",
        "dxf": "dxf",
    }
    for name, document in by_name.items():
        assert document.type == expected_types[name.rsplit(".", 1)[1]], name
    assert by_name["pdflatex-4-pages.pdf"].page_count == 4
    assert "encrypted" in by_name["libreoffice-writer-password.pdf"].flags
    # sha256 values published in the fixtures README
    assert by_name["NIST_MBE_PMI_1.stp"].sha256 == (
        "802a07641027fd534fdbeec30a5637942b4a944a0b472181dc280e4d174e2e27"
    )
    assert by_name["bin_dxf_r12.dxf"].size == 3761
    iges = documents.get_document(uow, office.examiner, by_name["example-arcs.iges"].id)
    assert iges.metadata["units_name"] == "MM"
    # Each stored file is a line of the case inventory, so the case can be submitted.
    inventory = cases.get_case(uow, office.supplier, case.id).inventory
    assert len(inventory) == 18
    assert office.move(case.id, "submit", office.supplier).state == "documents_submitted"


def test_nothing_readable_in_the_vault(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    marker = "MARKER-7f3a 防衛秘密 潜水艦用アンテナ整合回路"
    source = tmp_path / "in"
    source.mkdir()
    (source / "spec.txt").write_text(f"{marker}\n" * 2000, encoding="utf-8")
    (source / "big.txt").write_text((marker + "\n") * 200_000, encoding="utf-8")
    case = office.open_case(documents=0)
    result = _submit(uow, vault, office, case.id, source, scratch=scratch)
    assert len(result.documents) == 2
    assert result.documents[0].markings  # 防衛秘密 is a secrecy marking
    needles = [marker.encode(), "防衛秘密".encode(), b"MARKER-7f3a"]
    blobs = [p for p in vault.root.rglob("*") if p.is_file()]
    assert len(blobs) == 2
    for blob in blobs:
        content = blob.read_bytes()
        assert not any(needle in content for needle in needles), blob


def test_duplicates_are_recorded_once_with_all_their_paths(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "drawing.txt").write_text("同じ図面", encoding="utf-8")
    (second / "copy-of-drawing.txt").write_text("同じ図面", encoding="utf-8")
    case = office.open_case(documents=0)
    result = _submit(uow, vault, office, case.id, first, second, scratch=scratch)
    assert len(result.documents) == 1
    assert len(result.duplicates) == 1
    again = _submit(uow, vault, office, case.id, first, scratch=scratch)
    assert again.documents == []
    shown = documents.get_document(uow, office.examiner, result.documents[0].id)
    assert sorted(Path(p).name for p in shown.paths) == ["copy-of-drawing.txt", "drawing.txt"]
    assert _count(uow) == 1


def test_a_long_submission_in_batches_links_each_content_once_with_its_ledger_entries(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    """Enough files for several group commits, with copies inside one batch and across batches:
    one document, one inventory line and one submit entry per content, every path recorded."""
    folder = tmp_path / "set"
    folder.mkdir()
    for n in range(40):
        (folder / f"part-{n:02d}.txt").write_text(f"図面 {n % 25}\n", encoding="utf-8")
    case = office.open_case(documents=0)
    result = _submit(uow, vault, office, case.id, folder, scratch=scratch)
    assert [Path(d.path).name for d in result.documents] == [f"part-{n:02d}.txt" for n in range(25)]
    assert [sorted(Path(p).name for p in d.paths) for d in result.duplicates] == [
        [f"part-{n - 25:02d}.txt", f"part-{n:02d}.txt"] for n in range(25, 40)
    ]
    assert _count(uow) == 25
    assert len(list(vault.iter_blob_ids())) == 25  # the copies' blobs were discarded
    assert len(cases.get_case(uow, office.supplier, case.id).inventory) == 25
    with uow.transaction() as session:
        actions = session.execute(
            select(AuditEntry.action, func.count())
            .where(AuditEntry.action.in_(["document:file:submit", "document:path:add"]))
            .group_by(AuditEntry.action)
        ).all()
    assert dict(actions) == {"document:file:submit": 25, "document:path:add": 15}
    for shown in result.documents:
        document = documents.get_document(uow, office.examiner, shown.id)
        number = int(Path(document.path).stem.split("-")[1])
        expected = {f"part-{number:02d}.txt"} | ({f"part-{number + 25:02d}.txt"} if number < 15 else set())
        assert {Path(p).name for p in document.paths} == expected


def test_archive_members_become_documents_with_their_inner_paths(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, sample_files: Path, tmp_path: Path, scratch: Path
) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(sample_files / "drawing-r12.dxf", "cad/bracket.dxf")
        archive.writestr("notes/readme.txt", "取扱注意\n整合回路の調整手順")
    outer = tmp_path / "package.tar.gz"
    with tarfile.open(outer, "w:gz") as tar:
        tar.add(sample_files / "one-page.pdf", "pdf/spec.pdf")
        info = tarfile.TarInfo("nested/inner.zip")
        info.size = len(inner.getvalue())
        tar.addfile(info, io.BytesIO(inner.getvalue()))
    case = office.open_case(documents=0)
    result = _submit(uow, vault, office, case.id, outer, scratch=scratch)
    paths = sorted(d.path for d in result.documents)
    assert paths == [
        f"{outer}!/nested/inner.zip/cad/bracket.dxf",
        f"{outer}!/nested/inner.zip/notes/readme.txt",
        f"{outer}!/pdf/spec.pdf",
    ]
    types = {Path(d.path).name: d.type for d in result.documents}
    assert types == {"bracket.dxf": "dxf", "readme.txt": "text", "spec.pdf": "pdf"}
    assert list(scratch.iterdir()) == []  # spooled members are gone


def _traversal_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ok.txt", "fine")
        archive.writestr("../../etc/evil.txt", "escape")
    return path


def _symlink_tar(path: Path) -> Path:
    with tarfile.open(path, "w") as tar:
        data = b"fine"
        info = tarfile.TarInfo("ok.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    return path


def _bomb_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("ok.txt", "fine")
        archive.writestr("zeros.bin", b"\0" * (64 * 1024 * 1024))
    return path


def _deep_zip(path: Path) -> Path:
    payload = b"core"
    name = "core.txt"
    for level in range(6):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(name, payload)
        payload, name = buffer.getvalue(), f"level{level}.zip"
    path.write_bytes(payload)
    return path


@pytest.mark.parametrize(
    ("build", "reason"),
    [(_traversal_zip, "traversal"), (_bomb_zip, "compression_ratio"), (_deep_zip, "too_deep")],
)
def test_hostile_archives_are_refused_whole_and_nothing_is_stored(
    uow: UnitOfWork,
    vault: FilesystemVault,
    office: Office,
    tmp_path: Path,
    scratch: Path,
    build: object,
    reason: str,
) -> None:
    archive = build(tmp_path / "hostile.bin")  # type: ignore[operator]
    case = office.open_case(documents=0)
    result = _submit(uow, vault, office, case.id, archive, scratch=scratch)
    assert result.documents == []
    assert [r.path for r in result.refused] == [str(archive)]
    assert reason in result.refused[0].reason
    assert _count(uow) == 0
    assert not any(p.is_file() for p in vault.root.rglob("*")) if vault.root.exists() else True


def test_symlink_members_are_refused_alone(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    archive = _symlink_tar(tmp_path / "links.tar")
    case = office.open_case(documents=0)
    result = _submit(uow, vault, office, case.id, archive, scratch=scratch)
    assert [Path(d.path).name for d in result.documents] == ["ok.txt"]
    assert [(r.path, r.reason) for r in result.refused] == [(f"{archive}!/link", "member_refused: symlink")]


def test_search_finds_japanese_phrases_and_respects_need_to_know(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    spec = tmp_path / "spec.txt"
    spec.write_text("高周波アンテナ整合回路の調整手順\n図面番号 ANT-204", encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("車両用ばねの熱処理条件", encoding="utf-8")
    case = office.open_case(documents=0)
    stored = _submit(uow, vault, office, case.id, spec, other, scratch=scratch).documents
    spec_id = next(d.id for d in stored if d.path.endswith("spec.txt"))

    assert [d.id for d in documents.search_documents(uow, office.examiner, "整合回路")] == [spec_id]
    assert [d.id for d in documents.search_documents(uow, office.examiner, "図面")] == [spec_id]  # 2 chars
    assert [d.id for d in documents.search_documents(uow, office.examiner, "ant-204")] == [spec_id]
    assert documents.search_documents(uow, office.examiner, "潜水艦") == []
    assert [d.id for d in documents.search_documents(uow, office.supplier, "整合回路", case_id=case.id)] == [
        spec_id
    ]
    assert documents.search_documents(uow, office.successor, "整合回路") == []


def test_only_the_cases_supplier_or_intake_may_hand_in_and_only_before_examination(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    file = tmp_path / "f.txt"
    file.write_text("x", encoding="utf-8")
    case = office.open_case(documents=1)
    with pytest.raises(Forbidden):
        documents.submit_documents(uow, vault, office.examiner, case.id, [file], scratch_dir=scratch)
    with pytest.raises(Forbidden):
        documents.submit_documents(uow, vault, office.successor, case.id, [file], scratch_dir=scratch)
    stranger = factories.user(uow, Role.SUPPLIER, factories.company(uow, "他社株式会社").corporate_number)
    with pytest.raises(NotFound):
        documents.submit_documents(uow, vault, stranger, case.id, [file], scratch_dir=scratch)
    office.to_under_examination(case.id)
    with pytest.raises(Conflict, match="inventory is closed"):
        documents.submit_documents(uow, vault, office.intake, case.id, [file], scratch_dir=scratch)
    assert _count(uow) == 0


def test_supplier_describes_a_stored_document_and_the_inventory_follows(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    from shokei.documents.schemas import DocumentDescription

    file = tmp_path / "scan.txt"
    file.write_text("図面", encoding="utf-8")
    case = office.open_case(documents=0)
    stored = _submit(uow, vault, office, case.id, file, scratch=scratch).documents[0]
    described = documents.describe_document(
        uow,
        office.supplier,
        stored.id,
        DocumentDescription(
            title="砲身 部品図", drawing_number="MG-17-004", revision="C", weapon_system="12.7mm機関銃"
        ),
    )
    assert (described.title, described.drawing_number, described.revision) == (
        "砲身 部品図",
        "MG-17-004",
        "C",
    )
    line = cases.get_case(uow, office.intake, case.id).inventory[0]
    assert (line.title, line.drawing_number, line.weapon_system) == (
        "砲身 部品図",
        "MG-17-004",
        "12.7mm機関銃",
    )
    with pytest.raises(Forbidden):
        documents.describe_document(uow, office.examiner, stored.id, DocumentDescription(title="x"))
    office.to_under_examination(case.id)
    with pytest.raises(Conflict):
        documents.describe_document(uow, office.supplier, stored.id, DocumentDescription(revision="D"))
