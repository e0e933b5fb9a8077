"""The holdings register (issue 15): `shokei company holdings CORPNO --json`, the alerts that
carry the holdings of their company, their acknowledgement and closing, and the company page."""

from __future__ import annotations

from pathlib import Path

from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from tests import factories
from tests.conftest import Cli
from tests.integration.succession.conftest import make_eligible
from tests.integration.succession.test_recall_cli import _released


def test_the_register_the_alerts_and_their_handling(
    uow: UnitOfWork, cli: Cli, sample_files: Path, tmp_path: Path
) -> None:
    office, case, (first, second) = _released(uow, cli, sample_files)
    number = office.successor_company.corporate_number or ""
    sub = factories.company(uow, "下請精密株式会社")
    make_eligible(uow, office, sub)
    sub_number = sub.corporate_number or ""
    factories.user(uow, Role.SUCCESSOR, sub_number, "sub")
    request = cli(
        "handover",
        "disseminate",
        second,
        "--to",
        sub_number,
        "--purpose",
        "治具",
        "--as",
        "successor",
        "--json",
    ).json()
    approved = cli(
        "handover",
        "approve-dissemination",
        str(request["id"]),
        "--as",
        "manager",
        "--json",  # type: ignore[index]
    ).json()
    sub_copy = approved["new_copy"]["copy_id"]  # type: ignore[index]
    assert cli("handover", "recall", first, "--reason", "保全違反の疑い", "--as", "manager").exit_code == 0

    held = cli("company", "holdings", number, "--as", "manager", "--json").json()
    assert held["copies"] == [  # type: ignore[index]
        {
            "copy_id": first,
            "case_id": case,
            "document": held["copies"][0]["document"],
            "parent_copy_id": None,
            "status": "recalled",
        },  # type: ignore[index]
        {
            "copy_id": second,
            "case_id": case,
            "document": held["copies"][1]["document"],
            "parent_copy_id": None,
            "status": "issued",
        },  # type: ignore[index]
    ]
    assert held["cases"] == [{"id": case, "as": "successor", "state": "handed_over"}]  # type: ignore[index]
    sub_held = cli("company", "holdings", sub_number, "--as", "auditor", "--json").json()
    assert [(c["copy_id"], c["parent_copy_id"], c["status"]) for c in sub_held["copies"]] == [  # type: ignore[index]
        (sub_copy, second, "issued")
    ]
    assert sub_held["cases"] == [{"id": case, "as": "subcontractor", "state": "handed_over"}]  # type: ignore[index]
    supplier = office.withdrawing.corporate_number or ""
    assert cli("company", "holdings", supplier, "--as", "manager", "--json").json() == {
        "corporate_number": supplier,
        "copies": [],
        "cases": [{"id": case, "as": "supplier", "state": "handed_over"}],
    }
    # A company's users see their own company's register only.
    assert cli("company", "holdings", number, "--as", "successor", "--json").exit_code == 0
    assert cli("company", "holdings", number, "--as", "sub", "--json").exit_code == 3

    # A foreign stake of 30 % in the successor: alerts at 1 %, 10 % and 25 % carry its holdings.
    foreign = ownership.add_entity(
        uow, office.intake, kind="foreign_company", name="Pacific Crest Capital", country="US"
    ).reference
    ownership.record_interest_change(
        uow, office.intake, owner=foreign, owned=number, share="30", source="報告"
    )
    alerts = cli("alerts", "list", "--company", number, "--as", "examiner", "--json").json()
    assert [(a["threshold"], a["holdings"]) for a in alerts] == [  # type: ignore[index]
        (0.25, {"copies": 2, "cases": [case]}),
        (0.1, {"copies": 2, "cases": [case]}),
        (0.01, {"copies": 2, "cases": [case]}),
    ]
    alert_id = str(alerts[0]["id"])  # type: ignore[index]
    assert cli("alerts", "acknowledge", alert_id, "--note", "x", "--as", "examiner").exit_code == 3
    acknowledged = cli(
        "alerts", "acknowledge", alert_id, "--note", "株主構成を照会中", "--as", "manager", "--json"
    )
    assert acknowledged.json()["acknowledgement_note"] == "株主構成を照会中"  # type: ignore[index]
    closed = cli(
        "alerts", "close", alert_id, "--reason", "出資比率の引下げを確認", "--as", "manager", "--json"
    ).json()
    assert (closed["close_reason"], closed["closed_by"], closed["holdings"]) == (  # type: ignore[index]
        "出資比率の引下げを確認",
        "manager",
        {"copies": 2, "cases": [case]},
    )
    assert cli("alerts", "close", alert_id, "--reason", "again", "--as", "manager").exit_code == 4
