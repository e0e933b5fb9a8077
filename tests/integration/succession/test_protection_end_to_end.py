"""The "Must show" of issue 15 end to end, through the services (run on SQLite and PostgreSQL):
copies released to 承継重工業, then a fact that makes it unsafe — the antenna takeover, a
certification that expires, a financial-distress report — suspends it in the fact's transaction:
its download is refused, the open case is flagged, the alert lists its holdings; reinstatement
is refused while the rule fails; once the fact is cured the program manager reinstates and the
download works again (the same bytes)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shokei.cases import services as cases
from shokei.clock import FixedClock
from shokei.companies import access, conditions
from shokei.companies import services as companies
from shokei.companies.schemas import CompanyUpdate
from shokei.documents.vault import FilesystemVault
from shokei.errors import Conflict, Forbidden
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from tests import factories
from tests.integration.succession.test_copy_acts_eligibility import PDF, Released


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


def _refused_then_reinstated(
    uow: UnitOfWork, released: Released, tmp_path: Path, *, rule: str, cure: object
) -> None:
    """The shared tail: download refused (rule `access`), reinstatement refused naming `rule`,
    the cure applied, reinstatement, the download works again."""
    manager = released.office.manager
    with pytest.raises(Forbidden, match="refused: access"):
        released.download(tmp_path / "refused.pdf")
    assert not (tmp_path / "refused.pdf").exists()
    [flag] = cases.get_case(uow, manager, released.case_id).flags
    assert (flag.involvement, flag.resolved_at) == ("successor", None)
    with pytest.raises(Conflict, match=rule):
        access.reinstate(uow, manager, released.number, "是正を確認")
    assert callable(cure)
    cure()
    access.reinstate(uow, manager, released.number, "是正を確認")
    released.download(tmp_path / "after.pdf")
    assert (tmp_path / "after.pdf").read_bytes() == (tmp_path / "before.pdf").read_bytes()
    [resolved] = cases.get_case(uow, manager, released.case_id).flags
    assert resolved.resolution == "是正を確認"


def test_the_antenna_takeover_with_the_alert_listing_the_holdings(
    uow: UnitOfWork, released: Released, tmp_path: Path
) -> None:
    office = released.office
    released.download(tmp_path / "before.pdf")
    holding = factories.company(uow, "北斗ホールディングス株式会社").corporate_number or ""
    foreign = ownership.add_entity(
        uow, office.intake, kind="foreign_company", name="华晨精密机械有限公司", country="CN"
    ).reference
    ownership.record_interest_change(uow, office.intake, owner=holding, owned=released.number, share="20")
    ownership.record_interest_change(uow, office.intake, owner=foreign, owned=holding, share="60")

    alerts = ownership.list_alerts(uow, office.manager, company=released.number)
    assert alerts, "the takeover raises foreign-control alerts on the successor"
    for alert in alerts:
        assert alert.holdings is not None
        assert (alert.holdings.copies, alert.holdings.cases) == (1, [released.case_id])
    company = companies.get_company(uow, office.manager, released.number)
    assert company.suspension is not None
    assert company.suspension.cause == "ownership"

    def sell() -> None:
        ownership.record_interest_change(uow, office.intake, owner=foreign, owned=holding, share="0")

    _refused_then_reinstated(
        uow, released, tmp_path, rule="foreign_ownership: foreign ownership 12%", cure=sell
    )


def test_a_certification_that_expires(
    uow: UnitOfWork, clock: FixedClock, released: Released, tmp_path: Path
) -> None:
    manager = released.office.manager
    access.certify(uow, manager, released.number, custodian="保全 太郎", until=date(2026, 6, 10))
    released.download(tmp_path / "before.pdf")
    clock.at = datetime(2026, 6, 11, 0, 0, tzinfo=UTC)  # the day after its last valid day (JST)
    [ended] = access.expire_certifications(uow, manager)
    assert ended.corporate_number == released.number
    company = companies.get_company(uow, manager, released.number)
    assert company.suspension is not None
    assert company.suspension.cause == "certification"

    def renew() -> None:
        access.certify(uow, manager, released.number, custodian="保全 太郎", until=date(2027, 6, 10))

    _refused_then_reinstated(
        uow, released, tmp_path, rule="security_compliance: certification expired 2026-06-10", cure=renew
    )


def test_a_financial_distress_report(uow: UnitOfWork, released: Released, tmp_path: Path) -> None:
    office = released.office
    released.download(tmp_path / "before.pdf")
    report = conditions.report_change(
        uow, office.successor, released.number, kind="financial", details="主要取引銀行が融資を停止"
    )
    assert report.access == "suspended"

    def recover() -> None:
        companies.update_company(
            uow, office.manager, released.number, CompanyUpdate(financial_distress=False)
        )

    _refused_then_reinstated(
        uow, released, tmp_path, rule="financial_health: in financial distress", cure=recover
    )
