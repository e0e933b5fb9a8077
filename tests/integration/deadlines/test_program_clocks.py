"""Issue 20, every clock in the program: a leak incident's report, a secret designation's review
before it expires, a state-held facility's annual report. Each starts on its feature's event
(through the bus), shows in the program managers' `shokei duties --json` only (case_id null), is
due on the day computed by hand here, falls overdue when the clock passes it, and ends on the act
that settles it. Real databases (SQLite, and PostgreSQL with SHOKEI_TEST_DATABASE=postgresql)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shokei.clock import FixedClock, SystemClock
from shokei.deadlines import services as deadlines
from shokei.documents import services as documents
from shokei.documents.vault import FilesystemVault
from shokei.incidents import services as incidents
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.measures import services as measures
from shokei.secrets import services as secrets
from tests import factories
from tests.conftest import Cli
from tests.factories import Office
from tests.integration.deadlines.test_record_duties import _told
from tests.integration.measures.test_measures_services import _acquired
from tests.integration.succession.conftest import case_with_documents, copy_vault, key, scratch, vault

__all__ = ["copy_vault", "key", "scratch", "vault"]  # the succession fixtures, used here too

Duties = Callable[..., list[dict[str, object]]]


def _at_jst_morning(day: date) -> datetime:
    """09:00 in Tokyo on `day` (00:00 UTC): the clock's `today` is that Japanese date."""
    return datetime(day.year, day.month, day.day, 0, 0, tzinfo=UTC)


