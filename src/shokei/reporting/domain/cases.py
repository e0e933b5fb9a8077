"""The cases of a fiscal year replayed from their ledger events: counts, states at the year's
end, days spent in each state, reasons for exit, the SME share of suppliers, and one line per
case.

Read: `case:case:open` (`after.state`; since reports, `details.reason`, `details.company`,
`details.company_name`, `details.sme`: the supplier as it stood at the opening), and the moves
`case:status:change`, `case:successor:select` (`after.state`, `details.transition`). A case
opened before its open event carried the supplier shows `unrecorded` for what it lacks.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shokei.cases.domain import CaseState, ExitReason
from shokei.purchase.domain import fiscal_year
from shokei.reporting.domain.events import Event

CLOSED_STATES = frozenset({CaseState.CLOSED.value, CaseState.CLOSED_RELEASED.value})
UNRECORDED = "unrecorded"  # what an open event recorded before reports does not say
EXIT_REASONS = (*(reason.value for reason in ExitReason), UNRECORDED)
_CASE_MOVES = frozenset({"case:case:open", "case:status:change", "case:successor:select"})
_P90 = 0.9
_SECONDS_A_DAY = 86_400
_SHARE_DIGITS = 4


@dataclass(slots=True)
class CaseLine:
    """One case as the ledger tells it, up to the year's end."""

    id: int
    opened: date | None  # None: the ledger began after the case opened
    state: str
    entered: datetime
    reason: str = UNRECORDED
    supplier: str | None = None
    corporate_number: str | None = None
    sme: bool | None = None
    closed: date | None = None


class Cases:
    def __init__(self, year: int) -> None:
        self.year = year
        self.cases: dict[str, CaseLine] = {}
        self.stays: defaultdict[str, list[float]] = defaultdict(list)
        self.closed = self.handed_over = 0

    def read(self, event: Event) -> None:
        if event.action not in _CASE_MOVES or "state" not in event.after:
            return
        target, in_year = str(event.after["state"]), event.fiscal_year == self.year
        case = self.cases.get(event.subject_id)
        if case is None:
            case = self._open(event, target)
        if in_year and event.details.get("transition") == "hand_over":
            self.handed_over += 1
        if case.state == target:
            return
        if in_year:
            self.stays[case.state].append((event.at - case.entered).total_seconds() / _SECONDS_A_DAY)
        if target in CLOSED_STATES and case.state not in CLOSED_STATES:
            case.closed = event.day
            self.closed += in_year
        case.state, case.entered = target, event.at

    def _open(self, event: Event, state: str) -> CaseLine:
        # a case first seen moving (its opening older than the ledger) tells nothing of its supplier
        opening = event.action == "case:case:open"
        details = event.details if opening else {}
        sme = details.get("sme")
        case = CaseLine(
            id=int(event.subject_id),
            opened=event.day if opening else None,
            state=state,
            entered=event.at,
            reason=str(details.get("reason") or UNRECORDED),
            supplier=_text(details.get("company_name")),
            corporate_number=_text(details.get("company")),
            sme=sme if isinstance(sme, bool) else None,
        )
        self.cases[event.subject_id] = case
        return case

    def opened_in_year(self) -> list[CaseLine]:
        return [case for case in self.cases.values() if case.opened and fiscal_year(case.opened) == self.year]

    def figures(self) -> dict[str, Any]:
        by_state = Counter(case.state for case in self.cases.values())
        opened = self.opened_in_year()
        reasons = Counter(case.reason for case in opened)
        return {
            "opened": len(opened),
            "closed": self.closed,
            "by_state": {state.value: by_state[state.value] for state in CaseState if by_state[state.value]},
            "handed_over": self.handed_over,
            "days_in_state": {
                state: {
                    "stays": len(days),
                    "median": _days(statistics.median(days)),
                    "p90": _days(_p90(days)),
                }
                for state, days in sorted(self.stays.items())
            },
            "exit_reasons": {reason: reasons[reason] for reason in EXIT_REASONS if reasons[reason]},
            "sme": _sme_share(opened),
        }

    def listing(self, amounts: dict[int, dict[str, int]]) -> list[dict[str, Any]]:
        """Every case open at some time in the year: opened by its end, not closed before it."""
        rows = []
        for case in sorted(self.cases.values(), key=lambda c: c.id):
            if case.closed is not None and fiscal_year(case.closed) < self.year:
                continue
            money = amounts.get(case.id, {})
            rows.append(
                {
                    "id": case.id,
                    "supplier": case.supplier,
                    "corporate_number": case.corporate_number,
                    "sme": case.sme,
                    "state": case.state,
                    "opened": case.opened.isoformat() if case.opened else None,
                    "closed": case.closed.isoformat() if case.closed else None,
                    "exit_reason": case.reason,
                    "committed_yen": money.get("committed", 0),
                    "paid_yen": money.get("paid", 0),
                }
            )
        return rows


def _sme_share(opened: list[CaseLine]) -> dict[str, Any]:
    """Distinct suppliers of the year's new cases (by corporate number, else name, else case) and
    how many were SMEs when their case opened; the share is of those whose status is known."""
    status: dict[str, bool | None] = {}
    for case in opened:
        status[case.corporate_number or case.supplier or f"case {case.id}"] = case.sme
    sme = sum(value is True for value in status.values())
    known = sum(value is not None for value in status.values())
    return {
        "suppliers": len(status),
        "sme": sme,
        "not_sme": known - sme,
        "unknown": len(status) - known,
        "share": round(sme / known, _SHARE_DIGITS) if known else None,
    }


def _text(value: object) -> str | None:
    return str(value) if value else None


def _p90(values: list[float]) -> float:
    """Nearest-rank 90th percentile: the smallest value at or above 90% of the values."""
    ordered = sorted(values)
    return ordered[math.ceil(_P90 * len(ordered)) - 1]


def _days(value: float) -> float:
    return round(value, 1)
