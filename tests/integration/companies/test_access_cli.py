"""The company side of issue 15 through the CLI and the API, field by field: access, suspension
and certification on `company show`, suspend / reinstate, certify / revoke, the register of
certifications, changed-condition reports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.bootstrap import initialise
from shokei.companies.domain import CorporateNumber
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli, CliResult
from tests.factories import Office

A, B, C = (CorporateNumber.from_base(f"50202020202{n}").value for n in range(3))
COMPANY_FIELDS = {
    "id", "corporate_number", "foreign_id", "name", "name_en", "country", "industry", "capital_yen",
    "employees", "sme", "small_scale", "sme_reason", "security_compliant_until", "capabilities",
    "capacity", "financial_distress", "foreign_share_percent", "foreign_share_country", "prefecture",
    "access", "suspension", "certification",
}  # fmt: skip
REGISTER_FIELDS = {
    "corporate_number", "name", "custodian", "until", "scope", "certified_at", "certified_by", "valid",
}  # fmt: skip
REPORT_FIELDS = {
    "id", "corporate_number", "kind", "details", "owner", "owner_country", "share", "ownership_change",
    "reported_by", "reported_at", "access", "suspension",
}  # fmt: skip


def run(cli: Cli, user: str, *args: str) -> CliResult:
    return cli(*args, "--as", user)


def data(cli: Cli, user: str, *args: str) -> Any:
    return cli(*args, "--as", user, "--json").json()


def _setup(cli: Cli) -> None:
    cli("init")
    for number, name in ((A, "甲精機株式会社"), (B, "乙通信機株式会社"), (C, "丙光学株式会社")):
        added = run(cli, "admin", "company", "add", "--corporate-number", number, "--name", name)
        assert added.exit_code == 0
    run(cli, "admin", "user", "add", "pm", "--role", "program_manager")
    run(cli, "admin", "user", "add", "intake", "--role", "intake_officer")
    run(cli, "admin", "user", "add", "sup", "--role", "supplier", "--company", B)


def test_show_suspend_and_reinstate(cli: Cli) -> None:
    _setup(cli)
    shown = data(cli, "pm", "company", "show", A)
    assert set(shown) == COMPANY_FIELDS
    assert (shown["access"], shown["suspension"], shown["certification"]) == ("active", None, None)

    assert run(cli, "intake", "company", "suspend", A, "--reason", "調査のため").exit_code == 3
    assert run(cli, "pm", "company", "suspend", A, "--reason", " ").exit_code == 2
    suspended = data(cli, "pm", "company", "suspend", A, "--reason", "調査のため")
    assert suspended["access"] == "suspended"
    assert set(suspended["suspension"]) == {"reason", "cause", "since"}
    assert (suspended["suspension"]["reason"], suspended["suspension"]["cause"]) == ("調査のため", "manual")
    assert data(cli, "pm", "company", "show", A)["suspension"] == suspended["suspension"]
    assert run(cli, "pm", "company", "suspend", A, "--reason", "再度").exit_code == 4

    # Nothing on record about its ownership, finances or security: rules fail, exit 4.
    refused = run(cli, "pm", "company", "reinstate", A, "--reason", "調査終了")
    assert refused.exit_code == 4
    assert "foreign_ownership: foreign ownership not on record" in refused.stderr
    assert "security_compliance: no security compliance on record" in refused.stderr
    assert data(cli, "pm", "company", "show", A)["access"] == "suspended"

    facts = ("--security-compliant-until", "2099-12-31", "--financial-distress", "no")
    run(cli, "admin", "company", "update", A, *facts, "--foreign-share", "0", "--foreign-country", "JP")
    reinstated = data(cli, "pm", "company", "reinstate", A, "--reason", "調査終了")
    assert (reinstated["access"], reinstated["suspension"]) == ("active", None)
    assert run(cli, "pm", "company", "reinstate", A, "--reason", "調査終了").exit_code == 4  # not suspended


def test_certify_revoke_and_the_register(cli: Cli) -> None:
    _setup(cli)
    # The CLI runs on the system clock, whose dates are Japanese calendar dates (UTC+9): near
    # midnight UTC, Tokyo is already a day ahead.
    today_in_tokyo = datetime.now(timezone(timedelta(hours=9))).date()
    soon = (today_in_tokyo + timedelta(days=10)).isoformat()
    custodian = ("--custodian", "保全 太郎")
    assert run(cli, "sup", "company", "certify", A, *custodian, "--until", soon).exit_code == 3
    assert run(cli, "pm", "company", "certify", A, *custodian, "--until", "2001-01-01").exit_code == 2
    scope = ("--scope", "sonar,radar")
    certified = data(cli, "pm", "company", "certify", A, *custodian, "--until", soon, *scope)
    expected = {"custodian": "保全 太郎", "until": soon, "scope": ["radar", "sonar"]}
    assert certified["certification"] == expected
    run(cli, "intake", "company", "certify", C, "--custodian", "保全 花子", "--until", "2099-12-31")

    register = data(cli, "pm", "company", "certifications")
    assert [(line["corporate_number"], line["until"]) for line in register] == [(A, soon), (C, "2099-12-31")]
    assert set(register[0]) == REGISTER_FIELDS
    first = register[0]
    assert (first["name"], first["certified_by"], first["scope"], first["valid"]) == (
        "甲精機株式会社",
        "pm",
        ["radar", "sonar"],
        True,
    )
    expiring = data(cli, "pm", "company", "certifications", "--expiring-within", "10")
    assert [line["corporate_number"] for line in expiring] == [A]
    assert data(cli, "pm", "company", "certifications", "--expiring-within", "9") == []
    assert run(cli, "sup", "company", "certifications", "--json").exit_code == 3

    revoked = data(cli, "pm", "company", "revoke-certification", A, "--reason", "保全体制の不備")
    assert revoked["certification"] is None
    assert revoked["access"] == "active"  # it holds no copies and succeeds in no case
    assert run(cli, "pm", "company", "revoke-certification", A, "--reason", "再度").exit_code == 4
    assert [line["corporate_number"] for line in data(cli, "pm", "company", "certifications")] == [C]


def test_report_change(cli: Cli) -> None:
    _setup(cli)
    details = ("--details", "主要取引銀行が融資を停止")
    report = data(cli, "sup", "company", "report-change", B, "--kind", "financial", *details)
    assert set(report) == REPORT_FIELDS
    assert (report["corporate_number"], report["kind"], report["reported_by"]) == (B, "financial", "sup")
    assert (report["access"], report["suspension"], report["ownership_change"]) == ("active", None, None)
    assert data(cli, "pm", "company", "show", B)["financial_distress"] is True

    # Its own company only; an unknown kind or half an ownership report is refused.
    management = ("--kind", "management", "--details", "社長交代")
    assert run(cli, "sup", "company", "report-change", A, *management).exit_code == 3
    weather = ("--kind", "weather", "--details", "x")
    assert run(cli, "sup", "company", "report-change", B, *weather).exit_code == 2
    half = ("--kind", "ownership", "--details", "増資")
    assert run(cli, "sup", "company", "report-change", B, *half).exit_code == 2

    holder = ("--owner", "Pacific Crest Capital", "--owner-country", "US", "--share", "30")
    owned = data(cli, "sup", "company", "report-change", B, *half, *holder)
    assert (owned["owner"], owned["owner_country"], owned["share"]) == ("Pacific Crest Capital", "US", "30")
    assert isinstance(owned["ownership_change"], int)
    alerts = data(cli, "pm", "alerts", "list", "--company", B)
    assert sorted(alert["threshold"] for alert in alerts) == [0.01, 0.1, 0.25]


def test_the_same_through_the_api(uow: UnitOfWork, api: TestClient) -> None:
    initialise(api.app.state.shokei)  # type: ignore[attr-defined]
    office = Office(uow)
    number = office.successor_company.corporate_number
    auth = {
        n: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, n).secret}"}
        for n in ("manager", "intake", "successor")
    }
    base = f"/api/v1/companies/{number}"
    why = {"reason": "調査"}
    assert api.post(f"{base}/suspend", json=why, headers=auth["intake"]).status_code == 403
    suspended = api.post(f"{base}/suspend", json=why, headers=auth["manager"])
    assert suspended.status_code == 200
    assert suspended.json()["suspension"]["cause"] == "manual"
    assert api.post(f"{base}/reinstate", json=why, headers=auth["manager"]).status_code == 409
    office.make_eligible(office.successor_company)
    assert api.post(f"{base}/reinstate", json=why, headers=auth["manager"]).json()["access"] == "active"

    body = {"custodian": "保全 太郎", "until": "2099-12-31", "scope": ["radar"]}
    certified = api.post(f"{base}/certification", json=body, headers=auth["intake"]).json()
    assert certified["certification"] == body
    listed = api.get("/api/v1/companies/certifications?expiring_within=30000", headers=auth["manager"])
    assert [line["corporate_number"] for line in listed.json()] == [number]
    revoked = api.post(f"{base}/certification/revoke", json=why, headers=auth["manager"])
    assert revoked.json()["certification"] is None

    moved = {"kind": "location", "details": "本社移転"}
    report = api.post(f"{base}/change-reports", json=moved, headers=auth["successor"])
    assert report.status_code == 201
    assert report.json()["kind"] == "location"
    assert api.get(base, headers=auth["manager"]).json()["access"] == "active"
