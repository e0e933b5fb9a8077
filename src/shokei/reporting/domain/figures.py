"""The program report's figures, computed from the audit ledger's events alone. Pure: the same
function runs over the database's ledger (`report program`) and over an exported one with no
database (`report verify`), so anyone holding an export can recompute every figure.

Which events each section reads is said by its module: `cases` (counts, states, days in each
state, reasons for exit, SME share, the case listing), `budget` (per budget line and per case),
`custody` (documents, copies, alerts, measures). No feature records incidents yet: none.

Time is the Japanese fiscal year of each event's moment in Tokyo. Case states, the case
listing's amounts and custody figures are as they stood at the end of the year (or now, for the
current year); budget line figures are those of the year's lines as the ledger stands (what
`budget show` reports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

from shokei.purchase.domain import fiscal_year_span
from shokei.reporting.domain.budget import Budget
from shokei.reporting.domain.cases import Cases
from shokei.reporting.domain.custody import Alerts, Copies, Documents, Measures
from shokei.reporting.domain.events import events_of

LISTING = "case_listing"  # the section of one line per case, each named by its case id


def program_figures(documents: Iterable[Mapping[str, Any]], year: int) -> dict[str, Any]:
    """Every figure of the fiscal year's program report (all but the checkpoint)."""
    starts, ends = fiscal_year_span(year)
    cases, budget, at_year_end = Cases(year), Budget(), Budget()
    documents_held, copies, alerts, measures = Documents(year), Copies(year), Alerts(year), Measures(year)
    for event in events_of(documents):
        budget.read(event)  # budget lines as they stand now
        if event.day > ends:
            continue
        for reader in (cases, at_year_end, documents_held, copies, alerts, measures):
            reader.read(event)
    return {
        "fiscal_year": year,
        "period": {"starts": starts.isoformat(), "ends": ends.isoformat()},
        "cases": cases.figures(),
        "budget": budget.figures(year),
        "documents": documents_held.figures(),
        "copies": copies.figures(),
        "alerts": alerts.figures(),
        "incidents": [],
        "measures": measures.figures(),
        LISTING: cases.listing(at_year_end.by_case()),
    }


def differences(
    reported: Mapping[str, Any], recomputed: Mapping[str, Any], prefix: str = ""
) -> list[dict[str, Any]]:
    """Every figure whose reported value differs from the recomputed one, by dotted name (a
    listing's lines by their id: `case_listing.12.paid_yen`)."""
    found: list[dict[str, Any]] = []
    for key in sorted(set(reported) | set(recomputed), key=str):
        name = f"{prefix}{key}"
        mine, theirs = reported.get(key), recomputed.get(key)
        if isinstance(mine, Mapping) and isinstance(theirs, Mapping):
            found.extend(differences(mine, theirs, f"{name}."))
        elif _listing(mine) and _listing(theirs):
            found.extend(differences(_by_id(mine), _by_id(theirs), f"{name}."))
        elif mine != theirs:
            found.append({"figure": name, "reported": mine, "recomputed": theirs})
    return found


def _listing(value: object) -> TypeGuard[list[Mapping[str, Any]]]:
    return isinstance(value, list) and all(isinstance(line, Mapping) and "id" in line for line in value)


def _by_id(lines: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(line["id"]): line for line in lines}
