"""Need-to-know between the two companies, per role, over the CLI and the API.

The successor never sees the price, the offers, the negotiation or the examiners' notes; the
supplier never sees the examiners' rationale nor which company succeeds it. The table below
classifies every field of the case view (nested fields dotted); a field the views gain and the
table does not classify fails the test, so a new field is decided on before it ships.
"""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from shokei.accounts import services as accounts
from shokei.cases import services as cases
from shokei.cases.schemas import CaseDetail
from shokei.companies import access
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from tests.conftest import Cli
from tests.factories import SELECTION_REASON, Office

SEEN = "seen"  # as the officials see it
HIDDEN = "hidden"  # blank: None, False or an empty list
# Field -> (the supplier's view, the successor's view).
TABLE: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        (
            "id",
            "state",
            "company_corporate_number",
            "company_name",
            "reason",
            "planned_exit_date",
            "days_remaining",
            "overdue",
            "version",
            "opened_at",
            "successor_selected",
            "available_transitions",
            "inventory",
            "history",
        ),
        (SEEN, SEEN),
    ),
    "successor_corporate_number": (HIDDEN, SEEN),
    "successor_name": (HIDDEN, SEEN),
    "agreed_amount_yen": (SEEN, HIDDEN),
    "offers": (SEEN, HIDDEN),
    **{f"offers.{n}": (SEEN, HIDDEN) for n in ("id", "kind", "amount_yen", "made_by", "at", "note")},
    **{
        f"inventory.{n}": (SEEN, SEEN)
        for n in ("id", "case_id", "title", "drawing_number", "revision", "component", "weapon_system")
    },
    "inventory.examined": (SEEN, SEEN),
    "inventory.document_id": (SEEN, SEEN),
    "inventory.examination_note": (HIDDEN, HIDDEN),
    **{f"history.{n}": (SEEN, SEEN) for n in ("transition", "from_state", "to_state", "actor", "role", "at")},
    # Per move: determinations hidden from both, negotiation moves from the successor, the
    # successor's selection from the supplier (checked by the secrets below).
    "history.reason": (SEEN, SEEN),
    "history.reason_text": (SEEN, SEEN),  # the same reason for the pages, hidden per move alike
    # The measures the state took after an escalation (issue 17): officials' business only.
    "measures": (HIDDEN, HIDDEN),
    **{f"measures.{n}": (HIDDEN, HIDDEN) for n in ("id", "kind", "status")},
    # A flag names the suspended company and why: the officials' alone.
    "flags": (HIDDEN, HIDDEN),
    **{
        f"flags.{n}": (HIDDEN, HIDDEN)
        for n in ("id", "kind", "corporate_number", "company_name", "involvement", "cause", "reason")
    },
    **{f"flags.{n}": (HIDDEN, HIDDEN) for n in ("raised_at", "resolved_at", "resolution", "reason_text")},
    # Who inside the ministry is assigned to the case (issue 23): absent from a company's view.
    "assigned": (HIDDEN, HIDDEN),
}
ROLES = {"supplier": 0, "successor": 1}

EXAMINER_NOTE = "審査所見-固有の熱処理工程"
RATIONALE = "判定理由-代替困難な固有技術"
OFFER_NOTE = "提示根拠-評価額の八割"
PRICE = 31_234_567
FLAG_REASON = "立入検査-保全体制の不備"
# What must never reach each company, anywhere in its view.
SECRETS = {
    "supplier": [EXAMINER_NOTE, RATIONALE, SELECTION_REASON, FLAG_REASON],
    "successor": [EXAMINER_NOTE, RATIONALE, OFFER_NOTE, str(PRICE), "2900000", FLAG_REASON],
}


