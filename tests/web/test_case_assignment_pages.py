"""Case assignment on the pages (issue 23, finding 2), the third adapter beside the CLI and the API
(tests/integration/cases/test_case_assignment.py): an unassigned examiner's case list does not
show the case and its page is refused naming the assignment; the program manager assigns and
unassigns from the case page; an unassigned program manager sees the metadata, not the examiners' notes,
until a break-glass reason is recorded, which the other program manager is told of in the app."""

from __future__ import annotations

from fastapi import FastAPI

from shokei.cases import services as cases
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications import services as notifications
from tests.factories import Office, user
from tests.web.conftest import as_user

NOTE = "審査所見-固有の熱処理工程"


def test_the_program_manager_assigns_from_the_case_page(uow: UnitOfWork, app: FastAPI) -> None:
    office = Office(uow)
    case = office.open_case(documents=1).id
    other = office.open_case(documents=0).id
    user(uow, Role.EXAMINER, name="examiner2")
    cases.unassign_official(uow, office.manager, other, "examiner")

    outsider = as_user(app, "examiner2")
    assert f"/cases/{case}" not in outsider.get("/cases").text
    refused = outsider.get(f"/cases/{case}")
    assert refused.status_code == 403
    assert "この案件の担当ではありません" in refused.text  # the refusal, in Japanese, names the assignment
    assert f'href="/cases/{other}"' not in as_user(app, "examiner").get("/cases").text

    manager = as_user(app, "manager")
    page = manager.get(f"/cases/{case}")
    assert 'id="assignment"' in page.text
    assert f'action="/cases/{case}/assignments"' in page.text
    done = manager.post(f"/cases/{case}/assignments", {"user": "examiner2", "role_on_case": "examiner"})
    assert done.status_code == 303, done.text
    assert "examiner2" in manager.get(f"/cases/{case}").text
    assert f'href="/cases/{case}"' in outsider.get("/cases").text
    assert outsider.get(f"/cases/{case}").status_code == 200
    # An examiner sees who is assigned but is offered no assignment form.
    assert f'action="/cases/{case}/assignments"' not in outsider.get(f"/cases/{case}").text
    assert outsider.post(f"/cases/{case}/assignments", {"user": "examiner2"}).status_code == 403

    removed = manager.post(f"/cases/{case}/assignments/examiner2/remove")
    assert removed.status_code == 303
    assert outsider.get(f"/cases/{case}").status_code == 403


def test_an_unassigned_program_manager_breaks_glass_on_the_case_page(uow: UnitOfWork, app: FastAPI) -> None:
    office = Office(uow)
    case = office.open_case(documents=1).id
    office.to_under_examination(case)
    line = cases.get_case(uow, office.examiner, case).inventory[0]
    cases.examine_document(uow, office.examiner, case, line.id, note=NOTE)
    user(uow, Role.PROGRAM_MANAGER, name="manager2")
    supplier_page = as_user(app, "supplier").get(f"/cases/{case}").text
    assert 'id="assignment"' not in supplier_page

    # (An auditor's case page also carries the case's ledger entries, the auditors' own record.)
    manager2 = as_user(app, "manager2")
    page = manager2.get(f"/cases/{case}")
    assert page.status_code == 200
    assert NOTE not in page.text
    assert 'id="contents-closed"' in page.text
    assert f'action="/cases/{case}/break-glass"' in page.text
    told = len(notifications.inbox(uow, office.manager))
    opened = manager2.post(f"/cases/{case}/break-glass", {"reason": "会計検査院への説明のため"})
    assert opened.status_code == 303, opened.text
    page = manager2.get(f"/cases/{case}")
    assert NOTE in page.text
    assert 'id="contents-closed"' not in page.text
    inbox = notifications.inbox(uow, office.manager)
    assert len(inbox) == told + 1
    assert inbox[0].link == f"/cases/{case}"
