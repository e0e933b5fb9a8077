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


def _opened(index: int, at: str, case: str, **details: Any) -> dict[str, Any]:
    return _event(index, at, "case:case:open", case, after={"state": "notified"}, details=details)


def _moved(index: int, at: str, case: str, state: str) -> dict[str, Any]:
    return _event(index, at, "case:status:change", case, after={"state": state})


def _budget(index: int, at: str, action: str, **details: Any) -> dict[str, Any]:
    return _event(index, at, f"purchase:budget:{action}", str(details["fiscal_year"]), details=details)


CASES = [
    # before reports: the open event carries no reason and no supplier
    _opened(0, "2025-06-01T00:00:00+00:00", "1"),
    _opened(
        1,
        "2026-05-01T00:00:00+00:00",
        "2",
        reason="factory_closure",
        company="111",
        company_name="甲",
        sme=True,
    ),
    _opened(
        2,
        "2026-05-02T00:00:00+00:00",
        "3",
        reason="restructuring",
        company="222",
        company_name="乙",
        sme=False,
    ),
    # the same supplier again: one supplier, counted once
    _opened(
        3,
        "2026-05-03T00:00:00+00:00",
        "4",
        reason="factory_closure",
        company="111",
        company_name="甲",
        sme=True,
    ),
    _moved(4, "2026-06-01T00:00:00+00:00", "3", "documents_submitted"),
    _budget(5, "2026-06-02T00:00:00+00:00", "commit", case=2, agreement=7, amount_yen=500, fiscal_year=2026),
    _budget(6, "2026-06-03T00:00:00+00:00", "commit", case=4, agreement=8, amount_yen=300, fiscal_year=2026),
    _budget(7, "2026-07-01T00:00:00+00:00", "pay", case=4, agreement=8, amount_yen=300, fiscal_year=2026),
    _moved(8, "2026-08-01T00:00:00+00:00", "4", "closed"),
    # after FY2026 ends: not in FY2026's listing
    _budget(9, "2027-05-01T00:00:00+00:00", "release", case=2, agreement=7, amount_yen=500, fiscal_year=2026),
    # FY2025's case closed in FY2025: not listed in FY2026
    _moved(10, "2026-01-10T00:00:00+00:00", "1", "closed_released"),
]


def test_reasons_for_exit_and_the_sme_share_of_the_years_new_cases() -> None:
    fy2026 = program_figures(CASES, 2026)["cases"]
    # cases 2, 3, 4 opened in FY2026: factory closure twice, restructuring once
    assert fy2026["exit_reasons"] == {"factory_closure": 2, "restructuring": 1}
    # suppliers 111 (SME, two cases) and 222 (not an SME): 1 of 2
    assert fy2026["sme"] == {"suppliers": 2, "sme": 1, "not_sme": 1, "unknown": 0, "share": 0.5}
    fy2025 = program_figures(CASES, 2025)["cases"]
    assert fy2025["exit_reasons"] == {"unrecorded": 1}
    assert fy2025["sme"] == {"suppliers": 1, "sme": 0, "not_sme": 0, "unknown": 1, "share": None}


def test_the_case_listing_states_each_case_at_the_years_end() -> None:
    listing = program_figures(CASES, 2026)["case_listing"]
    common = {"committed_yen": 0, "paid_yen": 0, "closed": None}
    assert listing == [
        common
        | {
            "id": 2,
            "supplier": "甲",
            "corporate_number": "111",
            "sme": True,
            "state": "notified",
            "opened": "2026-05-01",
            "exit_reason": "factory_closure",
            "committed_yen": 500,  # released only after the year's end
        },
        common
        | {
            "id": 3,
            "supplier": "乙",
            "corporate_number": "222",
            "sme": False,
            "state": "documents_submitted",
            "opened": "2026-05-02",
            "exit_reason": "restructuring",
        },
        common
        | {
            "id": 4,
            "supplier": "甲",
            "corporate_number": "111",
            "sme": True,
            "state": "closed",
            "opened": "2026-05-03",
            "closed": "2026-08-01",
            "exit_reason": "factory_closure",
            "paid_yen": 300,
        },
    ]
    # FY2025: case 1 only, as its old event tells it
    assert program_figures(CASES, 2025)["case_listing"] == [
        {
            "id": 1,
            "supplier": None,
            "corporate_number": None,
            "sme": None,
            "state": "closed_released",
            "opened": "2025-06-01",
            "closed": "2026-01-10",
            "exit_reason": "unrecorded",
            "committed_yen": 0,
            "paid_yen": 0,
        }
    ]


