"""Auditors see a case whole: the case page's ledger section holds every entry concerning the
case, including those recorded on subjects of their own (the budget's commitment and payment,
the copies' issue and downloads), and none about another case."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI

from shokei.bootstrap import Shokei
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import services as succession
from tests.factories import Office
from tests.web.conftest import as_user
from tests.web.test_succession_pages import case_awaiting_selection, release


def _ledger_section(page: str) -> str:
    found = re.search(r'<section class="panel" id="ledger".*?</section>', page, re.S)
    assert found is not None
    return found.group(0)


def _actions(section: str) -> list[str]:
    return re.findall(r'<code class="hint">([a-z_]+:[a-z_:]+)</code>', section)


def test_the_case_ledger_section_holds_money_copies_downloads_and_documents(
    uow: UnitOfWork, shokei: Shokei, app: FastAPI, office: Office, tmp_path: Path
) -> None:
    office.make_eligible(office.withdrawing)
    case_id = case_awaiting_selection(shokei, office)
    other = case_awaiting_selection(shokei, office)  # paid and committed too: must stay out
    office.pay(case_id)
    office.select_successor(case_id)
    succession.accept_terms(uow, office.successor, case_id)
    (copy,) = release(shokei, office.manager, case_id)
    copies = succession.copies_vault(shokei.settings.data_dir, shokei.settings.keys_dir)
    succession.download_copy(uow, copies, office.successor, copy.copy_id, tmp_path / "copy.pdf")

    section = _ledger_section(as_user(app, "auditor").get(f"/cases/{case_id}").text)
    actions = _actions(section)
    for expected in (
        "case:status:change",
        "document:file:submit",
        "purchase:budget:commit",
        "purchase:budget:pay",
        "handover:copy:issue",
        "handover:copy:download",
    ):
        assert expected in actions, (expected, actions)
    # The other case's commitment is not this case's: one commitment here, made for this case.
    assert actions.count("purchase:budget:commit") == 1
    other_section = _ledger_section(as_user(app, "auditor").get(f"/cases/{other}").text)
    assert "purchase:budget:pay" not in _actions(other_section)
    assert "handover:copy:issue" not in _actions(other_section)
