"""The program report's figures, computed from the audit ledger's events alone. Pure: the same
function runs over the database's ledger (`report program`) and over an exported one with no
database (`report verify`), so anyone holding an export can recompute every figure.

The events read (their tags and fields are the ledger's, old and new):
- cases: `case:case:open`, `case:status:change` and `case:successor:select` (`after.state`,
  `details.transition`);
- budget: `purchase:budget:set` (`after.appropriation`), `purchase:budget:commit`, `:pay`,
  `:release`, `:carry_over`, `:lapse` (`details.agreement`, `amount_yen`, `fiscal_year`; events
  older than budget law name the year only as their subject);
- documents: `document:file:submit` (`details.type`, `size`); copies: `handover:copy:issue`,
  `:recall` and `:return` (the holder's certificate of destruction), by copy; alerts:
  `ownership:alert:raise` and `:resolve`. No feature records incidents yet: none.

Time is the Japanese fiscal year of each event's moment in Tokyo. Case states are as they stood
at the end of the year (or now, for the current year); budget figures are those of the year's
lines as the ledger stands (what `budget show` reports).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from shokei.cases.domain import CaseState
from shokei.clock import JST
from shokei.purchase.domain import fiscal_year, fiscal_year_span

BUDGET_LINE = "purchases"  # the program's one budget line so far: buying documents
BUDGET_FIGURES = ("appropriated", "committed", "paid", "carried_in", "carried_out", "lapsed")
CLOSED_STATES = frozenset({CaseState.CLOSED.value, CaseState.CLOSED_RELEASED.value})
_CASE_MOVES = frozenset({"case:case:open", "case:status:change", "case:successor:select"})
_P90 = 0.9
_SECONDS_A_DAY = 86_400


@dataclass(frozen=True, slots=True)
class Event:
    """What the report reads of one ledger entry."""

    index: int
    at: datetime
    action: str
    subject_type: str
    subject_id: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    details: Mapping[str, Any]

    @property
    def day(self) -> date:
        return self.at.astimezone(JST).date()

    @property
    def fiscal_year(self) -> int:
        return fiscal_year(self.day)


def events_of(documents: Iterable[Mapping[str, Any]]) -> Iterator[Event]:
    """Ledger leaf documents (audit's `leaf_document`) as events."""
    for document in documents:
        subject = document.get("subject") or {}
        yield Event(
            index=int(document["index"]),
            at=datetime.fromisoformat(str(document["at"])),
            action=str(document["action"]),
            subject_type=str(subject.get("type")),
            subject_id=str(subject.get("id")),
            before=document.get("before") or {},
            after=document.get("after") or {},
            details=document.get("details") or {},
        )


def program_figures(documents: Iterable[Mapping[str, Any]], year: int) -> dict[str, Any]:
    """Every figure of the fiscal year's program report (all but the checkpoint)."""
    ends = fiscal_year_span(year)[1]
    cases, budget, documents_held = _Cases(year), _Budget(), _Documents(year)
    copies = _Copies(year)
    alerts: Counter[str] = Counter()
    for event in events_of(documents):
        if event.day > ends:
            budget.read(event)  # budget figures are the lines as they stand now
            continue
        cases.read(event)
        budget.read(event)
        documents_held.read(event)
        copies.read(event)
        if event.action in ("ownership:alert:raise", "ownership:alert:resolve") and event.fiscal_year == year:
            alerts["raised" if event.action.endswith("raise") else "resolved"] += 1
    return {
        "fiscal_year": year,
        "period": {"starts": fiscal_year_span(year)[0].isoformat(), "ends": ends.isoformat()},
        "cases": cases.figures(),
        "budget": {BUDGET_LINE: budget.figures(year)},
        "documents": documents_held.figures(),
        "copies": copies.figures(),
        "alerts": {"raised": alerts["raised"], "resolved": alerts["resolved"]},
        "incidents": [],
    }


class _Cases:
    def __init__(self, year: int) -> None:
        self.year = year
        self.state: dict[str, str] = {}
        self.entered: dict[str, datetime] = {}
        self.stays: defaultdict[str, list[float]] = defaultdict(list)
        self.opened = self.closed = self.handed_over = 0

    def read(self, event: Event) -> None:
        if event.action not in _CASE_MOVES or "state" not in event.after:
            return
        case, target = event.subject_id, str(event.after["state"])
        in_year = event.fiscal_year == self.year
        if event.action == "case:case:open":
            self.opened += in_year
        previous = self.state.get(case)
        if previous is not None and previous != target and in_year:
            seconds = (event.at - self.entered[case]).total_seconds()
            self.stays[previous].append(seconds / _SECONDS_A_DAY)
        if in_year and target in CLOSED_STATES and previous not in CLOSED_STATES:
            self.closed += 1
        if in_year and event.details.get("transition") == "hand_over":
            self.handed_over += 1
        if previous != target:
            self.state[case], self.entered[case] = target, event.at

    def figures(self) -> dict[str, Any]:
        by_state = Counter(self.state.values())
        return {
            "opened": self.opened,
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
        }


def _p90(values: list[float]) -> float:
    """Nearest-rank 90th percentile: the smallest value at or above 90% of the values."""
    ordered = sorted(values)
    return ordered[math.ceil(_P90 * len(ordered)) - 1]


def _days(value: float) -> float:
    return round(value, 1)


@dataclass(slots=True)
class _Line:
    year: int
    amount: int
    status: str = "committed"


class _Budget:
    """The budget's lines replayed from their events, keyed by agreement."""

    def __init__(self) -> None:
        self.appropriated: dict[int, int] = {}
        self.lines: dict[str, _Line] = {}
        self.carried_in: Counter[int] = Counter()
        self.carried_out: Counter[int] = Counter()

    def read(self, event: Event) -> None:
        if not event.action.startswith("purchase:budget:"):
            return
        kind, details = event.action.rsplit(":", 1)[1], event.details
        year = int(details.get("fiscal_year", event.subject_id))
        if kind == "set":
            self.appropriated[year] = int(event.after["appropriation"])
            return
        agreement = str(details.get("agreement"))
        if kind == "commit":
            self.lines[agreement] = _Line(year, int(details["amount_yen"]))
            return
        line = self.lines.get(agreement)
        if line is None:
            return  # a line committed before the ledger began cannot be followed
        if kind == "carry_over":
            self.carried_out[line.year] += line.amount
            self.carried_in[year] += line.amount
            line.year = year
        elif kind in ("pay", "release", "lapse"):
            line.year = year
            line.status = {"pay": "paid", "release": "released", "lapse": "lapsed"}[kind]

    def figures(self, year: int) -> dict[str, int]:
        standing = [line for line in self.lines.values() if line.year == year]

        def total(status: str) -> int:
            return sum(line.amount for line in standing if line.status == status)

        return {
            "appropriated": self.appropriated.get(year, 0),
            "committed": total("committed"),
            "paid": total("paid"),
            "carried_in": self.carried_in[year],
            "carried_out": self.carried_out[year],
            "lapsed": total("lapsed"),
        }


class _Copies:
    """Copies issued, recalled and destroyed in the year; outstanding: issued by the year's end
    and not destroyed (a recalled copy not yet returned is still out)."""

    _STATUS: ClassVar[dict[str, str]] = {
        "handover:copy:issue": "issued",
        "handover:copy:recall": "recalled",
        "handover:copy:return": "destroyed",
    }

    def __init__(self, year: int) -> None:
        self.year = year
        self.status: dict[str, str] = {}
        self.in_year: Counter[str] = Counter()

    def read(self, event: Event) -> None:
        status = self._STATUS.get(event.action)
        if status is None:
            return
        self.status[event.subject_id] = status
        self.in_year[status] += event.fiscal_year == self.year

    def figures(self) -> dict[str, int]:
        return {
            "issued": self.in_year["issued"],
            "recalled": self.in_year["recalled"],
            "destroyed": self.in_year["destroyed"],
            "outstanding": sum(status != "destroyed" for status in self.status.values()),
        }


class _Documents:
    def __init__(self, year: int) -> None:
        self.year = year
        self.held = self.submitted = self.size = 0
        self.by_type: Counter[str] = Counter()

    def read(self, event: Event) -> None:
        if event.action != "document:file:submit":
            return
        self.held += 1
        self.submitted += event.fiscal_year == self.year
        self.size += int(event.details.get("size") or 0)
        self.by_type[str(event.details.get("type") or "unknown")] += 1

    def figures(self) -> dict[str, Any]:
        return {
            "held": self.held,
            "submitted": self.submitted,
            "bytes": self.size,
            "by_type": dict(sorted(self.by_type.items())),
        }


def differences(
    reported: Mapping[str, Any], recomputed: Mapping[str, Any], prefix: str = ""
) -> list[dict[str, Any]]:
    """Every figure whose reported value differs from the recomputed one, by dotted name."""
    found: list[dict[str, Any]] = []
    for key in sorted(set(reported) | set(recomputed)):
        name = f"{prefix}{key}"
        mine, theirs = reported.get(key), recomputed.get(key)
        if isinstance(mine, Mapping) and isinstance(theirs, Mapping):
            found.extend(differences(mine, theirs, f"{name}."))
        elif mine != theirs:
            found.append({"figure": name, "reported": mine, "recomputed": theirs})
    return found
