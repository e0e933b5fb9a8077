"""Officials' need-to-know inside the ministry (issue 23, finding 2): officials are assigned to
cases; only assigned officials see a case and read its contents; program managers and auditors
see every case's metadata and read contents where assigned or after a recorded break-glass,
which the other program managers are told of. Over the CLI and the API, on both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.audit import services as audit
from shokei.cases import services as cases
from shokei.cases.domain.assignment import ContentAccess
from shokei.clock import FixedClock
from shokei.errors import Conflict, Forbidden
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications import services as notifications
from tests.conftest import Cli
from tests.factories import Office, user

PLAINTEXT = "防衛装備品 整合回路の調整手順 第三版"
EXAMINER_NOTE = "審査所見-固有の熱処理工程"


def _submitted(cli: Cli, case: int, tmp_path: Path) -> int:
    note = tmp_path / "note.txt"
    note.write_text(PLAINTEXT, encoding="utf-8")
    submitted = cli("docs", "submit", str(case), str(note), "--as", "supplier", "--json").json()
    return int(submitted["documents"][0]["id"])  # type: ignore[index]


def _listed(cli: Cli, who: str) -> list[int]:
    return [c["id"] for c in cli("case", "list", "--as", who, "--json").json()]  # type: ignore[union-attr,index]


def _read(cli: Cli, document: int, who: str, out: Path) -> int:
    return cli("docs", "get", str(document), "--out", str(out), "--reason", "確認", "--as", who).exit_code


def test_an_unassigned_examiner_neither_lists_the_case_nor_reads_its_documents(
    uow: UnitOfWork, cli: Cli, tmp_path: Path
) -> None:
    """The red team's finding: any examiner listed every case and read any document's plaintext
    with a one-character reason."""
    assert cli("init").exit_code == 0
    office = Office(uow)
    case = office.open_case(documents=0).id
    document = _submitted(cli, case, tmp_path)
    user(uow, Role.EXAMINER, name="examiner2")
    out = tmp_path / "copy.txt"

    assert _listed(cli, "examiner2") == []
    refused = cli("docs", "get", str(document), "--out", str(out), "--reason", "x", "--as", "examiner2")
    assert refused.exit_code == 3
    assert "not assigned" in refused.stderr
    assert not out.exists()
    for command in (("case", "show"), ("exam", "show"), ("purchase", "show")):
        shown = cli(*command, str(case), "--as", "examiner2")
        assert shown.exit_code == 3, command
        assert "not assigned" in shown.stderr, command
    assert cli("docs", "list", str(case), "--as", "examiner2", "--json").exit_code == 3

    # The examiner the case is assigned to lists it and reads the document.
    assert _listed(cli, "examiner") == [case]
    assert _read(cli, document, "examiner", out) == 0
    assert out.read_text(encoding="utf-8") == PLAINTEXT


def test_a_program_manager_assigns_and_unassigns_on_the_ledger(
    uow: UnitOfWork, cli: Cli, tmp_path: Path
) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    case = office.open_case(documents=0).id
    document = _submitted(cli, case, tmp_path)
    user(uow, Role.EXAMINER, name="examiner2")
    out = tmp_path / "copy.txt"

    # Only a program manager assigns; the refusal names the assignment.
    refused = cli("case", "assign", str(case), "--user", "examiner2", "--as", "examiner")
    assert refused.exit_code == 3
    assert "program manager" in refused.stderr
    assert cli("case", "assign", str(case), "--user", "supplier", "--as", "manager").exit_code == 2
    bad_role = cli(
        "case", "assign", str(case), "--user", "examiner2", "--role-on-case", "boss", "--as", "manager"
    )
    assert bad_role.exit_code == 2

    assigned = cli(
        "case",
        "assign",
        str(case),
        "--user",
        "examiner2",
        "--role-on-case",
        "examiner",
        "--as",
        "manager",
        "--json",
    ).json()
    assert {"user": "examiner2", "role_on_case": "examiner", "assigned_by": "manager"}.items() <= assigned[
        -1
    ].items()  # type: ignore[index]
    assert cli("case", "assign", str(case), "--user", "examiner2", "--as", "manager").exit_code == 4
    assert _listed(cli, "examiner2") == [case]
    shown = cli("case", "show", str(case), "--as", "examiner2", "--json").json()
    assert "examiner2" in shown["assigned"]  # type: ignore[index,operator]
    assert set(shown["assigned"]) == {"intake", "examiner", "negotiator", "manager", "auditor", "examiner2"}  # type: ignore[index,arg-type]
    assert _read(cli, document, "examiner2", out) == 0
    out.unlink()

    assert cli("case", "unassign", str(case), "--user", "examiner2", "--as", "manager").exit_code == 0
    assert _listed(cli, "examiner2") == []
    assert _read(cli, document, "examiner2", out) == 3
    assert not out.exists()
    assert cli("case", "unassign", str(case), "--user", "examiner2", "--as", "manager").exit_code == 3

    assigns = audit.list_entries(uow, office.auditor, action="case:assignment:assign")
    unassigns = audit.list_entries(uow, office.auditor, action="case:assignment:unassign")
    assert [(e.subject_id, e.actor) for e in assigns if e.event["after"]["user"] == "examiner2"] == [
        (str(case), "manager")
    ]
    assert [(e.subject_id, e.actor, e.event["before"]["user"]) for e in unassigns] == [
        (str(case), "manager", "examiner2")
    ]


def test_companies_see_no_assignment_and_an_opening_intake_officer_is_assigned(
    uow: UnitOfWork, cli: Cli
) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    case = office.open_case(documents=0).id
    for who in ("supplier",):
        assert "assigned" not in cli("case", "show", str(case), "--as", who, "--json").json()  # type: ignore[operator]
    user(uow, Role.INTAKE_OFFICER, name="intake2")
    opened = cli(
        "case",
        "open",
        "--company",
        office.withdrawing.corporate_number or "",
        "--reason",
        "other",
        "--exit-date",
        "2026-12-31",
        "--as",
        "intake2",
        "--json",
    ).json()
    assert opened["assigned"] == ["intake2"]  # type: ignore[index]
    assert _listed(cli, "intake2") == [opened["id"]]  # type: ignore[index]
    assert opened["id"] not in _listed(cli, "intake")  # type: ignore[index]
    entries = audit.list_entries(uow, office.auditor, action="case:assignment:assign")
    assert [(e.subject_id, e.actor) for e in entries if e.actor == "intake2"] == [
        (str(opened["id"]), "intake2")
    ]  # type: ignore[index]


def test_managers_and_auditors_see_metadata_and_break_glass_alerts_the_other_managers(
    uow: UnitOfWork, cli: Cli, tmp_path: Path
) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    case = office.open_case(documents=1).id
    document = _submitted(cli, case, tmp_path)
    office.to_under_examination(case)
    line = cases.get_case(uow, office.examiner, case).inventory[0]
    cases.examine_document(uow, office.examiner, case, line.id, note=EXAMINER_NOTE)
    user(uow, Role.PROGRAM_MANAGER, name="manager2")
    user(uow, Role.AUDITOR, name="auditor2")
    out = tmp_path / "copy.txt"

    for who in ("manager2", "auditor2"):
        assert case in _listed(cli, who)
        shown = cli("case", "show", str(case), "--as", who, "--json").json()
        assert shown["state"] == "under_examination"  # type: ignore[index]
        assert EXAMINER_NOTE not in str(shown)
        assert _read(cli, document, who, out) == 3
        closed = cli("exam", "show", str(case), "--as", who)
        assert closed.exit_code == 3
        assert "break-glass" in closed.stderr
    assert EXAMINER_NOTE in str(cli("case", "show", str(case), "--as", "manager", "--json").json())
    assert cli("case", "break-glass", str(case), "--reason", "x", "--as", "auditor2").exit_code == 2
    assert (
        cli("case", "break-glass", str(case), "--reason", "漏えい調査のため", "--as", "examiner").exit_code
        == 3
    )

    before = {
        name: len(notifications.inbox(uow, accounts.actor_for_username(uow, name)))
        for name in ("manager", "manager2")
    }
    opened = cli("case", "break-glass", str(case), "--reason", "漏えい調査のため", "--as", "auditor2")
    assert opened.exit_code == 0, opened.stderr
    assert _read(cli, document, "auditor2", out) == 0
    assert out.read_text(encoding="utf-8") == PLAINTEXT
    assert cli("exam", "show", str(case), "--as", "auditor2").exit_code == 0
    assert EXAMINER_NOTE in str(cli("case", "show", str(case), "--as", "auditor2", "--json").json())
    assert _read(cli, document, "manager2", out) == 3  # one's break-glass opens nothing to another

    # Every program manager is told, in the app; the reason and who are in the notice.
    for name in ("manager", "manager2"):
        inbox = notifications.inbox(uow, accounts.actor_for_username(uow, name))
        assert len(inbox) == before[name] + 1
        assert inbox[0].link == f"/cases/{case}"
        assert "auditor2" in inbox[0].subject
    entries = audit.list_entries(uow, office.auditor, action="case:access:break_glass")
    assert [(e.subject_id, e.actor, e.event["details"]["reason"]) for e in entries] == [
        (str(case), "auditor2", "漏えい調査のため")
    ]

    # A program manager's own break-glass tells the others, not themselves.
    manager2 = accounts.actor_for_username(uow, "manager2")
    own = len(notifications.inbox(uow, manager2))
    assert (
        cli("case", "break-glass", str(case), "--reason", "予算執行の確認", "--as", "manager2").exit_code == 0
    )
    assert len(notifications.inbox(uow, manager2)) == own
    assert "manager2" in notifications.inbox(uow, office.manager)[0].subject
    assert _read(cli, document, "manager2", out) == 0


def test_break_glass_opens_the_contents_for_a_day_only(uow: UnitOfWork, clock: FixedClock) -> None:
    office = Office(uow)
    case = office.open_case(documents=0).id
    auditor2 = user(uow, Role.AUDITOR, name="auditor2")
    assert cases.content_access_of(uow, auditor2, case) is ContentAccess.NONE
    with pytest.raises(Forbidden):
        cases.require_contents(uow, auditor2, case)
    assert cases.break_glass(uow, auditor2, case, "会計検査対応") is ContentAccess.BREAK_GLASS
    with pytest.raises(Conflict):  # the assigned need none
        cases.break_glass(uow, office.auditor, case, "会計検査対応")
    clock.at += timedelta(hours=23)
    assert cases.require_contents(uow, auditor2, case) is ContentAccess.BREAK_GLASS
    clock.at += timedelta(hours=2)
    with pytest.raises(Forbidden):
        cases.require_contents(uow, auditor2, case)
    assert cases.content_access_of(uow, office.auditor, case) is ContentAccess.ASSIGNED


def test_assignment_over_the_api(uow: UnitOfWork, api: TestClient) -> None:
    office = Office(uow)
    case = office.open_case(documents=0).id
    user(uow, Role.NEGOTIATOR, name="negotiator2")
    auth = {
        n: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, n).secret}"}
        for n in ("manager", "negotiator2", "supplier", "negotiator")
    }
    assert api.get("/api/v1/cases", headers=auth["negotiator2"]).json() == []
    refused = api.get(f"/api/v1/cases/{case}", headers=auth["negotiator2"])
    assert refused.status_code == 403
    assert "not assigned" in refused.json()["detail"]
    assert api.get(f"/api/v1/cases/{case}/purchase", headers=auth["negotiator2"]).status_code == 403
    body = {"user": "negotiator2", "role_on_case": "negotiator"}
    assert (
        api.post(f"/api/v1/cases/{case}/assignments", headers=auth["negotiator"], json=body).status_code
        == 403
    )
    made = api.post(f"/api/v1/cases/{case}/assignments", headers=auth["manager"], json=body)
    assert made.status_code == 201, made.text
    assert "negotiator2" in [a["user"] for a in made.json()]
    assert [c["id"] for c in api.get("/api/v1/cases", headers=auth["negotiator2"]).json()] == [case]
    shown = api.get(f"/api/v1/cases/{case}", headers=auth["negotiator2"]).json()
    assert "negotiator2" in shown["assigned"]
    assert "assigned" not in api.get(f"/api/v1/cases/{case}", headers=auth["supplier"]).json()
    listed = api.get(f"/api/v1/cases/{case}/assignments", headers=auth["negotiator2"]).json()
    assert {a["user"] for a in listed} >= {"negotiator2", "manager"}
    gone = api.delete(f"/api/v1/cases/{case}/assignments/negotiator2", headers=auth["manager"])
    assert gone.status_code == 200, gone.text
    assert api.get("/api/v1/cases", headers=auth["negotiator2"]).json() == []
    glass = api.post(
        f"/api/v1/cases/{case}/break-glass", headers=auth["negotiator2"], json={"reason": "確認のため"}
    )
    assert glass.status_code == 403
