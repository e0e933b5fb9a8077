"""The budget is never over-committed: 40 approvals of ¥30,000,000 race for ¥1,000,000,000.

33 x 30,000,000 = 990,000,000 fits and a 34th (1,020,000,000) would not, so exactly 33 succeed
and 7 are refused as "budget exhausted" — each seeing the ¥10,000,000 the 33 leave, which proves
they were serialised behind the commitments rather than deciding on a stale total.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter

from sqlalchemy import select

from shokei.audit.models import AuditEntry
from shokei.cases import services as cases
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from tests.conftest import TEST_NOW
from tests.integration.examination.flow import Desk
from tests.integration.purchase.race_worker import APPROVED, approve_in_process, attempt

APPROVALS, AMOUNT = 40, 30_000_000
FITS = 33
PROCESSES = 4  # x 10 threads each: 40 approvals in flight across 4 interpreters


def _race_ready(desk: Desk) -> list[int]:
    desk.fund(2026, 1_000_000_000)
    return [desk.agreed(AMOUNT)[0] for _ in range(APPROVALS)]


def _assert_exactly_33_committed(uow: UnitOfWork, desk: Desk, outcomes: dict[int, str]) -> None:
    assert len(outcomes) == APPROVALS
    refused = [message for message in outcomes.values() if message != APPROVED]
    assert Counter(outcomes.values())[APPROVED] == FITS
    assert len(refused) == APPROVALS - FITS
    for message in refused:
        assert message.startswith("budget exhausted: FY2026 has ¥10,000,000 available"), message
        assert message.endswith("this purchase needs ¥30,000,000")

    budget = purchase.get_budget(uow, desk.auditor, fiscal_year=2026)
    assert (budget.committed, budget.paid, budget.available) == (990_000_000, 0, 10_000_000)
    approved = {case_id for case_id, outcome in outcomes.items() if outcome == APPROVED}
    assert {line.case_id for line in budget.lines} == approved
    assert {cases.get_case(uow, desk.auditor, c).state for c in approved} == {"purchase_agreed"}
    assert {cases.get_case(uow, desk.auditor, c).state for c in set(outcomes) - approved} == {"negotiating"}
    with uow.transaction() as session:
        ledger = list(session.execute(select(AuditEntry.index, AuditEntry.action).order_by(AuditEntry.index)))
    assert [action for _, action in ledger].count("purchase:budget:commit") == FITS
    assert [index for index, _ in ledger] == list(range(len(ledger)))  # gapless under the race


def test_forty_approvals_racing_in_threads_commit_exactly_33(uow: UnitOfWork, desk: Desk) -> None:
    case_ids = _race_ready(desk)
    start = threading.Barrier(APPROVALS)
    outcomes: dict[int, str] = {}

    def run(case_id: int) -> None:
        start.wait()
        outcomes[case_id] = attempt(uow, desk.manager.username, case_id)

    threads = [threading.Thread(target=run, args=(case_id,)) for case_id in case_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _assert_exactly_33_committed(uow, desk, outcomes)


def test_forty_approvals_racing_in_separate_processes_commit_exactly_33(
    uow: UnitOfWork, desk: Desk, database_url: str
) -> None:
    case_ids = _race_ready(desk)
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(PROCESSES), context.Queue()
    share = APPROVALS // PROCESSES
    workers = [
        context.Process(
            target=approve_in_process,
            args=(
                database_url,
                TEST_NOW.isoformat(),
                desk.manager.username,
                case_ids[n::PROCESSES],
                start,
                results,
            ),
        )
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = dict(results.get(timeout=120) for _ in range(PROCESSES * share))
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    _assert_exactly_33_committed(uow, desk, outcomes)
