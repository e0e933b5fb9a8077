"""Need-to-know on the case page (issue 15), the third adapter beside the CLI and the API
(tests/integration/cases/test_need_to_know.py, whose case and secrets this reuses): neither
company's page carries the price, the offers, the examiners' notes or rationale, the flags, and
the supplier's page does not name its successor; the officials' page shows them."""

from __future__ import annotations

from fastapi import FastAPI

from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office
from tests.integration.cases.test_need_to_know import (
    FLAG_REASON,
    OFFER_NOTE,
    PRICE,
    SECRETS,
    _full_case,
)
from tests.web.conftest import as_user

# As the pages print amounts: ¥31,234,567 and 3,123万円 (the offer: ¥2,900,000, 290万円).
PRINTED: dict[str, list[str]] = {"supplier": [], "successor": [f"{PRICE:,}", "3,123万", "2,900,000", "290万"]}


def test_each_company_sees_its_share_on_the_case_page(uow: UnitOfWork, app: FastAPI) -> None:
    office = Office(uow)
    case = _full_case(office)
    successor_name = office.successor_company.name

    official = as_user(app, "manager").get(f"/cases/{case}")
    assert official.status_code == 200
    for shown in (FLAG_REASON, successor_name, f"{PRICE:,}"):
        assert shown in official.text, shown

    for who in ("supplier", "successor"):
        page = as_user(app, who).get(f"/cases/{case}")
        assert page.status_code == 200, page.text
        for secret in (*SECRETS[who], *PRINTED[who]):
            assert secret not in page.text, f"{who} sees {secret!r} on the case page"
        assert 'id="flags"' not in page.text
    supplier = as_user(app, "supplier").get(f"/cases/{case}").text
    assert successor_name not in supplier
    assert OFFER_NOTE in supplier or f"{PRICE:,}" in supplier  # the supplier does see its price talk
    assert successor_name in as_user(app, "successor").get(f"/cases/{case}").text
