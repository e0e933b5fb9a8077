"""Release, download, dissemination and trace through the services, on generated samples
(tests/samples.py: what is tested here is the hand-over, not a format)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pikepdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from shokei.cases import services as cases
from shokei.documents.vault import FilesystemVault
from shokei.errors import Conflict, Forbidden, NotFound
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import services
from tests import factories
from tests.factories import Office
from tests.integration.succession.conftest import case_with_documents, make_eligible, successor_company

PDF = "four-pages.pdf"


def test_two_successors_get_different_traceable_copies_of_one_pdf(
    uow: UnitOfWork,
    vault: FilesystemVault,
    copy_vault: FilesystemVault,
    scratch: Path,
    key: Ed25519PrivateKey,
    sample_files: Path,
    tmp_path: Path,
) -> None:
    office = Office(uow)
    make_eligible(uow, office, office.successor_company)
    other, other_user = successor_company(uow, office, "第二承継工業株式会社", "successor2")
    first_case = case_with_documents(uow, office, vault, scratch, sample_files / PDF)
    services.select_successor(
        uow, office.manager, first_case, office.successor_company.corporate_number or "", reason="最適"
    )
    with pytest.raises(Conflict, match="not accepted the terms"):
        services.release_copies(
            uow, vault, office.manager, first_case, copies=copy_vault, scratch_dir=scratch, key=key
        )
    services.accept_terms(uow, office.successor, first_case)
    [mine] = services.release_copies(
        uow, vault, office.manager, first_case, copies=copy_vault, scratch_dir=scratch, key=key
    )

    second_case = case_with_documents(uow, office, vault, scratch, sample_files / PDF)
    services.select_successor(uow, office.manager, second_case, other.corporate_number or "", reason="最適")
    services.accept_terms(uow, other_user, second_case)
    [theirs] = services.release_copies(
        uow, vault, office.manager, second_case, copies=copy_vault, scratch_dir=scratch, key=key
    )
    assert mine.sha256 != theirs.sha256

    for copy, user, company in (
        (mine, office.successor, office.successor_company),
        (theirs, other_user, other),
    ):
        out = tmp_path / f"{copy.copy_id}.pdf"
        services.download_copy(uow, copy_vault, user, copy.copy_id, out)
        text = PdfReader(out).pages[0].extract_text()
        assert f"Copy ID: {copy.copy_id}" in text
        assert (company.corporate_number or "") in text
        found = services.trace_file(uow, office.manager, out, key=key)
        assert (found.copy_id, found.recipient, found.method, found.confidence) == (
            copy.copy_id,
            company.corporate_number,
            "hash",
            1.0,
        )
        assert [h.role for h in found.chain] == ["supplier", "mod", "successor"]
        assert found.chain[0].corporate_number == office.withdrawing.corporate_number

        resaved = tmp_path / f"{copy.copy_id}-resaved.pdf"
        with pikepdf.open(out) as pdf:
            del pdf.Root.Metadata
            del pdf.trailer.Info
            pdf.save(resaved, linearize=True)
        again = services.trace_file(uow, office.manager, resaved, key=key)
        assert (again.copy_id, again.recipient, again.method) == (
            copy.copy_id,
            company.corporate_number,
            "marks",
        )

    # Neither successor can fetch the other's copy.
    with pytest.raises(NotFound):
        services.download_copy(uow, copy_vault, other_user, mine.copy_id, tmp_path / "stolen.pdf")
    with pytest.raises(NotFound):
        services.download_copy(uow, copy_vault, office.successor, theirs.copy_id, tmp_path / "stolen.pdf")
    assert not (tmp_path / "stolen.pdf").exists()


def test_cad_copies_and_a_subcontractor_copy_are_traced_with_their_chain(
    uow: UnitOfWork,
    vault: FilesystemVault,
    copy_vault: FilesystemVault,
    scratch: Path,
    key: Ed25519PrivateKey,
    sample_files: Path,
    tmp_path: Path,
) -> None:
    office = Office(uow)
    successor_number = office.successor_company.corporate_number or ""
    make_eligible(uow, office, office.successor_company)
    sub = factories.company(uow, "下請精密株式会社")
    make_eligible(uow, office, sub)
    sub_user = factories.user(uow, Role.SUCCESSOR, sub.corporate_number, "subcontractor")
    foreign = factories.company(uow, "外資系部品株式会社")
    make_eligible(uow, office, foreign, foreign_share_percent=60, foreign_share_country="CN")

    step, dxf = sample_files / "part.stp", sample_files / "drawing-r12.dxf"
    case_id = case_with_documents(uow, office, vault, scratch, step, dxf)
    services.select_successor(uow, office.manager, case_id, successor_number, reason="最適")
    services.accept_terms(uow, office.successor, case_id)
    copies = services.release_copies(
        uow, vault, office.manager, case_id, copies=copy_vault, scratch_dir=scratch, key=key
    )
    assert {c.format for c in copies} == {"step", "dxf"}

    for copy in copies:
        out = tmp_path / copy.file_name
        services.download_copy(uow, copy_vault, office.successor, copy.copy_id, out)
        edited = tmp_path / f"edited-{copy.file_name}"
        edited.write_bytes(out.read_bytes().replace(b"\n", b"\r\n"))  # another tool's line endings
        found = services.trace_file(uow, office.manager, edited, key=key)
        assert (found.copy_id, found.recipient, found.method) == (copy.copy_id, successor_number, "marks")

    step_copy = next(c for c in copies if c.format == "step")
    with pytest.raises(NotFound):  # a company that holds no copy cannot ask to pass one on
        services.request_dissemination(uow, sub_user, step_copy.copy_id, to=successor_number, purpose="加工")
    refused = services.request_dissemination(
        uow, office.successor, step_copy.copy_id, to=foreign.corporate_number or "", purpose="加工"
    )
    with pytest.raises(Conflict, match="foreign_ownership"):
        services.approve_dissemination(
            uow, copy_vault, office.manager, refused.id, scratch_dir=scratch, key=key
        )

    request = services.request_dissemination(
        uow, office.successor, step_copy.copy_id, to=sub.corporate_number or "", purpose="治具の製作"
    )
    approved = services.approve_dissemination(
        uow, copy_vault, office.manager, request.id, scratch_dir=scratch, key=key
    )
    assert approved.new_copy is not None
    assert approved.new_copy.parent_copy_id == step_copy.copy_id
    assert approved.copy_id == approved.new_copy.copy_id  # the subcontractor's copy
    out = tmp_path / "sub.stp"
    with pytest.raises(Conflict, match="terms: the subcontractor has not accepted"):
        services.download_copy(uow, copy_vault, sub_user, approved.copy_id, out)
    with pytest.raises(NotFound):  # the holder does not accept for its subcontractor
        services.accept_dissemination(uow, office.successor, request.id)
    assert services.accept_dissemination(uow, sub_user, request.id).status == "accepted"
    services.download_copy(uow, copy_vault, sub_user, approved.new_copy.copy_id, out)
    found = services.trace_file(uow, office.manager, out, key=key)
    assert (found.copy_id, found.recipient) == (approved.new_copy.copy_id, sub.corporate_number)
    assert [(h.role, h.corporate_number) for h in found.chain] == [
        ("supplier", office.withdrawing.corporate_number),
        ("mod", None),
        ("successor", successor_number),
        ("subcontractor", sub.corporate_number),
    ]

    with pytest.raises(Forbidden):
        services.record_destruction_certificate(uow, office.successor, case_id, reference="x")
    office.pay(case_id)
    closed = services.record_destruction_certificate(
        uow, office.manager, case_id, reference="廃棄証明書 第1号", certificate=step
    )
    assert closed.state == "closed"
    assert closed.file_sha256 == hashlib.sha256(step.read_bytes()).hexdigest()
    assert cases.get_case(uow, office.manager, case_id).state == "closed"
    with pytest.raises(Conflict, match="closed"):
        services.record_destruction_certificate(uow, office.manager, case_id, reference="again")


def test_stored_documents_are_handed_over_only_as_released_copies(
    uow: UnitOfWork,
    vault: FilesystemVault,
    copy_vault: FilesystemVault,
    scratch: Path,
    key: Ed25519PrivateKey,
    sample_files: Path,
) -> None:
    office = Office(uow)
    stored = case_with_documents(uow, office, vault, scratch, sample_files / PDF)
    office.select_successor(stored)
    # The generic move is the succession feature's too, whatever adapter asks for it.
    with pytest.raises(Conflict, match="not accepted the terms"):
        cases.transition_case(uow, office.manager, stored, "hand_over")
    services.accept_terms(uow, office.successor, stored)
    with pytest.raises(Conflict, match=rf"holds 1 stored document.*handover release {stored}"):
        cases.transition_case(uow, office.manager, stored, "hand_over")
    assert cases.get_case(uow, office.manager, stored).state == "successor_selection"
    assert services.list_copies(uow, office.manager, stored) == []

    paper = office.open_case(documents=2).id
    office.to_successor_selection(paper)
    office.select_successor(paper)
    services.accept_terms(uow, office.successor, paper)
    with pytest.raises(Conflict, match="no stored documents to release; record the hand-over"):
        services.release_copies(
            uow, vault, office.manager, paper, copies=copy_vault, scratch_dir=scratch, key=key
        )
    with pytest.raises(Forbidden):
        services.record_hand_over(uow, office.negotiator, paper)
    services.record_hand_over(uow, office.manager, paper, reason="紙図面を手交")
    assert cases.get_case(uow, office.manager, paper).state == "handed_over"