@pytest.fixture
def duties(cli: Cli, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> Duties:
    """`shokei duties [FLAGS] --json --as USER`, its JSON parsed (the duties on records other
    than a case), on the test's clock (the CLI otherwise reads the system clock)."""
    monkeypatch.setattr(SystemClock, "now", lambda self: clock.at)
    monkeypatch.setattr(SystemClock, "today", lambda self: FixedClock(clock.at).today())

    def run(user: str, *flags: str) -> list[dict[str, object]]:
        result = cli("duties", *flags, "--json", "--as", user)
        assert result.exit_code == 0, result.stderr
        shown = result.json()
        assert isinstance(shown, list)
        # The cases behind a designation or a facility have their state's duties too: not these.
        return [
            {k: d[k] for k in ("kind", "case_id", "due", "overdue", "what")}
            for d in shown
            if d["case_id"] is None
        ]

    return run


OTHERS = ("intake", "examiner", "negotiator", "auditor", "supplier", "successor")


def _only_managers(duties: Duties, expected: list[dict[str, object]]) -> None:
    """The program managers (both) owe it; nobody else has it in their own queue."""
    assert duties("manager") == expected
    assert duties("manager2") == expected
    for user in OTHERS:
        assert duties(user) == [], user


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    office = Office(uow)
    factories.user(uow, Role.PROGRAM_MANAGER, name="manager2")
    return office


def test_an_opened_incident_is_reported_by_its_72_hour_deadline_until_contained_or_closed(
    uow: UnitOfWork,
    clock: FixedClock,
    duties: Duties,
    office: Office,
    vault: FilesystemVault,  # makes the keys the copies' vault uses
    copy_vault: FilesystemVault,
    key: Ed25519PrivateKey,
    sample_files: Path,
) -> None:
    keys = incidents.TraceKeys(vault=copy_vault, signing_key=key, code_key=None)

    def open_one(name: str) -> int:
        found = incidents.FoundReport(found_at="展示会のブース")
        view = incidents.open_incident(
            uow, office.manager, sample_files / name, file_name=name, report=found, keys=keys
        )
        return view.id

    # Opened 2026-06-01 00:00 UTC (09:00 in Tokyo); 72 hours later is 2026-06-04 09:00 in Tokyo.
    first = open_one("four-pages.pdf")
    expected = {
        "kind": "incident_report",
        "case_id": None,
        "due": "2026-06-04",
        "overdue": False,
        "what": f"漏えい事案の報告（72時間以内）（漏えい事案{first}）",
    }
    _only_managers(duties, [expected])
    assert duties("manager", "--all", "--overdue") == []
    assert _told(uow, "incident_report") == ["manager", "manager2"]  # its notice: theirs only

    clock.at = _at_jst_morning(date(2026, 6, 4))  # the due day: not yet overdue
    assert duties("manager")[0]["overdue"] is False
    clock.at = _at_jst_morning(date(2026, 6, 5))
    late = {**expected, "overdue": True}
    assert duties("manager", "--overdue") == [late]
    assert duties("manager", "--all", "--overdue") == [late]

    incidents.contain_incident(uow, office.manager, first, "全複製の回収を命令")
    assert duties("manager") == []

    # Closing (here straight from opened, unresolved) ends it too.
    second = open_one("one-page.pdf")
    [duty] = deadlines.open_duties(uow, office.manager)
    assert (duty.kind, duty.due, duty.link) == ("incident_report", date(2026, 6, 8), f"/incidents/{second}")
    incidents.close_incident(uow, office.manager, second, "出所不明のまま", resolved=False)
    assert duties("manager", "--all") == []


def _designated_document(
    uow: UnitOfWork, office: Office, vault: FilesystemVault, scratch: Path, pdf: Path
) -> int:
    case_id = case_with_documents(uow, office, vault, scratch, pdf)
    [document] = documents.list_documents(uow, office.manager, case_id)
    return document.id


def test_a_designation_is_reviewed_before_its_last_day_and_a_renewal_moves_the_date(
    uow: UnitOfWork,
    clock: FixedClock,
    duties: Duties,
    office: Office,
    vault: FilesystemVault,
    scratch: Path,
    sample_files: Path,
) -> None:
    document_id = _designated_document(uow, office, vault, scratch, sample_files / "four-pages.pdf")
    secrets.designate_document(uow, office.manager, document_id, until=date(2026, 12, 31), reason="指定")
    expected = {
        "kind": "designation_expiry",
        "case_id": None,
        "due": "2026-12-31",
        "overdue": False,
        "what": f"秘密指定の見直し（更新または解除）（文書{document_id}の秘密指定）",
    }

    # designation_expiry = 90 days (v1.toml): in the queue from 2026-10-02 (31 Dec less 90 days).
    assert duties("manager") == []
    clock.at = _at_jst_morning(date(2026, 10, 1))
    assert duties("manager") == []
    clock.at = _at_jst_morning(date(2026, 10, 2))
    _only_managers(duties, [expected])
    assert _told(uow, "designation_expiry") == ["manager", "manager2"]

    # A renewal to 30 June 2027 moves the due date: in the queue again from 2027-04-01.
    secrets.renew_designation(uow, office.manager, document_id, until=date(2027, 6, 30))
    assert duties("manager", "--all") == []
    clock.at = _at_jst_morning(date(2027, 3, 31))
    assert duties("manager") == []
    clock.at = _at_jst_morning(date(2027, 4, 1))
    renewed = {**expected, "due": "2027-06-30"}
    _only_managers(duties, [renewed])

    clock.at = _at_jst_morning(date(2027, 7, 1))
    assert duties("manager", "--all", "--overdue") == [{**renewed, "overdue": True}]

    secrets.lift_designation(uow, office.manager, document_id, reason="公知となった")
    assert duties("manager", "--all") == []


def test_a_state_held_facility_is_reported_on_three_months_after_each_fiscal_year(
    uow: UnitOfWork, clock: FixedClock, duties: Duties, office: Office
) -> None:
    facility_id = _acquired(uow, office, on=date(2026, 5, 15))  # FY2026: 2026-04-01 to 2027-03-31
    # FY2026's report is due 2027-06-30; facility_report = 90 days: in the queue from 2027-04-01.
    expected = {
        "kind": "facility_report",
        "case_id": None,
        "due": "2027-06-30",
        "overdue": False,
        "what": f"国有施設の年次報告の提出（施設{facility_id}の2026年度報告）",
    }
    assert duties("manager") == []
    clock.at = _at_jst_morning(date(2027, 3, 31))
    assert duties("manager") == []
    clock.at = _at_jst_morning(date(2027, 4, 1))
    _only_managers(duties, [expected])
    assert _told(uow, "facility_report") == ["manager", "manager2"]
    [duty] = deadlines.open_duties(uow, office.manager)
    assert duty.link == f"/facilities/{facility_id}"

    clock.at = _at_jst_morning(date(2027, 6, 30))
    assert duties("manager", "--overdue") == []
    clock.at = _at_jst_morning(date(2027, 7, 1))
    assert duties("manager", "--all", "--overdue") == [{**expected, "overdue": True}]

    # Filing FY2026's report ends it and starts FY2027's: due 2028-06-30, shown from 2028-04-01.
    measures.file_facility_report(uow, office.manager, facility_id, fiscal_year=2026)
    assert duties("manager", "--all") == []
    clock.at = _at_jst_morning(date(2028, 4, 1))
    _only_managers(
        duties,
        [
            {
                **expected,
                "due": "2028-06-30",
                "what": f"国有施設の年次報告の提出（施設{facility_id}の2027年度報告）",
            }
        ],
    )
