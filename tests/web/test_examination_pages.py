"""The examination in the pages: the case page's scores, evidence and determination for every
role, the examiner's scoring form (really recorded, read back through the services), refusals
back to the form, CSRF, and no inline script or style.

Expected values come from the published policy 2022.1 worked by hand (docs/examination.md):
weights criticality 30, disclosure 25, uniqueness 20, export control 10, package 10, age 5.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from shokei.accounts import services as accounts_services
from shokei.cases import services as cases
from shokei.clock import FixedClock
from shokei.documents import services as documents
from shokei.examination import services as examination
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import TEST_NOW, _empty_all_tables
from tests.factories import Office, user
from tests.web.conftest import _FAST_HASHER, Browser, as_user, web_shokei

ROLES = ["supplier", "successor", "intake", "examiner", "negotiator", "manager", "auditor", "admin"]
READERS = {"intake", "examiner", "negotiator", "manager", "auditor"}
OK, SEE_OTHER, FORBIDDEN, MISSING = 200, 303, 403, 404

# criticality 2, disclosure 3, uniqueness 2, export control 3, package 4, age 4:
# 30·2/5 + 25·3/5 + 20·2/5 + 10·3/3 + 10·4/4 + 5·4/4 = 12 + 15 + 8 + 10 + 10 + 5 = 60 (the threshold)
AT_THRESHOLD = {
    "criticality": "2",
    "disclosure": "3",
    "uniqueness": "2",
    "export_control": "3",
    "package_completeness": "4",
    "age": "4",
}
# all zero except criticality 1: 30·1/5 = 6 points
LOW = dict.fromkeys(AT_THRESHOLD, "0") | {"criticality": "1"}


def score_form(
    document_id: int, values: dict[str, str], rationale: str = "固有の設計を含む"
) -> dict[str, str]:
    return {"document_id": str(document_id), "rationale": rationale} | {
        f"criterion_{name}": value for name, value in values.items()
    }


def main_of(html: str) -> str:
    return html.split("<main", 1)[1]


@dataclass
class World:
    office: Office
    app: FastAPI
    browsers: dict[str, Browser]
    case: int  # under examination, one stored PDF and two paper documents


@pytest.fixture(scope="module")
def world(engine: Engine, tmp_path_factory: pytest.TempPathFactory, sample_files: Path) -> Iterator[World]:
    uow = UnitOfWork(engine, FixedClock(TEST_NOW))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_services.records, "_hasher", _FAST_HASHER)
        office = Office(uow)
        case = office.open_case()
        shokei = web_shokei(uow, tmp_path_factory.mktemp("exam") / "var")
        documents.submit_documents(
            uow,
            shokei.vault(),
            office.supplier,
            case.id,
            [sample_files / "one-page.pdf"],
            scratch_dir=shokei.scratch_dir,
        )
        office.to_under_examination(case.id)
        from shokei.app import create_app

        app = create_app(shokei)
        yield World(office, app, {role: as_user(app, role) for role in ROLES}, case.id)
    _empty_all_tables(engine)


def _fresh_case(world: World) -> int:
    case = world.office.open_case().id
    world.office.to_under_examination(case)
    return case


def _lines(world: World, case: int) -> list[int]:
    return [line.id for line in cases.get_case(world.office.uow, world.office.intake, case).inventory]


# -- the case page's box, per role -----------------------------------------------------------

CASE_PAGE = {"supplier": OK, "successor": MISSING, "admin": FORBIDDEN} | dict.fromkeys(READERS, OK)


@pytest.mark.parametrize("role", ROLES)
def test_the_examination_box_per_role(world: World, role: str) -> None:
    response = world.browsers[role].get(f"/cases/{world.case}")
    assert response.status_code == CASE_PAGE[role]
    html = main_of(response.text) if response.status_code == OK else response.text
    shows_box = 'id="examination"' in html
    assert shows_box is (role in READERS)
    assert (f'action="/cases/{world.case}/examination/scores"' in html) is (role == "examiner")
    assert (f'action="/cases/{world.case}/examination/override"' in html) is (role == "manager")
    assert 'data-pending="examination"' not in html, "the slot is filled, no waiting box"
    if shows_box:
        # the policy's criteria with their labels, the evidence panel and the stored file's facts
        assert "装備品への重要度" in html  # the criterion's label, from the catalogue
        assert "サプライチェーン" in html  # the supply-chain part of the evidence panel
        assert 'href="/documents/' in html  # the stored file, linked from its document
        assert "名中0名が採点済み" in html  # the scores still missing, in Japanese
        assert "examiners' scores" not in html


def test_the_scoring_form_lists_every_criterion_with_its_scale(world: World) -> None:
    html = main_of(world.browsers["examiner"].get(f"/cases/{world.case}").text)
    line = _lines(world, world.case)[0]
    for name, top in (
        ("criticality", 5),
        ("disclosure", 5),
        ("uniqueness", 5),
        ("export_control", 3),
        ("package_completeness", 4),
        ("age", 4),
    ):
        select = re.search(
            rf'<select id="score-{line}-{name}" name="criterion_{name}"[^>]*>(.*?)</select>', html, re.S
        )
        assert select, name
        options = re.findall(r'<option value="(\d+)"', select.group(1))
        assert options == [str(n) for n in range(top + 1)], name
        assert re.search(rf'<label for="score-{line}-{name}">', html), f"{name} has a label"


# -- forms × roles -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_scoring_per_role(world: World, role: str) -> None:
    case = _fresh_case(world)
    line = _lines(world, case)[0]
    response = world.browsers[role].post(f"/cases/{case}/examination/scores", score_form(line, AT_THRESHOLD))
    expected = SEE_OTHER if role == "examiner" else FORBIDDEN
    assert response.status_code == expected, response.text[-400:]
    scored = examination.get_examination(world.office.uow, world.office.auditor, case).documents[0].scores
    assert len(scored) == (1 if role == "examiner" else 0)


@pytest.mark.parametrize("role", ROLES)
def test_determining_per_role(world: World, role: str) -> None:
    case = _fresh_case(world)
    for line in _lines(world, case):
        examination.score_document(
            world.office.uow,
            world.office.examiner,
            case,
            line,
            values={k: int(v) for k, v in AT_THRESHOLD.items()},
            rationale="r",
        )
    response = world.browsers[role].post(
        f"/cases/{case}/examination/determination", {"rationale": "審査の結果"}
    )
    assert response.status_code == (SEE_OTHER if role == "examiner" else FORBIDDEN)
    state = cases.get_case(world.office.uow, world.office.intake, case).state
    assert state == ("protection_required" if role == "examiner" else "under_examination")


@pytest.mark.parametrize("role", ROLES)
def test_overriding_per_role(world: World, role: str) -> None:
    case = _fresh_case(world)
    response = world.browsers[role].post(
        f"/cases/{case}/examination/override", {"determination": "protection_required", "reason": "政策判断"}
    )
    assert response.status_code == (SEE_OTHER if role == "manager" else FORBIDDEN)
    overrides = examination.get_examination(world.office.uow, world.office.auditor, case).overrides
    assert len(overrides) == (1 if role == "manager" else 0)


# -- the form really records, and refusals come back to it -------------------------------------


def test_scores_are_recorded_and_shown(world: World) -> None:
    case = _fresh_case(world)
    first, second = _lines(world, case)
    examiner = world.browsers["examiner"]
    assert (
        examiner.post(f"/cases/{case}/examination/scores", score_form(first, AT_THRESHOLD)).status_code == 303
    )
    assert (
        examiner.post(f"/cases/{case}/examination/scores", score_form(second, LOW, "汎用品")).status_code
        == 303
    )
    view = examination.get_examination(world.office.uow, world.office.auditor, case)
    by_line = {doc.id: doc for doc in view.documents}
    recorded = by_line[first].scores[0]
    assert recorded.examiner == "examiner"
    assert recorded.values == {k: int(v) for k, v in AT_THRESHOLD.items()}
    assert recorded.weighted_score == 60.0
    assert recorded.rationale == "固有の設計を含む"
    assert by_line[second].scores[0].weighted_score == 6.0
    assert view.proposed is not None
    assert view.proposed.determination == "protection_required"

    page = main_of(world.browsers["auditor"].get(f"/cases/{case}").text)
    assert "60.00" in page
    assert "6.00" in page
    assert "汎用品" in page
    # the auditor reads, never scores
    assert "/examination/scores" not in page


def test_the_examiner_determines_by_the_policy(world: World) -> None:
    case = _fresh_case(world)
    examiner = world.browsers["examiner"]
    for line in _lines(world, case):
        examiner.post(f"/cases/{case}/examination/scores", score_form(line, AT_THRESHOLD))
    response = examiner.post(f"/cases/{case}/examination/determination", {"rationale": "閾値に到達"})
    assert response.status_code == 303
    view = examination.get_examination(world.office.uow, world.office.auditor, case)
    assert view.determination is not None
    assert view.determination.determination == "protection_required"
    assert view.determination.rule == "score_threshold"
    assert view.determination.policy_version == "2022.1"
    page = main_of(world.browsers["manager"].get(f"/cases/{case}").text)
    assert "閾値に到達" in page
    assert "加重評点が基準点以上" in page  # the deciding rule, in words
    assert "2022.1" in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (AT_THRESHOLD | {"age": ""}, "すべての審査基準"),  # our own check: every criterion chosen
        # The policy's scale and its completeness: the service's refusals, in Japanese.
        (AT_THRESHOLD | {"criticality": "9"}, "評価の範囲外です"),
        ({k: v for k, v in AT_THRESHOLD.items() if k != "age"}, "全ての評価項目を採点します。未採点：age"),
    ],
)
def test_bad_scores_come_back_to_the_form(world: World, values: dict[str, str], message: str) -> None:
    case = _fresh_case(world)
    line = _lines(world, case)[0]
    examiner = world.browsers["examiner"]
    referer = {"referer": f"http://testserver/cases/{case}"}
    response = examiner.post(f"/cases/{case}/examination/scores", score_form(line, values), headers=referer)
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{case}"
    page = examiner.get(f"/cases/{case}").text
    assert "message-error" in page
    assert message in page
    assert examination.get_examination(world.office.uow, world.office.auditor, case).documents[0].scores == []


def test_a_rationale_is_required(world: World) -> None:
    case = _fresh_case(world)
    line = _lines(world, case)[0]
    examiner = world.browsers["examiner"]
    referer = {"referer": f"http://testserver/cases/{case}"}
    examiner.post(f"/cases/{case}/examination/scores", score_form(line, AT_THRESHOLD, "  "), headers=referer)
    assert "採点には根拠の記載が必要です" in examiner.get(f"/cases/{case}").text


def test_scoring_outside_the_examination_is_a_conflict_shown_on_the_form(world: World) -> None:
    case = world.office.open_case().id  # notified: not under examination
    line = _lines(world, case)[0]
    examiner = world.browsers["examiner"]
    referer = {"referer": f"http://testserver/cases/{case}"}
    response = examiner.post(
        f"/cases/{case}/examination/scores", score_form(line, AT_THRESHOLD), headers=referer
    )
    assert response.status_code == 303
    page = examiner.get(f"/cases/{case}").text
    assert "message-error" in page
    assert "文書の審査は案件が審査中のときに行います" in page
    assert f'action="/cases/{case}/examination/scores"' not in page, "no form outside the examination"


def test_a_conflicted_examiner_is_refused(world: World) -> None:
    case = _fresh_case(world)
    line = _lines(world, case)[0]
    conflicted = user(world.office.uow, Role.EXAMINER, name="examiner-kin")
    world.office.assign_officials(case, conflicted)  # assigned: the conflict is what refuses
    examination.declare_interest(
        world.office.uow,
        conflicted,
        company=world.office.withdrawing.corporate_number or "",
        relationship="family",
    )
    response = as_user(world.app, conflicted.username).post(
        f"/cases/{case}/examination/scores", score_form(line, AT_THRESHOLD)
    )
    assert response.status_code == 403
    assert "利益相反" in response.text
    assert examination.get_examination(world.office.uow, world.office.auditor, case).documents[0].scores == []


# -- CSRF and page hygiene ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/cases/{case}/examination/scores", score_form(1, AT_THRESHOLD)),
        ("/cases/{case}/examination/determination", {"rationale": "x"}),
        ("/cases/{case}/examination/override", {"determination": "protection_required", "reason": "x"}),
    ],
)
def test_forms_without_the_token_are_refused(world: World, path: str, form: dict[str, str]) -> None:
    case = _fresh_case(world)
    role = "manager" if path.endswith("override") else "examiner"
    browser = world.browsers[role]
    target = path.format(case=case)
    data = form | ({"document_id": str(_lines(world, case)[0])} if "document_id" in form else {})
    assert browser.post(target, data, token=False).status_code == 403
    assert browser.post(target, data | {"csrf_token": "forged"}, token=False).status_code == 403
    view = examination.get_examination(world.office.uow, world.office.auditor, case)
    assert view.documents[0].scores == []
    assert view.overrides == []
    assert view.determination is None


@pytest.mark.parametrize("role", sorted(READERS))
def test_no_inline_script_or_style(world: World, role: str) -> None:
    response = world.browsers[role].get(f"/cases/{world.case}")
    html = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html


def test_the_box_reads_in_english(world: World) -> None:
    browser = as_user(world.app, "examiner")
    browser.post("/language", {"lang": "en", "next": "/"})
    html = main_of(browser.get(f"/cases/{world.case}").text)
    assert "Criticality to weapon systems" in html
    assert "Record the scores" in html


def test_evidence_that_cannot_be_read_is_said_plainly(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A supply-chain answer the examination cannot weigh: the case page still opens, the box says
    why nothing is shown, and no score or determination is made up."""
    from shokei.supply_chain import services as supply_chain

    monkeypatch.setattr(supply_chain, "exit_impact_evidence", lambda uow, actor, company_id: object())
    response = world.browsers["examiner"].get(f"/cases/{world.case}")
    assert response.status_code == 200
    box = main_of(response.text).split('id="examination"', 1)[1].split("</section>", 1)[0]
    assert "審査の判断材料を取得できないため、表示できません。" in box
    assert "供給網の証拠がweapon_systems or single_source_componentsを欠くobjectとして届いた" in box
    assert "/examination/scores" not in box


def test_one_numbering_on_screen_each_number_named_for_what_it_counts(world: World) -> None:
    """Issue 21: the inventory line's number and the stored file's number are two different
    counters; wherever the case page shows one it names which (目録番号, 保管ファイル番号), and the
    stored file's own page gives the same file number."""
    detail = cases.get_case(world.office.uow, world.office.intake, world.case)
    stored = next(line for line in detail.inventory if line.document_id is not None)
    html = main_of(world.browsers["examiner"].get(f"/cases/{world.case}").text)
    assert f"目録番号 {stored.id} · 保管ファイル番号 {stored.document_id}" in html  # the inventory table
    assert f'<a href="/documents/{stored.document_id}">保管ファイル番号 {stored.document_id}</a>' in html
    for line in detail.inventory:
        assert f"目録番号 {line.id}" in html
    # the missing scores name the inventory number, as the headings do
    assert f"目録番号{stored.id}（" in html
    assert not re.search(r"文書 ?\d", html), "a bare 'document N' leaves the counter unnamed"
    page = main_of(world.browsers["examiner"].get(f"/documents/{stored.document_id}").text)
    assert f"保管ファイル番号 {stored.document_id}" in page
