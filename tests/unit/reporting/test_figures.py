"""The report's figures from hand-written ledger documents (pure): budget lines replayed from
old events (the year only in the subject) and new ones (amounts and fiscal years in the
details), fiscal years taken in Tokyo time, and the differences `report verify` names."""

from __future__ import annotations

from typing import Any

from shokei.reporting.domain import differences, program_figures


def _event(index: int, at: str, action: str, subject: str, **parts: Any) -> dict[str, Any]:
    return {
        "index": index,
        "at": at,
        "actor": {"id": 1, "name": "manager", "role": "program_manager"},
        "action": action,
        "subject": {"type": "budget" if action.startswith("purchase") else "case", "id": subject},
        "before": parts.get("before"),
        "after": parts.get("after"),
        "details": parts.get("details", {}),
    }


LEDGER = [
    _event(0, "2025-05-01T00:00:00+00:00", "purchase:budget:set", "2025", after={"appropriation": 900}),
    # before budget law: the year is the subject only
    _event(
        1,
        "2025-06-01T00:00:00+00:00",
        "purchase:budget:commit",
        "2025",
        details={"agreement": 1, "amount_yen": 100},
    ),
    _event(
        2,
        "2025-06-02T00:00:00+00:00",
        "purchase:budget:pay",
        "2025",
        details={"agreement": 1, "amount_yen": 100},
    ),
    _event(
        3,
        "2025-07-01T00:00:00+00:00",
        "purchase:budget:commit",
        "2025",
        details={"agreement": 2, "amount_yen": 40, "fiscal_year": 2025},
    ),
    _event(
        4,
        "2026-03-01T00:00:00+00:00",
        "purchase:budget:carry_over",
        "2026",
        details={"agreement": 2, "amount_yen": 40, "from_fiscal_year": 2025, "fiscal_year": 2026},
    ),
    _event(
        5,
        "2025-08-01T00:00:00+00:00",
        "purchase:budget:commit",
        "2025",
        details={"agreement": 3, "amount_yen": 7, "fiscal_year": 2025},
    ),
    _event(
        6,
        "2026-04-05T00:00:00+00:00",
        "purchase:budget:lapse",
        "2025",
        details={"agreement": 3, "amount_yen": 7, "fiscal_year": 2025},
    ),
    # 15:00 UTC on 31 March is 1 April in Tokyo: FY2026
    _event(7, "2026-03-31T15:00:00+00:00", "case:case:open", "9", after={"state": "notified"}),
    _event(8, "2026-03-31T14:59:00+00:00", "case:case:open", "8", after={"state": "notified"}),
]


def test_budget_lines_are_replayed_from_old_and_new_events() -> None:
    assert program_figures(LEDGER, 2025)["budget"]["purchases"] == {
        "appropriated": 900,
        "committed": 0,
        "paid": 100,
        "carried_in": 0,
        "carried_out": 40,
        "lapsed": 7,
    }
    assert program_figures(LEDGER, 2026)["budget"]["purchases"] == {
        "appropriated": 0,
        "committed": 40,
        "paid": 0,
        "carried_in": 40,
        "carried_out": 0,
        "lapsed": 0,
    }


def test_cases_count_in_the_fiscal_year_of_their_moment_in_tokyo() -> None:
    fy2025, fy2026 = program_figures(LEDGER, 2025)["cases"], program_figures(LEDGER, 2026)["cases"]
    assert (fy2025["opened"], fy2025["by_state"]) == (1, {"notified": 1})
    assert (fy2026["opened"], fy2026["by_state"]) == (1, {"notified": 2})


def test_differences_name_each_figure_that_differs() -> None:
    reported = {"budget": {"purchases": {"paid": 101, "lapsed": 7}}, "cases": {"opened": 2}}
    recomputed = {"budget": {"purchases": {"paid": 100, "lapsed": 7}}, "cases": {"opened": 2}}
    assert differences(reported, recomputed) == [
        {"figure": "budget.purchases.paid", "reported": 101, "recomputed": 100}
    ]


def test_copies_issued_recalled_destroyed_and_outstanding_at_the_year_end() -> None:
    def copy(index: int, at: str, action: str, copy_id: str) -> dict[str, Any]:
        document = _event(index, at, action, copy_id)
        document["subject"] = {"type": "copy", "id": copy_id}
        return document

    ledger = [
        copy(0, "2026-05-01T00:00:00+00:00", "handover:copy:issue", "A"),
        copy(1, "2026-05-01T00:00:00+00:00", "handover:copy:issue", "B"),
        copy(2, "2026-05-01T00:00:00+00:00", "handover:copy:issue", "C"),
        copy(3, "2026-09-01T00:00:00+00:00", "handover:copy:recall", "A"),  # recalled, not returned
        copy(4, "2026-10-01T00:00:00+00:00", "handover:copy:recall", "B"),
        copy(5, "2026-11-01T00:00:00+00:00", "handover:copy:return", "B"),  # destroyed
        copy(6, "2027-05-01T00:00:00+00:00", "handover:copy:return", "A"),  # after FY2026 ends
    ]
    # FY2026: 3 issued, 2 recalled, 1 destroyed; at 2027-03-31 A (recalled) and C are still out
    assert program_figures(ledger, 2026)["copies"] == {
        "issued": 3,
        "recalled": 2,
        "destroyed": 1,
        "outstanding": 2,
    }
    # FY2027: A destroyed; only C is out
    assert program_figures(ledger, 2027)["copies"] == {
        "issued": 0,
        "recalled": 0,
        "destroyed": 1,
        "outstanding": 1,
    }
