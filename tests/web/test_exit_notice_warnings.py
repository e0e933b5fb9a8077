"""An exit notice is accepted with a Japanese warning, not refused, when its planned exit date
is already past or its company already has an open case (web page and command line)."""

from __future__ import annotations

import re

from fastapi import FastAPI

from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.factories import Office
from tests.web.conftest import as_user

PAST = "過ぎていました"
DUPLICATE = "未完了の案件が他に 1 件あります"


def _notify(app: FastAPI, planned: str) -> tuple[int, str]:
    supplier = as_user(app, "supplier")
    created = supplier.post("/cases", {"reason": "factory_closure", "planned_exit_date": planned})
    assert created.status_code == 303
    location = created.headers["location"]
    case_id = int(re.findall(r"/cases/(\d+)", location)[0])
    return case_id, supplier.get(location).text


def _warnings(page: str) -> list[str]:
    return re.findall(r'<p class="message message-warning"[^>]*>(.*?)</p>', page, re.S)


def test_a_notice_in_the_future_for_a_company_without_cases_has_no_warning(
    app: FastAPI, office: Office
) -> None:
    _, page = _notify(app, "2026-09-30")
    assert _warnings(page) == []


def test_a_past_exit_date_and_a_second_open_case_are_accepted_with_warnings(
    uow: UnitOfWork, app: FastAPI, office: Office
) -> None:
    # The test clock's today is 2026-06-01 in Japan.
    first, page = _notify(app, "2026-05-31")
    assert [PAST in w for w in _warnings(page)] == [True]
    assert "2026-05-31" in _warnings(page)[0]
    second, page = _notify(app, "2026-06-01")  # today is not past
    assert [DUPLICATE in w for w in _warnings(page)] == [True]
    assert first != second  # both notices were registered


def test_the_command_line_warns_too(uow: UnitOfWork, office: Office, cli: Cli) -> None:
    office.open_case()
    number = office.withdrawing.corporate_number or ""
    opened = cli(
        "case",
        "open",
        "--company",
        number,
        "--reason",
        "other",
        "--exit-date",
        "2020-01-01",
        "--as",
        "intake",
    )
    assert opened.exit_code == 0, opened.stderr
    assert "2020-01-01" in opened.stderr
    assert "open case" in opened.stderr or "未完了" in opened.stderr
