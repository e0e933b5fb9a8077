"""The facilities line is never over-committed: 20 acquisitions of ¥30,000,000, each under its
own measure, race for ¥500,000,000 on the FY2026 facilities line.

16 x 30,000,000 = 480,000,000 fits and a 17th (510,000,000) would not, so exactly 16 succeed and
4 are refused as "budget exhausted", each seeing the ¥20,000,000 the 16 leave: they were
serialised behind the commitments rather than deciding on a stale total. The purchases line of
the same year is untouched.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

from shokei.cases import services as cases
from shokei.errors import ShokeiError
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.measures import services as measures
from shokei.purchase import services as purchase
from shokei.purchase.domain import BudgetExhausted, BudgetLineName
from tests.factories import Office

ACQUISITIONS, PRICE, FITS = 20, 30_000_000, 16
ACQUIRED = "acquired"


def _measures(uow: UnitOfWork, office: Office) -> list[int]:
    ids = []
    for _ in range(ACQUISITIONS):
        case = cases.open_case(
            uow,
            office.intake,
            company=office.withdrawing.corporate_number or "",
            reason="factory_closure",
            planned_exit_date=date(2026, 9, 30),
        )
        office.move(case.id, "escalate", office.manager, reason="提出期限の徒過")
        ids.append(
            measures.decide_measure(
                uow, office.manager, case.id, kind="facility_acquisition", reason="取得"
            ).id
        )
    return ids


def _attempt(uow: UnitOfWork, office: Office, measure_id: int) -> str:
    try:
        measures.acquire_facility(
            uow,
            office.manager,
            measure_id,
            name=f"工場 {measure_id}",
            prefecture="愛知県",
            price_yen=PRICE,
            acquired_on=date(2026, 5, 15),
        )
    except BudgetExhausted as error:
        return error.message
    except ShokeiError as error:
        return f"UNEXPECTED {type(error).__name__}: {error.message}"
    return ACQUIRED


def test_twenty_acquisitions_racing_in_threads_commit_exactly_sixteen(uow: UnitOfWork) -> None:
    office = Office(uow)
    purchase.set_appropriation(uow, office.manager, fiscal_year=2026, amount_yen=1_000_000_000)
    purchase.set_line_appropriation(
        uow, office.manager, fiscal_year=2026, line=BudgetLineName.FACILITIES, amount_yen=500_000_000
    )
    measure_ids = _measures(uow, office)
    start = threading.Barrier(ACQUISITIONS)
    outcomes: dict[int, str] = {}

    def run(measure_id: int) -> None:
        start.wait()
        outcomes[measure_id] = _attempt(uow, office, measure_id)

    threads = [threading.Thread(target=run, args=(measure_id,)) for measure_id in measure_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(outcomes.values())[ACQUIRED] == FITS
    for message in (m for m in outcomes.values() if m != ACQUIRED):
        assert message.startswith("budget exhausted: FY2026 has ¥20,000,000 available"), message
    line = purchase.get_line_budget(uow, office.auditor, fiscal_year=2026, line=BudgetLineName.FACILITIES)
    assert (line.committed, line.available, len(line.commitments)) == (480_000_000, 20_000_000, FITS)
    assert len(measures.list_facilities(uow, office.auditor)) == FITS
    purchases = purchase.get_budget(uow, office.auditor, fiscal_year=2026)
    assert (purchases.committed, purchases.available) == (0, 1_000_000_000)