def _fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every field of a view, nested views' fields dotted."""
    found = set()
    for name, info in model.model_fields.items():
        found.add(prefix + name)
        for arg in get_args(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                found |= _fields(arg, f"{prefix}{name}.")
    return found


def test_the_table_classifies_every_field_of_the_case_view() -> None:
    assert _fields(CaseDetail) == set(TABLE), "classify the new field in TABLE (and cases.domain)"


def _full_case(office: Office) -> int:
    uow = office.uow
    case = office.open_case(documents=2).id
    office.to_under_examination(case)
    for line in cases.get_case(uow, office.examiner, case).inventory:
        cases.examine_document(uow, office.examiner, case, line.id, note=EXAMINER_NOTE)
    office.move(case, "determine_protection_required", office.examiner, reason=RATIONALE)
    office.move(case, "open_negotiation", office.negotiator)
    purchase.make_offer(uow, office.negotiator, case, amount_yen=2_900_000, note=OFFER_NOTE)
    purchase.agree_purchase(uow, office.negotiator, case, amount_yen=PRICE)
    office.fund()
    office.move(case, "approve_purchase", office.manager)
    office.move(case, "start_successor_selection", office.manager)
    office.select_successor(case)
    # The successor suspended: the case is flagged (officials see the flag, neither company).
    access.suspend(uow, office.manager, office.successor_company.corporate_number or "", FLAG_REASON)
    return case


def _blank(value: Any) -> bool:
    return value in (None, False, [])


def _check(view: dict[str, Any], official: dict[str, Any], who: str) -> None:
    column = ROLES[who]
    assert "assigned" not in view, f"{who} sees who is assigned"
    assert official["assigned"], "the officials see who is assigned"
    for path, rule in TABLE.items():
        if path == "assigned" or path.endswith(".reason_text"):
            continue  # reason_text is not in the JSON (the pages' copy of the reason)
        if "." in path:
            outer, inner = path.split(".")
            pairs = list(zip(view[outer], official[outer], strict=False))
            seen = [(v[inner], o[inner]) for v, o in pairs]
        else:
            seen = [(view[path], official[path])]
        for mine, theirs in seen:
            if rule[column] == HIDDEN:
                assert _blank(mine), f"{who} sees {path}: {mine!r}"
            elif path in ("inventory", "offers", "history"):
                assert len(mine) == len(theirs) > 0, f"{who} does not see {path}"
            elif path != "history.reason":
                assert mine == theirs, f"{who} does not see {path}"
    text = json.dumps(view, ensure_ascii=False)
    for secret in SECRETS[who]:
        assert secret not in text, f"{who} sees {secret!r}"


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return Office(uow)


def test_each_company_sees_its_share_of_the_case_over_the_cli(uow: UnitOfWork, cli: Cli) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    case = _full_case(office)
    official = cli("case", "show", str(case), "--as", "manager", "--json").json()
    assert isinstance(official, dict)
    assert official["agreed_amount_yen"] == PRICE
    assert [flag["reason"] for flag in official["flags"]] == [FLAG_REASON]
    assert official["successor_name"]
    for who in ROLES:
        view = cli("case", "show", str(case), "--as", who, "--json").json()
        assert isinstance(view, dict)
        assert set(view) == set(official) - {"assigned"}
        assert view["successor_selected"] is True
        _check(view, official, who)
        listed = cli("case", "list", "--as", who, "--json").json()
        assert [c["id"] for c in listed] == [case]  # type: ignore[union-attr,index]
        for secret in SECRETS[who]:
            assert secret not in json.dumps(listed, ensure_ascii=False)
        # Purchase and examination views are the officials' alone.
        assert cli("purchase", "show", str(case), "--as", who).exit_code == 3
        assert cli("exam", "show", str(case), "--as", who).exit_code == 3
    # The companies' human form too.
    shown = cli("case", "show", str(case), "--as", "supplier")
    assert office.successor_company.name not in shown.stdout
    assert "selected" in shown.stdout
    assert f"{PRICE:,}" not in cli("case", "show", str(case), "--as", "successor").stdout


def test_each_company_sees_its_share_of_the_case_over_the_api(uow: UnitOfWork, api: TestClient) -> None:
    office = Office(uow)
    case = _full_case(office)
    auth = {
        n: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, n).secret}"}
        for n in ("supplier", "successor", "manager", "auditor")
    }
    official = api.get(f"/api/v1/cases/{case}", headers=auth["manager"]).json()
    assert api.get(f"/api/v1/cases/{case}", headers=auth["auditor"]).json() == official
    assert official["history"][-1]["reason"] == SELECTION_REASON
    for who in ROLES:
        response = api.get(f"/api/v1/cases/{case}", headers=auth[who])
        assert response.status_code == 200, response.text
        view = response.json()
        assert set(view) == set(official) - {"assigned"}
        _check(view, official, who)
        for path in ("purchase", "purchase/valuation", "examination"):
            assert api.get(f"/api/v1/cases/{case}/{path}", headers=auth[who]).status_code == 403, path
    supplier = api.get(f"/api/v1/cases/{case}", headers=auth["supplier"]).json()
    assert [h["reason"] for h in supplier["history"] if h["transition"].startswith("determine")] == [None]
    assert any(o["note"] == OFFER_NOTE for o in supplier["offers"])
    successor = api.get(f"/api/v1/cases/{case}", headers=auth["successor"]).json()
    assert successor["successor_name"] == office.successor_company.name
    assert successor["history"][-1]["reason"] == SELECTION_REASON
