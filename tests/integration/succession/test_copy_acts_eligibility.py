"""Eligibility is re-checked at every act that moves or opens a copy (issue 15): release, download,
hand-over and dissemination approval refuse a suspended company (exit 3, rule `access`) or one
that fails a holder rule or is no longer certified (exit 4), naming the rule.

The antenna scenario's tail: copies released to 承継重工業; a Chinese firm buys 60 % of its 20 %
holding 北斗ホールディングス (60 % x 20 % = 12 % ≥ 10 %): suspended in that same transaction, its
download is refused; the foreign stake is sold, the program manager reinstates, downloads work.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shokei.clock import FixedClock
from shokei.companies import access, conditions
from shokei.documents.vault import FilesystemVault
from shokei.errors import Conflict, Forbidden
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.succession import services
from shokei.succession.schemas import CopyView, DisseminationView
from tests import factories
from tests.factories import Office
from tests.integration.succession.conftest import case_with_documents, make_eligible

PDF = "four-pages.pdf"


class Released:
    """A case whose copy was released to the office's successor."""

    def __init__(
        self,
        uow: UnitOfWork,
        vault: FilesystemVault,
        copies: FilesystemVault,
        scratch: Path,
        key: Ed25519PrivateKey,
        sample: Path,
        *,
        release: bool = True,
    ) -> None:
        self.uow, self.copies, self.scratch, self.key, self.vault = uow, copies, scratch, key, vault
        self.office = Office(uow)
        self.number = self.office.successor_company.corporate_number or ""
        make_eligible(uow, self.office, self.office.successor_company)
        self.case_id = case_with_documents(uow, self.office, vault, scratch, sample)
        services.select_successor(uow, self.office.manager, self.case_id, self.number, reason="最適")
        services.accept_terms(uow, self.office.successor, self.case_id)
        if release:
            [self.copy] = self.release()

    def release(self) -> list[CopyView]:
        return services.release_copies(
            self.uow,
            self.vault,
            self.office.manager,
            self.case_id,
            copies=self.copies,
            scratch_dir=self.scratch,
            key=self.key,
        )

    def download(self, out: Path) -> None:
        services.download_copy(self.uow, self.copies, self.office.successor, self.copy.copy_id, out)

    def approve(self, request_id: int) -> DisseminationView:
        return services.approve_dissemination(
            self.uow, self.copies, self.office.manager, request_id, scratch_dir=self.scratch, key=self.key
        )


@pytest.fixture
def released(
    uow: UnitOfWork,
    vault: FilesystemVault,
    copy_vault: FilesystemVault,
    scratch: Path,
    key: Ed25519PrivateKey,
    sample_files: Path,
) -> Released:
    return Released(uow, vault, copy_vault, scratch, key, sample_files / PDF)


def test_the_antenna_scenario_suspends_downloads_in_the_transaction_of_the_ownership_event(
    uow: UnitOfWork, released: Released, tmp_path: Path
) -> None:
    office = released.office
    released.download(tmp_path / "before.pdf")
    holding = factories.company(uow, "北斗ホールディングス株式会社").corporate_number or ""
    foreign = ownership.add_entity(
        uow, office.intake, kind="foreign_company", name="华晨精密机械有限公司", country="CN"
    ).reference

    def stake(owner: str, owned: str, share: str) -> None:
        ownership.record_interest_change(
            uow, office.intake, owner=owner, owned=owned, share=share, source="大量保有報告書"
        )

    stake(holding, released.number, "20")
    # In the very transaction of the ownership event, the download is already refused.
    refusals: list[str] = []

    def take_over_then_roll_back() -> None:
        with uow:
            stake(foreign, holding, "60")
            with pytest.raises(Forbidden) as inside:
                released.download(tmp_path / "inside.pdf")
            refusals.append(inside.value.message)
            raise RuntimeError("roll the ownership event back")

    with pytest.raises(RuntimeError):
        take_over_then_roll_back()
    assert refusals[0].startswith(
        f"download of copy {released.copy.copy_id} refused: access: 承継重工業株式会社"
    )
    assert "(ownership)" in refusals[0]
    released.download(tmp_path / "rolled-back.pdf")  # rolled back: still active

    stake(foreign, holding, "60")
    with pytest.raises(Forbidden, match=r"refused: access: .*suspended since 2026-06-01 \(ownership\)"):
        released.download(tmp_path / "refused.pdf")
    assert not (tmp_path / "refused.pdf").exists()

    stake(foreign, holding, "0")  # the foreign stake is sold
    with pytest.raises(Forbidden, match="access"):
        released.download(tmp_path / "still.pdf")  # reinstatement is the program manager's act
    access.reinstate(uow, office.manager, released.number, "株式売却を確認")
    released.download(tmp_path / "after.pdf")
    assert (tmp_path / "after.pdf").read_bytes() == (tmp_path / "before.pdf").read_bytes()


