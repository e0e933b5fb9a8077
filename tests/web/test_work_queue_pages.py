"""Work queues and the inbox in the pages: each role's dashboard opens on what is waiting for that
user, overdue duties are marked and the program manager sees every party's breach (also on the
case page); my notices are listed with read and unread and one is marked read by a form; every
page's header counts my duties and my unread notices."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import FastAPI

from shokei.clock import FixedClock
from shokei.deadlines import services as deadlines
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications import services as notifications
from tests.conftest import TEST_NOW
from tests.factories import Office
from tests.web.conftest import as_user


def _first_panel(html: str) -> str:
    """The first box of the dashboard grid."""
    grid = html.split('class="dashboard-grid"', 1)[1]
    return grid.split("</section>", 1)[0]


def _count(html: str, path: str) -> str:
    found = re.search(rf'data-count="{path}">[^<]*<span class="count-badge">(\d+)</span>', html)
    assert found, f"no count for {path} in the header"
    return found.group(1)


def test_each_roles_dashboard_opens_on_its_own_queue(uow: UnitOfWork, app: FastAPI, office: Office) -> None:
    case = office.open_case()

    supplier = _first_panel(as_user(app, "supplier").get("/").text)
    assert 'id="work-queue"' in supplier
    assert "設計文書の提出" in supplier
    assert f'href="/cases/{case.id}">案件{case.id}</a>' in supplier
    assert "2026/07/01" in supplier or "2026年7月1日" in supplier
    assert "あと30日" in supplier
    for official in ("intake", "examiner", "negotiator", "manager", "auditor"):
        first = _first_panel(as_user(app, official).get("/").text)
        assert 'id="work-queue"' in first, official
        assert "あなたの対応を待っている事項はありません。" in first, official
    successor = _first_panel(as_user(app, "successor").get("/").text)
    assert "あなたの対応を待っている事項はありません。" in successor

    office.move(case.id, "submit", office.supplier)
    intake = _first_panel(as_user(app, "intake").get("/").text)
    assert "提出内容の確認と審査の開始" in intake
    assert "あと14日" in intake
    supplier_after = _first_panel(as_user(app, "supplier").get("/").text)
    assert "あなたの対応を待っている事項はありません。" in supplier_after


def test_overdue_duties_are_marked_and_the_manager_sees_the_breach(
    uow: UnitOfWork, clock: FixedClock, app: FastAPI, office: Office
) -> None:
    case = office.open_case()
    clock.at = TEST_NOW + timedelta(days=35)  # due on day 30
    assert deadlines.sweep(uow).flagged == 1

    supplier = as_user(app, "supplier")
    first = _first_panel(supplier.get("/").text)
    assert 'class="row-overdue" data-duty="hand_in"' in first
    assert "期限超過 5日" in first
    assert _count(supplier.get("/cases").text, "/duties") == "1"

    manager = as_user(app, "manager")
    queue = _first_panel(manager.get("/").text)
    assert "全関係者の期限超過" in queue
    assert "設計文書の提出" in queue
    assert "期限超過をプログラムマネージャーに通知済み" in queue
    case_page = manager.get(f"/cases/{case.id}").text
    assert 'data-box="duties"' in case_page
    assert "この案件の期限が過ぎています。プログラムマネージャーに通知済みです。" in case_page
    # The manager was told of the breach: its notice is unread in every page's header.
    assert _count(manager.get("/cases").text, "/notifications") == "1"
    # Another company's user sees neither the duty nor the case.
    assert "設計文書の提出" not in as_user(app, "successor").get("/").text


def test_the_inbox_lists_notices_and_marks_one_read(uow: UnitOfWork, app: FastAPI, office: Office) -> None:
    case = office.open_case()
    [notice] = notifications.inbox(uow, office.supplier)
    supplier = as_user(app, "supplier")

    page = supplier.get("/notifications").text
    assert "未読 1件" in page
    assert f'<tr class="row-unread" data-notice="{notice.id}">' in page
    assert f'href="/cases/{case.id}">【承継】案件{case.id}: 設計文書の提出をお願いします' in page
    assert _count(page, "/notifications") == "1"

    # Without the form's token the post is refused; another user's notice is not found.
    assert supplier.post(f"/notifications/{notice.id}/read", token=False).status_code == 403
    assert as_user(app, "intake").post(f"/notifications/{notice.id}/read").status_code == 404
    assert notifications.inbox(uow, office.supplier)[0].read is False

    response = supplier.post(f"/notifications/{notice.id}/read")
    assert (response.status_code, response.headers["location"]) == (303, "/notifications")
    page = supplier.get("/notifications").text
    assert "お知らせを既読にしました。" in page
    assert "未読 0件" in page
    assert "row-unread" not in page
    assert notifications.inbox(uow, office.supplier)[0].read is True
    assert _count(page, "/notifications") == "0"
