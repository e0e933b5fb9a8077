"""The pages through a case's life, as each role sees them (TestClient; the browser test does
the same in Chromium)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import Markup

from shokei.cases import services as cases
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.risk import services as risk
from shokei.web.registry import DASHBOARD, Box, BoxContext, FeaturePages, render_boxes
from tests.factories import Office
from tests.web.conftest import Browser, as_user, fund_purchases


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _notify_and_upload(app: FastAPI, office: Office, pdfs: list[Path]) -> tuple[Browser, int]:
    supplier = as_user(app, "supplier")
    form = supplier.get("/cases/new")
    assert office.withdrawing.name in form.text
    assert 'name="company"' not in form.text
    created = supplier.post("/cases", {"reason": "factory_closure", "planned_exit_date": "2026-09-30"})
    assert created.status_code == 303
    case_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert "案件 1 として受け付けました" in supplier.get(f"/cases/{case_id}").text
    upload = supplier.get(f"/cases/{case_id}/upload")
    assert 'id="upload-form"' in upload.text
    assert "/static/js/upload.js" in upload.text
    files = [("files", (p.name, p.read_bytes(), "application/pdf")) for p in pdfs]
    result = supplier.client.post(
        f"/cases/{case_id}/files", files=files, headers={"X-CSRF-Token": supplier.token or ""}
    )
    assert result.status_code == 201, result.text
    assert "3件のファイルを保管しました。" in result.text
    office.assign_officials(case_id)  # the program manager assigns the officials who work it
    return supplier, case_id


def _pdfs(sample_files: Path) -> list[Path]:
    return [sample_files / name for name in ("one-page.pdf", "four-pages.pdf", "memo.pdf")]


def test_a_supplier_notifies_exit_uploads_describes_and_submits(
    uow: UnitOfWork, office: Office, app: FastAPI, sample_files: Path
) -> None:
    supplier, case_id = _notify_and_upload(app, office, _pdfs(sample_files))
    table = supplier.get(f"/cases/{case_id}/documents", headers={"HX-Request": "true"})
    assert "<html" not in table.text
    assert table.text.count("/documents/") == 3
    document = int(re.findall(r'href="/documents/(\d+)"', table.text)[0])
    page = supplier.get(f"/documents/{document}")
    assert "このファイルの目録情報" in page.text
    # The format and the extracted metadata by their display names, values as read, never reprs.
    metadata = page.text.split('id="metadata-title"', 1)[1].split("</section>", 1)[0]
    assert "<dt>ページ数</dt>" in metadata
    assert "<dt>PDFのバージョン</dt>" in metadata
    assert "page_count" not in metadata
    assert "{&#39;" not in metadata
    assert "[&#39;" not in metadata
    saved = supplier.post(
        f"/documents/{document}",
        {
            "title": "機関銃部品図",
            "drawing_number": "MG-17-004",
            "revision": "C",
            "component": "遊底",
            "weapon_system": "機関銃",
        },
    )
    assert saved.status_code == 303
    assert "MG-17-004" in supplier.get(f"/cases/{case_id}").text
    submitted = supplier.post(f"/cases/{case_id}/transitions", {"name": "submit"})
    assert submitted.status_code == 303
    page = supplier.get(f"/cases/{case_id}")
    assert "「書類を提出する」を実行しました。現在の状態：書類提出済" in page.text
    assert cases.get_case(uow, office.intake, case_id).state == "documents_submitted"


def test_officials_take_the_case_to_hand_over(
    uow: UnitOfWork, office: Office, app: FastAPI, sample_files: Path
) -> None:
    _, case_id = _notify_and_upload(app, office, _pdfs(sample_files))
    cases.transition_case(uow, office.supplier, case_id, "submit")
    intake = as_user(app, "intake")
    assert "審査を開始する" in intake.get(f"/cases/{case_id}").text
    assert intake.post(f"/cases/{case_id}/transitions", {"name": "start_examination"}).status_code == 303

    examiner = as_user(app, "examiner")
    page = examiner.get(f"/cases/{case_id}")
    lines = re.findall(rf"/cases/{case_id}/inventory/(\d+)/examination", page.text)
    assert len(lines) == 3
    for line in lines:
        assert (
            examiner.post(
                f"/cases/{case_id}/inventory/{line}/examination", {"note": "固有技術を含む"}
            ).status_code
            == 303
        )
    determined = examiner.post(
        f"/cases/{case_id}/transitions",
        {"name": "determine_protection_required", "reason": "潜水艦用アンテナの固有技術"},
    )
    assert determined.status_code == 303

    negotiator = as_user(app, "negotiator")
    negotiator.post(f"/cases/{case_id}/transitions", {"name": "open_negotiation"})
    negotiator.post(
        f"/cases/{case_id}/offers", {"kind": "offer", "amount": "４０，０００，０００", "note": "初回"}
    )
    negotiator.post(f"/cases/{case_id}/offers", {"kind": "agreement", "amount": "¥48,500,000"})
    page = negotiator.get(f"/cases/{case_id}")
    assert "¥48,500,000" in page.text
    assert "4,850万円" in page.text
    assert "¥40,000,000" in page.text

    manager = as_user(app, "manager")
    # The budget page comes with the purchase feature's pages; the appropriation is set here.
    fund_purchases(uow, office.manager)
    for name in ("approve_purchase", "start_successor_selection"):
        response = manager.post(f"/cases/{case_id}/transitions", {"name": name})
        assert response.status_code == 303, name
        shown = manager.get(f"/cases/{case_id}").text
        assert "message-success" in shown, (name, re.findall(r'class="message [^"]*"[^>]*>[^<]*<', shown))
    # Selection, acceptance and release are the succession feature's steps (its own forms; the
    # whole of them in tests/web/test_succession_pages.py).
    number = office.successor_company.corporate_number or ""
    office.make_eligible(office.successor_company)
    selected = manager.post(f"/cases/{case_id}/successor", {"corporate_number": number, "reason": "加工実績"})
    assert selected.status_code == 303
    assert "message-success" in manager.get(f"/cases/{case_id}").text
    successor = as_user(app, "successor")
    assert successor.post(f"/cases/{case_id}/terms/acceptance", {"agree": "true"}).status_code == 303
    assert manager.post(f"/cases/{case_id}/handover/release", {}).status_code == 303
    assert "message-success" in manager.get(f"/cases/{case_id}").text
    assert cases.get_case(uow, office.manager, case_id).state == "handed_over"

    dashboard = successor.get("/")
    assert "貴社に引き渡された案件" in dashboard.text
    assert f"/cases/{case_id}" in dashboard.text

    auditor = as_user(app, "auditor")
    page = auditor.get(f"/cases/{case_id}")
    assert "この案件の監査台帳記録" in page.text
    assert "case:status:change" in page.text
    assert "document:file:submit" in page.text
    assert "case:offer:agreement" in auditor.get("/audit?action=case:offer:agreement").text


def test_a_refused_step_comes_back_with_the_reason(office: Office, app: FastAPI) -> None:
    supplier = as_user(app, "supplier")
    case = office.open_case(documents=0)
    response = supplier.post(
        f"/cases/{case.id}/transitions",
        {"name": "submit"},
        headers={"Referer": f"http://testserver/cases/{case.id}"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{case.id}"
    assert "「書類を提出する」はできません：文書目録が空です" in supplier.get(f"/cases/{case.id}").text


def test_a_stale_page_cannot_move_a_case_twice(office: Office, app: FastAPI) -> None:
    intake = as_user(app, "intake")
    case = office.open_case()
    stale = case.version
    office.move(case.id, "submit", office.supplier)
    response = intake.post(
        f"/cases/{case.id}/transitions", {"name": "start_examination", "version": str(stale)}
    )
    assert response.status_code == 303
    assert (
        "他の利用者" in intake.get(f"/cases/{case.id}").text
        or "version" in intake.get(f"/cases/{case.id}").text
    )


def test_htmx_gets_the_fragment_and_a_browser_the_page(office: Office, app: FastAPI) -> None:
    office.open_case()
    intake = as_user(app, "intake")
    full = intake.get("/cases?q=退出")
    fragment = intake.get("/cases?q=退出", headers={"HX-Request": "true"})
    assert "<html" in full.text
    assert "<html" not in fragment.text
    assert fragment.text.strip() in full.text.replace("\n", "\n")
    assert "HX-Request" in fragment.headers["vary"]
    assert "0件" in intake.get("/cases?q=存在しない会社", headers={"HX-Request": "true"}).text


def test_every_dashboard_slot_is_filled_by_its_feature(office: Office, app: FastAPI) -> None:
    # Budget, watchlist and alerts have their pages now: no role sees a waiting box any more
    # (how a waiting box stands in for a missing feature is checked just below).
    manager = as_user(app, "manager").get("/")
    assert re.findall(r'data-pending="([a-z_]+)"', manager.text) == []
    assert "2026年度" in manager.text
    for role in ("supplier", "auditor", "examiner"):
        assert "data-pending" not in as_user(app, role).get("/").text


def test_a_feature_fills_its_slot_when_its_pages_arrive(office: Office, app: FastAPI) -> None:
    from fastapi import APIRouter

    budget = FeaturePages(
        name="purchase",
        router=APIRouter(),
        boxes=(Box(DASHBOARD, "budget", lambda context: Markup("<p>予算</p>")),),
    )
    with TestClient(app) as client:
        request = client.app  # noqa: F841 - only the app's state is needed below
    context = BoxContext(request=None, shokei=None, actor=office.manager, today=date(2026, 6, 1))  # type: ignore[arg-type]
    boxes = render_boxes([budget], DASHBOARD, context)
    assert [(box.slot, box.html) for box in boxes] == [
        ("budget", Markup("<p>予算</p>")),
        ("risk_watchlist", None),
        ("alerts", None),
        ("designations_expiring", None),
    ]
    assert render_boxes([], DASHBOARD, BoxContext(None, None, office.supplier, date(2026, 6, 1))) == []  # type: ignore[arg-type]


def test_english_pages(office: Office, app: FastAPI) -> None:
    case = office.open_case()
    intake = as_user(app, "intake")
    intake.post("/language", {"lang": "en", "next": f"/cases/{case.id}"})
    page = _main(intake.get(f"/cases/{case.id}").text)
    assert "Exit notified" in page
    assert "Factory closure" in page
    assert "Wed 30 Sep 2026" in page
    assert not re.search(r"[\u3040-\u30ff]", page.replace("退出工業株式会社", "").replace("部品図", "")), (
        "no Japanese UI text left"
    )


def test_a_role_change_takes_effect_on_the_next_request(
    uow: UnitOfWork, office: Office, app: FastAPI
) -> None:
    from shokei.accounts import services as accounts

    auditor = as_user(app, "auditor")
    assert auditor.get("/audit").status_code == 200
    accounts.change_role(uow, office.admin, "auditor", Role.EXAMINER.value)
    assert auditor.get("/audit").status_code == 403


def test_every_state_transition_and_reason_has_a_label() -> None:
    from shokei.cases import pages
    from shokei.cases.domain import CaseState, ExitReason, TransitionName

    assert set(CaseState) <= set(pages.STATE_LABELS)
    assert set(TransitionName) <= set(pages.TRANSITION_ACTIONS)
    assert set(TransitionName) | {"open"} <= set(pages.TRANSITION_EVENTS)
    assert set(ExitReason) <= set(pages.REASON_LABELS)


def test_the_dashboard_watchlist_box_shows_the_last_recorded_run(office: Office, app: FastAPI) -> None:
    def box() -> str:
        found = re.search(r'<section[^>]*data-box="risk_watchlist".*?</section>', auditor.get("/").text, re.S)
        assert found is not None
        return found.group(0)

    auditor = as_user(app, "auditor")
    assert "記録された算出結果はまだありません" in box()
    risk.watchlist(office.uow, office.manager, record=True)
    shown = box()
    assert "manager が記録した算出結果（2社）" in shown
    live = [entry.corporate_number for entry in risk.watchlist(office.uow, office.auditor, top=5)]
    assert re.findall(r'<tr data-corporate-number="(\d+)"', shown) == live
