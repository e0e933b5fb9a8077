"""Case flags (issue 15): when a company is suspended, the open cases it is involved in are flagged
in the same transaction (the case page, `case show --json` "flags"); reinstatement resolves them.
Flags name the company and why, so only officials and auditors see them."""

from __future__ import annotations

from datetime import date

import pytest

from shokei.audit import services as audit
from shokei.cases import services as cases
from shokei.companies import access
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import TEST_NOW, Cli
from tests.integration.succession.test_continuous_eligibility import Antenna


def _case_ledger(uow: UnitOfWork, case_id: int, action: str) -> list[audit.AuditEntryView]:
    return [e for e in audit.entries_for_subject(uow, "case", str(case_id)) if e.action == action]


def test_the_antenna_takeover_flags_the_open_case_until_reinstatement(uow: UnitOfWork, cli: Cli) -> None:
    assert cli("init").exit_code == 0
    antenna = Antenna(uow)
    holding = antenna.holding.corporate_number or ""
    antenna.stake(holding, antenna.number, "20")
    assert cases.get_case(uow, antenna.office.manager, antenna.case_id).flags == []

    def take_over_then_fail() -> None:
        with uow:
            antenna.stake(antenna.foreign, holding, "60")
            assert len(cases.get_case(uow, antenna.office.manager, antenna.case_id).flags) == 1
            raise RuntimeError("roll the ownership event back")

    with pytest.raises(RuntimeError):
        take_over_then_fail()
    assert cases.get_case(uow, antenna.office.manager, antenna.case_id).flags == []

    antenna.stake(antenna.foreign, holding, "60")
    shown = cli("case", "show", str(antenna.case_id), "--as", "manager", "--json").json()
    assert isinstance(shown, dict)
    [flag] = shown["flags"]
    assert flag["kind"] == "company_suspended"
    assert flag["corporate_number"] == antenna.number
    assert flag["company_name"] == "承継重工業株式会社"
    assert flag["involvement"] == "successor"
    assert flag["cause"] == "ownership"
    assert "foreign_ownership: foreign ownership 12% (integrated)" in flag["reason"]
    assert flag["raised_at"].startswith(TEST_NOW.isoformat()[:19])
    assert flag["resolved_at"] is None
    [raised] = _case_ledger(uow, antenna.case_id, "case:flag:raise")
    assert raised.actor == "system"
    assert raised.event["details"]["cause"] == "ownership"

    # Neither company sees the flag (it names the successor and its standing).
    for who in ("supplier", "successor"):
        theirs = cli("case", "show", str(antenna.case_id), "--as", who, "--json").json()
        assert isinstance(theirs, dict)
        assert theirs["flags"] == []

    # Reinstatement (once the stake is sold) resolves the flag with the reinstatement's reason.
    antenna.stake(antenna.foreign, holding, "0")
    access.reinstate(uow, antenna.office.manager, antenna.number, "株式売却を確認")
    [resolved] = cases.get_case(uow, antenna.office.manager, antenna.case_id).flags
    assert resolved.resolved_at is not None
    assert resolved.resolution == "株式売却を確認"
    assert len(_case_ledger(uow, antenna.case_id, "case:flag:resolve")) == 1
    human = cli("case", "show", str(antenna.case_id), "--as", "manager")
    assert "flags" in human.stdout
    assert "承継重工業株式会社" in human.stdout


def test_a_manual_suspension_flags_the_supplier_and_successor_cases_and_not_closed_ones(
    uow: UnitOfWork,
) -> None:
    antenna = Antenna(uow)
    office = antenna.office
    supplier_number = office.withdrawing.corporate_number or ""
    access.suspend(uow, office.manager, supplier_number, "立入検査のため")
    [flag] = cases.get_case(uow, office.manager, antenna.case_id).flags
    assert (flag.involvement, flag.cause, flag.reason) == ("supplier", "manual", "立入検査のため")

    # A certification that lapses suspends the successor: a second flag on the same case.
    access.certify(uow, office.manager, antenna.number, custodian="保全 太郎", until=date(2026, 6, 1))
    access.revoke_certification(uow, office.manager, antenna.number, "保全体制の不備")
    flags = cases.get_case(uow, office.manager, antenna.case_id).flags
    assert sorted((f.involvement, f.cause) for f in flags) == [
        ("successor", "certification"),
        ("supplier", "manual"),
    ]
