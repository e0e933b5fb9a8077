"""The interface contract of issue 17 (measures half) through the `shokei` command line, on the
real clock: escalate, measure decide, budget --line facilities, facility acquire / entrust /
transfer / report / list, case show's measures."""

from __future__ import annotations

from typing import Any

from shokei.kernel.unit_of_work import UnitOfWork
from tests import factories
from tests.conftest import Cli
from tests.factories import Office


def _json(cli: Cli, *args: str) -> Any:
    return cli(*args, "--json").json()


def test_escalation_measure_and_facility_through_the_cli(uow: UnitOfWork, cli: Cli) -> None:
    office = Office(uow)
    case = str(office.open_case().id)
    escalated = _json(
        cli, "case", "transition", case, "escalate", "--reason", "文書の提出期限を徒過", "--as", "manager"
    )
    assert escalated["state"] == "escalated"

    measure = _json(
        cli,
        "measure",
        "decide",
        case,
        "--kind",
        "facility_acquisition",
        "--reason",
        "国が取得",
        "--as",
        "manager",
    )
    assert set(measure) == {"id", "kind", "status"}
    assert (measure["kind"], measure["status"]) == ("facility_acquisition", "decided")
    shown = _json(cli, "case", "show", case, "--as", "manager")
    assert shown["state"] == "measure_taken"
    assert shown["measures"] == [{"id": measure["id"], "kind": "facility_acquisition", "status": "decided"}]

    budget = [
        "budget",
        "set",
        "--fy",
        "2024",
        "--amount",
        "300000000",
        "--line",
        "facilities",
        "--as",
        "manager",
    ]
    assert cli(*budget).exit_code == 0
    facility = _json(
        cli, "facility", "acquire", str(measure["id"]), "--name", "第三工場", "--prefecture", "静岡県",
        "--price", "120000000", "--date", "2024-10-01", "--equipment", "熱処理炉", "--equipment", "検査装置",
        "--as", "manager",
    )  # fmt: skip
    assert facility["status"] == "state_held"
    assert facility["equipment"] == ["熱処理炉", "検査装置"]
    line = _json(cli, "budget", "show", "--fy", "2024", "--line", "facilities", "--as", "auditor")
    assert (line["committed"], line["available"]) == (120_000_000, 180_000_000)
    purchases = cli("budget", "show", "--fy", "2024", "--json", "--as", "auditor")
    assert purchases.exit_code == 0
    assert purchases.json()["lines"] == []  # type: ignore[index]
    refused = cli("facility", "acquire", str(measure["id"]), "--name", "x", "--prefecture", "静岡県",
                  "--price", "200000000", "--date", "2024-10-01", "--as", "manager")  # fmt: skip
    assert refused.exit_code == 4
    assert "budget exhausted" in refused.stderr

    stranger = factories.company(uow, "未審査工業株式会社").corporate_number or ""
    entrust = ["facility", "entrust", str(facility["id"]), "--until", "2031-03-31", "--terms", "維持管理"]
    ineligible = cli(*entrust, "--to", stranger, "--as", "manager")
    assert ineligible.exit_code == 4
    assert "security_compliance" in ineligible.stderr
    office.make_eligible(office.successor_company)
    operator = office.successor_company.corporate_number or ""
    entrusted = _json(cli, *entrust, "--to", operator, "--as", "manager")
    assert entrusted["status"] == "entrusted"

    report = _json(cli, "facility", "report", "--fy", "2024", "--as", "auditor")
    assert [(e["facility_id"], e["due"], e["overdue"]) for e in report] == [
        (facility["id"], "2025-06-30", True)
    ]
    assert _json(cli, "facility", "report", "--fy", "2023", "--as", "auditor") == []

    transferred = _json(
        cli, "facility", "transfer", str(facility["id"]), "--to", operator, "--price", "90000000",
        "--date", "2025-09-30", "--as", "manager",
    )  # fmt: skip
    assert transferred["status"] == "transferred"
    listed = _json(cli, "facility", "list", "--as", "auditor")
    assert [(f["id"], f["status"]) for f in listed] == [(facility["id"], "transferred")]
    assert _json(cli, "case", "show", case, "--as", "manager")["measures"][0]["status"] == "completed"
    assert cli("audit", "verify", "--json", "--as", "auditor").exit_code == 0
    # The program report replays the facilities line from the ledger beside the purchases line.
    program = _json(cli, "report", "program", "--fy", "2024", "--as", "auditor")
    assert program["budget"]["facilities"]["appropriated"] == 300_000_000
    assert program["budget"]["facilities"]["committed"] == 120_000_000
