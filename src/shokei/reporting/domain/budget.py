"""The budget replayed from its ledger events, per budget line and per case.

Read: `purchase:budget:set` (`after.appropriation`), `purchase:budget:commit`, `:pay`,
`:release`, `:carry_over`, `:lapse` (`details.agreement` joins a commitment to what follows
it; `details.amount_yen`, `details.fiscal_year`, `details.case`; events older than budget law
name the year only as their subject). The budget line is `details.line` of the `set` and
`commit` events, `purchases` when absent (every event before budget lines); what follows a
commitment stays on its line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from shokei.reporting.domain.events import Event

BUDGET_LINE = "purchases"  # the line of every event that names none: buying documents
BUDGET_FIGURES = ("appropriated", "committed", "paid", "carried_in", "carried_out", "lapsed")
_ENDINGS = {"pay": "paid", "release": "released", "lapse": "lapsed"}


@dataclass(slots=True)
class _Commitment:
    line: str
    year: int
    amount: int
    case: int | None
    status: str = "committed"


def line_of(event: Event) -> str:
    """The budget line an event names (`details.line`), `purchases` when it names none."""
    return str(event.details.get("line") or BUDGET_LINE)


class Budget:
    """The budget's commitments replayed from their events, keyed by agreement."""

    def __init__(self) -> None:
        self.appropriated: dict[tuple[str, int], int] = {}
        self.commitments: dict[str, _Commitment] = {}
        self.carried_in: Counter[tuple[str, int]] = Counter()
        self.carried_out: Counter[tuple[str, int]] = Counter()
        self.lines: set[str] = {BUDGET_LINE}

    def read(self, event: Event) -> None:
        if not event.action.startswith("purchase:budget:"):
            return
        kind, details = event.action.rsplit(":", 1)[1], event.details
        year = int(details.get("fiscal_year", event.subject_id))
        if kind == "set":
            self.lines.add(line_of(event))
            self.appropriated[line_of(event), year] = int(event.after["appropriation"])
            return
        agreement = str(details.get("agreement"))
        if kind == "commit":
            case = details.get("case")
            self.lines.add(line_of(event))
            self.commitments[agreement] = _Commitment(
                line_of(event), year, int(details["amount_yen"]), int(case) if case is not None else None
            )
            return
        commitment = self.commitments.get(agreement)
        if commitment is None:
            return  # a commitment made before the ledger began cannot be followed
        if kind == "carry_over":
            self.carried_out[commitment.line, commitment.year] += commitment.amount
            self.carried_in[commitment.line, year] += commitment.amount
            commitment.year = year
        elif kind in _ENDINGS:
            commitment.year, commitment.status = year, _ENDINGS[kind]

    def figures(self, year: int) -> dict[str, dict[str, int]]:
        """Each line's figures for the year: `purchases` first, then the others by name."""
        return {
            line: self._line(line, year) for line in sorted(self.lines, key=lambda n: (n != BUDGET_LINE, n))
        }

    def _line(self, line: str, year: int) -> dict[str, int]:
        standing = [c for c in self.commitments.values() if c.line == line and c.year == year]

        def total(status: str) -> int:
            return sum(c.amount for c in standing if c.status == status)

        return {
            "appropriated": self.appropriated.get((line, year), 0),
            "committed": total("committed"),
            "paid": total("paid"),
            "carried_in": self.carried_in[line, year],
            "carried_out": self.carried_out[line, year],
            "lapsed": total("lapsed"),
        }

    def by_case(self) -> dict[int, dict[str, Any]]:
        """Per case: what stands committed (unpaid) and what was paid, over every line."""
        found: dict[int, dict[str, Any]] = {}
        for commitment in self.commitments.values():
            if commitment.case is None or commitment.status not in ("committed", "paid"):
                continue
            amounts = found.setdefault(commitment.case, {"committed": 0, "paid": 0})
            amounts[commitment.status] += commitment.amount
        return found
