"""Answers are commercially sensitive: a respondent reads only its own answer and its own tasks,
over the command line and HTTP; officials read them all. Also the CLI contract's JSON and exit
codes (exit 2 with every problem and nothing applied)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.kernel.unit_of_work import UnitOfWork
from tests import factories
from tests.conftest import Cli
from tests.integration.supply_chain import survey_scenario as scenario
from tests.integration.supply_chain.test_survey import run_campaign


def test_a_respondent_reads_only_its_own_answer_and_tasks_on_the_command_line(
    uow: UnitOfWork, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cast = scenario.build(uow, tmp_path / "map")
    n = cast.number
    created = cli(
        "survey",
        "create",
        "--system",
        "FX-1",
        "--due",
        "2099-12-31",
        "--respondents",
        f"{n('A')},{n('B')},{n('C')}",
        "--as",
        "intake",
        "--json",
    ).json()
    assert created == {"id": created["id"], "status": "open"}  # type: ignore[index]
    survey_id = str(created["id"])  # type: ignore[index]
    form = tmp_path / "form-a.xlsx"
    assert cli("survey", "template", survey_id, "--out", str(form), "--as", "user-a").exit_code == 0
    assert form.read_bytes().startswith(b"PK")

    faulty = tmp_path / "b.xlsx"
    faulty.write_bytes(scenario.faulty_answer_of_b(cast))
    refused = cli("survey", "answer", survey_id, str(faulty), "--as", "user-b", "--json")
    body = json.loads(refused.stdout)
    assert refused.exit_code == 2
    assert (body["accepted"], body["applied"], len(body["problems"])) == (False, {}, 5)
    assert set(body["problems"][0]) == {"sheet", "row", "column", "message"}
    assert "a part cannot contain itself" in body["problems"][0]["message"]
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")  # the same problems in the user's language
    japanese = json.loads(cli("survey", "answer", survey_id, str(faulty), "--as", "user-b", "--json").stdout)
    assert "循環しています: P-BLADE → P-ENGINE → P-BLADE" in japanese["problems"][0]["message"]
    monkeypatch.delenv("LANG")

    answer = tmp_path / "a.xlsx"
    answer.write_bytes(scenario.answer_of_a(cast))
    accepted = cli("survey", "answer", survey_id, str(answer), "--as", "user-a", "--json").json()
    assert accepted["accepted"] is True  # type: ignore[index]
    assert cli("survey", "cascade", survey_id, "--to", f"{n('D')},{n('E')}", "--as", "user-a").exit_code == 0

    # B may not read A's answer; A reads its own; an official reads it.
    assert cli("survey", "show-answer", survey_id, n("A"), "--as", "user-b", "--json").exit_code == 3
    assert cli("survey", "show-answer", survey_id, n("A"), "--as", "user-a", "--json").exit_code == 0
    assert cli("survey", "show-answer", survey_id, n("A"), "--as", "auditor", "--json").exit_code == 0
    # A respondent's status shows its own task only; an official sees the whole tree.
    own = cli("survey", "status", survey_id, "--as", "user-d", "--json").json()
    assert [(r["corporate_number"], r["tier"], r["status"], r["asked_by"]) for r in own["respondents"]] == [  # type: ignore[index]
        (n("D"), 2, "pending", n("A"))
    ]
    whole = cli("survey", "status", survey_id, "--as", "intake", "--json").json()
    assert len(whole["respondents"]) == 5  # type: ignore[index]
    # A respondent cannot close the survey; an official can.
    assert cli("survey", "close", survey_id, "--as", "user-a").exit_code == 3
    closed = cli("survey", "close", survey_id, "--as", "intake", "--json").json()
    assert closed["unanswered"] == sorted([n("B"), n("C"), n("D"), n("E")])  # type: ignore[index]
    shown = cli("system", "show", "FX-1", "--as", "auditor", "--json").json()
    assert {key: shown[key] for key in ("code", "companies", "foreign")} == {  # type: ignore[index]
        "code": "FX-1",
        "companies": 6,  # A, B, C (map), D, E (A's answer) and US-4471
        "foreign": 1,
    }
    assert shown["survey"]["answered"] == 1  # type: ignore[index]
    assert shown["survey"]["unanswered"] == 4  # type: ignore[index]


def test_a_respondent_reads_only_its_own_answer_over_http(
    uow: UnitOfWork, api: TestClient, tmp_path: Path
) -> None:
    cast = scenario.build(uow, tmp_path / "map")
    survey_id = run_campaign(uow, cast)
    admin = factories.admin(uow)

    def auth(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {accounts.issue_token(uow, admin, name).secret}"}

    n = cast.number
    url = f"/api/v1/supply/surveys/{survey_id}"
    assert api.get(f"{url}/answers/{n('A')}", headers=auth("user-b")).status_code == 403
    own = api.get(f"{url}/answers/{n('A')}", headers=auth("user-a"))
    assert own.status_code == 200
    assert {row["supplier"] for row in own.json()["supply"]} == {n("A"), n("D"), n("E"), "US-4471"}
    assert api.get(f"{url}/answers/{n('A')}", headers=auth("intake")).status_code == 200
    tasks = api.get("/api/v1/supply/surveys/tasks", headers=auth("user-d")).json()
    assert [(t["campaign_id"], t["tier"], t["status"]) for t in tasks] == [(survey_id, 2, "answered")]
    status = api.get(url, headers=auth("user-d")).json()
    assert [r["corporate_number"] for r in status["respondents"]] == [n("D")]
    faulty = api.post(
        f"{url}/answers",
        headers=auth("user-b"),
        files={"file": ("b.xlsx", scenario.faulty_answer_of_b(cast))},
    )
    assert faulty.status_code == 422
    assert len(faulty.json()["problems"]) == 5
    assert "unknown component P-NOPE" in faulty.json()["problems"][2]["message"]
    japanese = api.post(
        f"{url}/answers",
        headers={**auth("user-b"), "Accept-Language": "ja"},
        files={"file": ("b.xlsx", scenario.faulty_answer_of_b(cast))},
    )
    assert [p["column"] for p in japanese.json()["problems"]] == [
        p["column"] for p in faulty.json()["problems"]
    ]
    assert "不明な部品 P-NOPE" in japanese.json()["problems"][2]["message"]
    base = api.get("/api/v1/risk/systems/FX-1/supplier-base", headers=auth("auditor"))
    assert base.status_code == 200
    assert api.get("/api/v1/risk/systems/FX-1/supplier-base", headers=auth("user-a")).status_code == 403


def test_the_campaign_list_and_the_supplier_base_export_are_for_officials_over_http(
    uow: UnitOfWork, api: TestClient, tmp_path: Path
) -> None:
    cast = scenario.build(uow, tmp_path / "map")
    survey_id = run_campaign(uow, cast)
    admin = factories.admin(uow)

    def auth(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {accounts.issue_token(uow, admin, name).secret}"}

    listed = api.get("/api/v1/supply/surveys", headers=auth("intake"))
    assert listed.status_code == 200
    assert [(c["id"], c["system"], c["respondents"], c["by_status"]) for c in listed.json()] == [
        (survey_id, "FX-1", 5, {"answered": 3, "pending": 2})  # A, B, D answered; C, E pending
    ]
    assert api.get("/api/v1/supply/surveys", headers=auth("user-a")).status_code == 403
    url = "/api/v1/risk/systems/FX-1/supplier-base/export"
    exported = api.get(url, params={"format": "csv"}, headers=auth("auditor"))
    assert exported.status_code == 200
    assert exported.text.splitlines()[0] == (
        "supplier,name,country,foreign,tier,sole_source,sme,foreign_influenced,on_watchlist,risk_score"
    )
    assert len(exported.text.splitlines()) == 1 + 7  # the seven suppliers of test_survey.py
    assert api.get(url, params={"format": "xlsx"}, headers=auth("auditor")).content.startswith(b"PK")
    assert api.get(url, params={"format": "csv"}, headers=auth("user-a")).status_code == 403
    assert api.get(url, params={"format": "pdf"}, headers=auth("auditor")).status_code == 422
