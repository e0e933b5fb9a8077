"""A submission racing the case's `submit` transition: each file is linked in a transaction that
re-checks the case, so nothing is linked once the case has left `notified`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from shokei.cases import services as cases
from shokei.documents import services as documents
from shokei.documents.models import Document
from shokei.documents.vault import FilesystemVault
from shokei.errors import Conflict
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office


class SubmitAfterFirstFile:
    """Submission progress that, once the first file is linked and the second one is encrypted
    but not yet linked, has the supplier submit the case in a transaction of its own.

    A file is reported as advanced once its blob is sealed and before the linking transaction
    of its batch opens; batches start at one file, so the transition commits exactly between
    the first file's link and the second batch's.
    """

    def __init__(self, uow: UnitOfWork, office: Office, case_id: int) -> None:
        self.uow, self.office, self.case_id = uow, office, case_id
        self.seen: list[str] = []
        self.states_before_link: list[str] = []

    def planned(self, total_bytes: int) -> None:
        pass

    def advanced(self, done_bytes: int, label: str) -> None:
        self.seen.append(label)
        self.states_before_link.append(cases.get_case(self.uow, self.office.supplier, self.case_id).state)
        if len(self.seen) == 2:
            assert not self.uow.in_transaction  # the submission holds no transaction between files
            cases.transition_case(self.uow, self.office.supplier, self.case_id, "submit")


def _documents(uow: UnitOfWork, case_id: int) -> list[Document]:
    with uow.transaction() as session:
        return list(session.execute(select(Document).where(Document.case_id == case_id)).scalars())


def test_a_submission_racing_submit_links_nothing_after_the_case_left_notified(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    case = office.open_case(documents=0)
    folder = tmp_path / "drawings"
    folder.mkdir()
    for number in range(1, 4):
        (folder / f"part-{number}.txt").write_text(f"drawing {number}\n" * 100, encoding="utf-8")
    race = SubmitAfterFirstFile(uow, office, case.id)

    with pytest.raises(Conflict) as refused:
        documents.submit_documents(
            uow, vault, office.supplier, case.id, [folder], scratch_dir=scratch, progress=race
        )

    # The transition ran between the first batch's link (part-1 alone) and the second batch's
    # (part-2 and part-3, both sealed before their one linking transaction).
    assert race.seen == [f"{folder}/part-1.txt", f"{folder}/part-2.txt", f"{folder}/part-3.txt"]
    assert race.states_before_link == ["notified", "notified", "documents_submitted"]
    detail = cases.get_case(uow, office.supplier, case.id)
    assert detail.state == "documents_submitted"
    # A clear refusal: which file was refused, why, and that what came before stays.
    message = refused.value.message
    assert "part-2.txt" in message
    assert "from 'notified' to 'documents_submitted'" in message
    assert "the 1 file(s) stored before it remain" in message
    # Nothing lost from before, nothing linked after.
    [stored] = _documents(uow, case.id)
    assert stored.path == f"{folder}/part-1.txt"
    assert len(detail.inventory) == 1  # the first file's line only
    # The refused file's blob was discarded: the vault holds exactly the linked file's blob.
    assert list(vault.iter_blob_ids()) == [stored.blob_id]
    assert list(scratch.iterdir()) == []


def test_a_submission_to_a_case_that_stays_open_links_every_file(
    uow: UnitOfWork, vault: FilesystemVault, office: Office, tmp_path: Path, scratch: Path
) -> None:
    case = office.open_case(documents=0)
    folder = tmp_path / "drawings"
    folder.mkdir()
    for number in range(1, 4):
        (folder / f"part-{number}.txt").write_text(f"drawing {number}\n", encoding="utf-8")
    result = documents.submit_documents(uow, vault, office.supplier, case.id, [folder], scratch_dir=scratch)
    assert len(result.documents) == 3
    assert len(list(vault.iter_blob_ids())) == 3
    # A second submission once the case is submitted: documents are still taken then.
    office.move(case.id, "submit", office.supplier)
    (folder / "part-4.txt").write_text("drawing 4\n", encoding="utf-8")
    again = documents.submit_documents(uow, vault, office.supplier, case.id, [folder], scratch_dir=scratch)
    assert [Path(d.path).name for d in again.documents] == ["part-4.txt"]
    assert len(again.duplicates) == 3
    with uow.transaction() as session:
        count = session.execute(
            select(func.count()).select_from(Document).where(Document.case_id == case.id)
        ).scalar_one()
    assert count == 4
