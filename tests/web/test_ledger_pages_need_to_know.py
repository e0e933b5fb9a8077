"""The ledger's pages keep the officials' need-to-know (issue 23): an auditor not assigned to a
case sees its entries on /audit and on the case page with the examiners' words withheld, and is
told so in Japanese; the assigned auditor reads them."""

from __future__ import annotations

from fastapi import FastAPI

from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office, user
from tests.web.conftest import as_user

REASON = "審査所見-固有の熱処理工程は他社に無い"
WITHHELD = "この記録の一部は伏せられています"


def test_the_ledger_pages_withhold_the_examiners_words_from_an_unassigned_auditor(
    uow: UnitOfWork, app: FastAPI
) -> None:
    office = Office(uow)
    case = office.open_case(documents=1).id
    office.to_under_examination(case)
    office.examine_all(case)
    office.move(case, "determine_protection_required", office.examiner, reason=REASON)
    user(uow, Role.AUDITOR, name="auditor2")

    outsider, assigned = as_user(app, "auditor2"), as_user(app, "auditor")
    for path in ("/audit", f"/cases/{case}"):
        theirs, mine = outsider.get(path), assigned.get(path)
        assert theirs.status_code == mine.status_code == 200, path
        assert REASON not in theirs.text, path
        assert WITHHELD in theirs.text, path
        assert REASON in mine.text, path
        assert WITHHELD not in mine.text, path