def test_release_and_paper_hand_over_refuse_a_suspended_or_uncertified_successor(
    uow: UnitOfWork,
    clock: FixedClock,
    vault: FilesystemVault,
    copy_vault: FilesystemVault,
    scratch: Path,
    key: Ed25519PrivateKey,
    sample_files: Path,
) -> None:
    pending = Released(uow, vault, copy_vault, scratch, key, sample_files / PDF, release=False)
    office, number = pending.office, pending.number
    access.suspend(uow, office.manager, number, "調査のため")
    with pytest.raises(Forbidden, match=r"release of case \d+ refused: access: .*\(manual\): 調査のため"):
        pending.release()
    access.reinstate(uow, office.manager, number, "調査終了")

    access.certify(uow, office.manager, number, custodian="保全 太郎", until=date(2026, 6, 10))
    clock.at = datetime(2026, 6, 11, 0, 0, tzinfo=UTC)  # not yet swept: the act reads the date
    with pytest.raises(Conflict, match="security_compliance: certification expired 2026-06-10"):
        pending.release()
    access.certify(uow, office.manager, number, custodian="保全 太郎", until=date(2027, 6, 10))
    [copy] = pending.release()
    assert copy.recipient == number

    paper = office.open_case(documents=1).id
    office.to_successor_selection(paper)
    office.select_successor(paper)
    services.accept_terms(uow, office.successor, paper)
    access.suspend(uow, office.manager, number, "再調査")
    with pytest.raises(Forbidden, match=rf"hand-over of case {paper} refused: access"):
        office.move(paper, "hand_over", office.manager)
    access.reinstate(uow, office.manager, number, "調査終了")
    assert office.move(paper, "hand_over", office.manager).state == "handed_over"


def test_dissemination_approval_checks_the_holder_and_the_subcontractor(
    uow: UnitOfWork, released: Released
) -> None:
    office = released.office
    sub = factories.company(uow, "下請精密株式会社")
    make_eligible(uow, office, sub)
    sub_number = sub.corporate_number or ""
    factories.user(uow, Role.SUCCESSOR, sub_number, "subcontractor")
    copy_id = released.copy.copy_id

    request = services.request_dissemination(uow, office.successor, copy_id, to=sub_number, purpose="治具")
    # A financial-distress report by the subcontractor's own user: the subcontractor fails a rule.
    distressed = factories.user(uow, Role.SUCCESSOR, sub_number, "sub-reporter")
    conditions.report_change(uow, distressed, sub_number, kind="financial", details="融資停止")
    with pytest.raises(Conflict, match=rf"dissemination request {request.id} refused: .*financial_health"):
        released.approve(request.id)
    office.make_eligible(sub)  # the distress is cleared

    # A revoked certification: the subcontractor is no longer certified at this moment.
    access.certify(uow, office.manager, sub_number, custodian="保全 次郎", until=date(2027, 3, 31))
    access.revoke_certification(uow, office.manager, sub_number, "監査不合格")
    with pytest.raises(Conflict, match="certification revoked: 監査不合格"):
        released.approve(request.id)
    access.certify(uow, office.manager, sub_number, custodian="保全 次郎", until=date(2027, 3, 31))

    # The holder suspended: no approval, and no new request either.
    access.suspend(uow, office.manager, released.number, "調査のため")
    with pytest.raises(Forbidden, match=rf"dissemination request {request.id} refused: access: 承継重工業"):
        released.approve(request.id)
    with pytest.raises(Forbidden, match=rf"dissemination of copy {copy_id} refused: access"):
        services.request_dissemination(uow, office.successor, copy_id, to=sub_number, purpose="再依頼")
    access.reinstate(uow, office.manager, released.number, "調査終了")

    approved = released.approve(request.id)
    assert approved.new_copy is not None
    assert approved.new_copy.recipient == sub_number