def test_the_budget_per_line_from_the_events_line_field() -> None:
    ledger = [
        _event(0, "2026-04-02T00:00:00+00:00", "purchase:budget:set", "2026", after={"appropriation": 1000}),
        _event(
            1,
            "2026-04-02T00:00:00+00:00",
            "purchase:budget:set",
            "2026",
            after={"appropriation": 600},
            details={"fiscal_year": 2026, "line": "facilities"},
        ),
        _budget(2, "2026-05-01T00:00:00+00:00", "commit", agreement=1, amount_yen=100, fiscal_year=2026),
        _budget(
            3,
            "2026-05-01T00:00:00+00:00",
            "commit",
            agreement=2,
            amount_yen=250,
            fiscal_year=2026,
            line="facilities",
        ),
        # what follows a commitment stays on its line, named or not
        _budget(4, "2026-06-01T00:00:00+00:00", "pay", agreement=2, amount_yen=250, fiscal_year=2026),
    ]
    budget = program_figures(ledger, 2026)["budget"]
    assert list(budget) == ["purchases", "facilities"]
    assert (budget["purchases"], budget["facilities"]) == (
        {"appropriated": 1000, "committed": 100, "paid": 0, "carried_in": 0, "carried_out": 0, "lapsed": 0},
        {"appropriated": 600, "committed": 0, "paid": 250, "carried_in": 0, "carried_out": 0, "lapsed": 0},
    )
    # a ledger with no budget event still reports the purchases line
    assert program_figures([], 2026)["budget"] == {
        "purchases": {
            "appropriated": 0,
            "committed": 0,
            "paid": 0,
            "carried_in": 0,
            "carried_out": 0,
            "lapsed": 0,
        }
    }


def test_alerts_documents_and_measures_of_the_year() -> None:
    def alert(index: int, at: str, verb: str, alert_id: str) -> dict[str, Any]:
        document = _event(index, at, f"ownership:alert:{verb}", alert_id)
        document["subject"] = {"type": "ownership_alert", "id": alert_id}
        return document

    ledger = [
        alert(0, "2026-05-01T00:00:00+00:00", "raise", "1"),
        alert(1, "2026-05-01T00:00:00+00:00", "raise", "2"),
        alert(2, "2026-05-01T00:00:00+00:00", "raise", "3"),
        alert(3, "2026-06-01T00:00:00+00:00", "acknowledge", "1"),
        alert(4, "2026-07-01T00:00:00+00:00", "close", "1"),
        alert(5, "2026-07-02T00:00:00+00:00", "resolve", "2"),
        _event(
            6, "2026-05-01T00:00:00+00:00", "document:file:submit", "5", details={"type": "pdf", "size": 100}
        ),
        _event(
            7, "2026-05-01T00:00:00+00:00", "document:file:submit", "5", details={"type": "pdf", "size": 50}
        ),
        _event(
            8, "2026-05-01T00:00:00+00:00", "document:file:submit", "5", details={"type": "dxf", "size": 7}
        ),
        _event(9, "2026-09-01T00:00:00+00:00", "measure:measure:take", "5"),
        _event(10, "2026-09-02T00:00:00+00:00", "measure:measure:take", "6"),
        _event(11, "2026-09-03T00:00:00+00:00", "measure:measure:complete", "5"),
        _event(12, "2027-09-03T00:00:00+00:00", "measure:measure:take", "7"),  # FY2027
    ]
    figures = program_figures(ledger, 2026)
    assert figures["alerts"] == {"raised": 3, "acknowledged": 1, "resolved": 1, "closed": 1, "open": 1}
    assert figures["documents"] == {
        "held": 3,
        "submitted": 3,
        "bytes": 157,
        "by_type": {"dxf": 1, "pdf": 2},
        "bytes_by_type": {"dxf": 7, "pdf": 150},
    }
    assert figures["measures"] == {
        "taken": 3,
        "by_tag": {"measure:measure:complete": 1, "measure:measure:take": 2},
    }
    assert (figures["incidents"], program_figures([], 2026)["measures"]) == ([], {"taken": 0, "by_tag": {}})


def test_differences_name_a_case_listing_figure_by_the_case_id() -> None:
    recomputed = program_figures(CASES, 2026)
    edited = [dict(line) for line in recomputed["case_listing"]]
    edited[2]["paid_yen"] = 301
    assert differences({"case_listing": edited}, {"case_listing": recomputed["case_listing"]}) == [
        {"figure": "case_listing.4.paid_yen", "reported": 301, "recomputed": 300}
    ]
    assert differences({"case_listing": edited[:2]}, {"case_listing": recomputed["case_listing"]}) == [
        {"figure": "case_listing.4", "reported": None, "recomputed": recomputed["case_listing"][2]}
    ]


def test_a_case_first_seen_moving_is_listed_but_not_counted_as_opened() -> None:
    # the ledger began after case 5 opened: its first event is a move, whose reason is the move's
    ledger = [
        _event(
            0,
            "2026-05-01T00:00:00+00:00",
            "case:status:change",
            "5",
            after={"state": "protection_required"},
            details={"reason": "固有技術"},
        )
    ]
    figures = program_figures(ledger, 2026)
    assert (figures["cases"]["opened"], figures["cases"]["exit_reasons"]) == (0, {})
    assert figures["cases"]["by_state"] == {"protection_required": 1}
    assert figures["case_listing"] == [
        {
            "id": 5,
            "supplier": None,
            "corporate_number": None,
            "sme": None,
            "state": "protection_required",
            "opened": None,
            "closed": None,
            "exit_reason": "unrecorded",
            "committed_yen": 0,
            "paid_yen": 0,
        }
    ]
