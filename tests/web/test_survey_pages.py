"""The survey pages, both roles: officials open a campaign, follow the tree of who asked whom and
close it; a respondent's user sees only its own tasks, downloads the form, uploads an answer
(a refused one reported by sheet, row and column in Japanese, nothing applied), forwards the
survey, and can never read another respondent's answer. The data is survey_scenario.py's."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import httpx
from fastapi import FastAPI
from openpyxl import load_workbook

from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain.survey import services as survey
from tests import factories
from tests.integration.supply_chain import survey_scenario as scenario
from tests.integration.supply_chain.test_survey import run_campaign
from tests.web.conftest import Browser, as_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(browser: Browser, campaign: int, name: str, data: bytes) -> httpx.Response:
    """What upload.js sends: the file as multipart, the CSRF token as a header."""
    browser.get(f"/surveys/{campaign}")
    assert browser.token is not None
    return browser.client.post(
        f"/surveys/{campaign}/answers",
        files={"files": (name, data)},
        headers={"X-CSRF-Token": browser.token},
    )


def _main(response: httpx.Response) -> str:
    return response.text.split("<main", 1)[1]


def test_an_official_opens_follows_and_closes_a_campaign(
    uow: UnitOfWork, app: FastAPI, tmp_path: Path
) -> None:
    cast = scenario.build(uow, tmp_path / "map")
    n = cast.number
    intake = as_user(app, "intake")
    assert 'href="/surveys"' in intake.get("/").text  # in the main menu
    page = intake.get("/surveys")
    assert page.status_code == 200
    assert "調査はまだ開始されていません" in page.text
    opened = intake.post(
        "/surveys",
        {"system": "FX-1", "due_on": "2026-06-30", "respondents": f"{n('A')}\n{n('B')}, {n('C')}"},
    )
    assert opened.status_code == 303, opened.text
    campaign = int(opened.headers["location"].rsplit("/", 1)[1])
    shown = intake.get(opened.headers["location"])
    assert "message-success" in shown.text
    assert shown.text.count('data-status="pending"') == 3

    # A answers and forwards to D and E; D answers; B never sends a valid answer; C is silent.
    survey.answer_survey(uow, cast.users["A"], campaign, "a.xlsx", scenario.answer_of_a(cast))
    survey.cascade(uow, cast.users["A"], campaign, [n("D"), n("E")])
    survey.answer_survey(uow, cast.users["D"], campaign, "d.csv", scenario.answer_of_d(cast))
    tree = intake.get(f"/surveys/{campaign}").text
    a_node = tree.split(f'data-respondent="{n("A")}"', 1)[1].split(f'data-respondent="{n("B")}"', 1)[0]
    assert f'data-respondent="{n("D")}" data-tier="2"' in a_node  # D and E are nested under A
    assert f'data-respondent="{n("E")}" data-tier="2"' in a_node
    assert re.search(r'data-figure="answered">2<', tree)
    assert re.search(r'data-figure="pending">3<', tree)
    assert f'href="/surveys/{campaign}/answers/{n("A")}"' in tree
    listed = intake.get("/surveys").text
    assert f'data-campaign="{campaign}"' in listed
    assert 'href="/systems/FX-1"' in listed

    assert intake.get(f"/surveys/{campaign}/answers/{n('A')}").status_code == 200
    template = intake.get(f"/surveys/{campaign}/template")
    assert (template.status_code, template.headers["content-type"]) == (200, XLSX)

    closed = intake.post(f"/surveys/{campaign}/close", {})
    assert closed.status_code == 303
    after = intake.get(f"/surveys/{campaign}")
    assert "無回答 3社" in after.text  # B, C and E
    assert re.search(r'data-figure="unanswered">3<', after.text)
    assert "/close" not in _main(after)  # no closing form on a closed survey

    auditor = as_user(app, "auditor")
    assert auditor.get(f"/surveys/{campaign}").status_code == 200
    assert "/close" not in _main(auditor.get(f"/surveys/{campaign}"))
    assert auditor.post(f"/surveys/{campaign}/close", {}).status_code == 403  # auditors read, never close


def test_a_respondent_answers_is_refused_then_accepted_and_forwards(
    uow: UnitOfWork, app: FastAPI, tmp_path: Path
) -> None:
    cast = scenario.build(uow, tmp_path / "map")
    n = cast.number
    campaign = survey.create_campaign(
        uow, cast.users["intake"], "FX-1", due_on=scenario.DUE, respondents=[n("A"), n("B"), n("C")]
    ).id
    b = as_user(app, "user-b")
    dashboard = b.get("/").text
    assert 'data-box="survey_tasks"' in dashboard
    assert f'href="/surveys/{campaign}"' in dashboard
    tasks = b.get("/surveys")
    assert tasks.status_code == 200
    assert tasks.text.count("data-campaign=") == 1
    task = b.get(f"/surveys/{campaign}")
    assert "P-ENGINE" in task.text
    assert n("A") not in _main(task)  # no other respondent
    assert n("C") not in _main(task)
    form = b.get(f"/surveys/{campaign}/template")
    assert form.status_code == 200
    book = load_workbook(BytesIO(form.content))
    assert [row[3] for row in book["supply"].iter_rows(min_row=2, values_only=True)] == ["P-ENGINE"]

    refused = _upload(b, campaign, "b.xlsx", scenario.faulty_answer_of_b(cast))
    assert refused.status_code == 422
    assert 'data-report="refused"' in refused.text
    rows = re.findall(r'data-sheet="(\w+)" data-row="(\d+)" data-column="(\w*)"', refused.text)
    assert rows == [
        ("bom", "2", "child_part_number"),
        ("supply", "3", "corporate_number"),
        ("supply", "4", "part_number"),
        ("supply", "5", "part_number"),
        ("supply", "7", "share"),
    ]
    for japanese in (
        "循環しています: P-BLADE → P-ENGINE → P-BLADE",
        f"正しくは{n('G')[0]}です",
        "不明な部品 P-NOPE",
        "重複しています（最初は2行目）",
        "シェアの合計が110%で、100%を超えています",
        "何も反映していません",
    ):
        assert japanese in refused.text, japanese
    assert "expected" not in refused.text
    assert "unknown component" not in refused.text
    status = survey.campaign_status(uow, cast.users["intake"], campaign)
    assert {r.corporate_number: r.status for r in status.respondents}[n("B")] == "pending"

    accepted = _upload(b, campaign, "b2.xlsx", scenario.correct_answer_of_b(cast))
    assert accepted.status_code == 201
    assert 'data-report="accepted"' in accepted.text
    assert f'name="to" value="{n("G")}"' in accepted.text  # G may now be asked in turn
    b.get(f"/surveys/{campaign}")
    forwarded = b.post(f"/surveys/{campaign}/cascade", {"to": n("G")})
    assert forwarded.status_code == 303
    assert "message-success" in b.get(forwarded.headers["location"]).text
    status = survey.campaign_status(uow, cast.users["intake"], campaign)
    assert {(r.corporate_number, r.tier, r.asked_by) for r in status.respondents if r.tier == 2} == {
        (n("G"), 2, n("B"))
    }
    refused_forward = b.post(f"/surveys/{campaign}/cascade", {"to": n("C")})  # not named by B
    assert refused_forward.status_code == 303
    assert "message-error" in b.get(refused_forward.headers["location"]).text


def test_a_respondent_never_sees_another_respondents_answer_on_the_pages(
    uow: UnitOfWork, app: FastAPI, tmp_path: Path
) -> None:
    cast = scenario.build(uow, tmp_path / "map")
    n = cast.number
    campaign = run_campaign(uow, cast)
    b = as_user(app, "user-b")
    other = b.get(f"/surveys/{campaign}/answers/{n('A')}")
    assert other.status_code == 403
    assert "US-4471" not in other.text
    assert n("E") not in _main(other)
    assert b.get(f"/surveys/{campaign}/answers/{n('B')}").status_code == 200
    own_task = _main(b.get(f"/surveys/{campaign}"))
    assert n("A") not in own_task
    assert "US-4471" not in own_task
    e = as_user(app, "user-e")  # asked by A: sees its task, not A's answer that named it
    assert e.get(f"/surveys/{campaign}/answers/{n('A')}").status_code == 403
    assert "P-SPAR" not in _main(e.get(f"/surveys/{campaign}"))
    # A company that is not asked at all: no task, no status, no form, no answer.
    outsider = factories.company(uow, "部外工業株式会社").corporate_number or ""
    factories.user(uow, Role.SUPPLIER, outsider, "user-x")
    x = as_user(app, "user-x")
    assert "data-campaign=" not in x.get("/surveys").text
    for path in ("", "/template", f"/answers/{n('A')}"):
        assert x.get(f"/surveys/{campaign}{path}").status_code == 403, path
    # Officials' list and closing are not for respondents.
    assert "data-campaign" not in b.get("/surveys").text.replace(f'data-campaign="{campaign}"', "")
    assert b.post(f"/surveys/{campaign}/close", {}).status_code == 403
