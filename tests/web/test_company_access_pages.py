"""The company page shows access, suspension and certification; a program manager suspends and
reinstates from it, in Japanese or English; nobody else sees the buttons or may post them."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI

from shokei.companies import access
from shokei.companies import services as companies
from shokei.companies.domain import SuspensionCause
from shokei.errors import N_, Text
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office
from tests.web.conftest import as_user


def test_a_program_manager_suspends_and_reinstates_from_the_company_page(
    uow: UnitOfWork, app: FastAPI, office: Office
) -> None:
    number = office.successor_company.corporate_number
    office.make_eligible(office.successor_company)
    access.certify(uow, office.manager, number or "", custodian="保全 太郎", until=date(2026, 12, 31))
    page = f"/companies/{number}"

    manager = as_user(app, "manager")
    shown = manager.get(page).text
    assert 'data-access="active"' in shown
    assert "保全 太郎" in shown
    assert "アクセスを停止" in shown  # the Japanese label by default
    assert manager.post(f"{page}/suspend", {"reason": ""}).status_code == 303  # refused: a reason is needed
    assert 'data-access="active"' in manager.get(page).text

    assert manager.post(f"{page}/suspend", {"reason": "調査のため"}).status_code == 303
    shown = manager.get(page).text
    assert 'data-access="suspended"' in shown
    assert "調査のため" in shown
    assert "職員による停止" in shown  # the cause, translated
    assert "アクセスを回復" in shown

    assert manager.post(f"{page}/reinstate", {"reason": "調査終了"}).status_code == 303
    assert 'data-access="active"' in manager.get(page).text

    manager.post("/language", {"lang": "en", "next": page})
    english = manager.get(page).text
    assert "Access to design documents" in english
    assert ">Suspend</button>" in english

    examiner = as_user(app, "examiner")
    assert "アクセスを停止" not in examiner.get(page).text
    examiner.post(f"{page}/suspend", {"reason": "勝手に"})
    assert 'data-access="active"' in manager.get(page).text


def test_a_suspension_by_the_system_reads_in_the_viewers_language(
    uow: UnitOfWork, app: FastAPI, office: Office
) -> None:
    """The reason is stored as a catalogue message: Japanese on the page, English in the JSON."""
    number = office.successor_company.corporate_number or ""
    reason = Text(
        N_("leak incident %(incident)s: above the holder of copy %(copy)s in its chain"),
        {"incident": 7, "copy": 12},
    )
    with uow:
        access.suspend(uow, office.manager, number, reason, SuspensionCause.LEAK)
    manager = as_user(app, "manager")
    shown = manager.get(f"/companies/{number}").text
    assert "漏えい事案 7: 複製 12 の保有者の上流" in shown
    assert "leak incident" not in shown
    assert "msgid" not in shown
    view = companies.get_company(uow, office.manager, number).model_dump(mode="json")
    assert view["suspension"]["reason"] == "leak incident 7: above the holder of copy 12 in its chain"
    assert "reason_text" not in view["suspension"]
