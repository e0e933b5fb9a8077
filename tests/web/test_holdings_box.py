"""The company page shows the holdings register (the succession feature's box): the cases a
company is involved in and as what, to officials and auditors only."""

from __future__ import annotations

from fastapi import FastAPI

from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office
from tests.web.conftest import as_user


def test_the_company_page_shows_holdings_to_officials(uow: UnitOfWork, app: FastAPI, office: Office) -> None:
    case_id = office.open_case().id
    office.to_successor_selection(case_id)
    office.select_successor(case_id)
    page = f"/companies/{office.successor_company.corporate_number}"

    shown = as_user(app, "manager").get(page).text
    assert 'data-box="holdings"' in shown
    assert "保有する複製と関与する案件" in shown
    assert "この企業は複製を保有していません。" in shown
    assert f'data-case-id="{case_id}" data-as="successor"' in shown
    supplier_page = f"/companies/{office.withdrawing.corporate_number}"
    assert f'data-case-id="{case_id}" data-as="supplier"' in as_user(app, "auditor").get(supplier_page).text
    assert 'data-box="holdings"' not in as_user(app, "successor").get(page).text
