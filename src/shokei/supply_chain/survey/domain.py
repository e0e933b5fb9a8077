"""Survey rules, pure: an answer validated in full (every problem named by sheet, row and column),
the respondents' statuses, a weapon system's supplier base counted, and the event of silence.

An answer holds up to three sheets in the columns of `supply import`: `components` (new parts
the respondent declares), `bom` (what each part is made of) and `supply` (who supplies which
part; a Japanese supplier by corporate number, a foreign one by country and registry id).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from shokei.companies.domain import CorporateNumber, ForeignId
from shokei.errors import BadInput
from shokei.kernel import Actor
from shokei.kernel.bus import Event
from shokei.supply_chain import batch
from shokei.supply_chain.batch import MAX_TIER, RecordKind

SHARE_TOLERANCE = 1e-9
# `supply import`'s words, and the Japanese a respondent writes in the template.
TRUE_WORDS = batch.TRUE_WORDS | {"はい", "○"}
FALSE_WORDS = batch.FALSE_WORDS | {"いいえ", "×"}


class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RespondentStatus(StrEnum):
    PENDING = "pending"
    ANSWERED = "answered"
    PARTIAL = "partial"  # answered, but left out a part it was asked about
    UNANSWERED = "unanswered"  # still pending when the campaign closed


@dataclass(frozen=True, slots=True)
class SurveyUnanswered(Event):
    """A respondent had not answered when its campaign closed (the risk feature records it)."""

    campaign_id: int
    system_code: str
    corporate_number: str
    closed_on: date
    actor: Actor


@dataclass(frozen=True, slots=True)
class SurveyRequested(Event):
    """A company was asked in a campaign (by the officials or forwarded by a respondent) and owes
    its answer by the due date (the deadlines feature starts its clock and reminders)."""

    campaign_id: int
    system_code: str
    corporate_number: str
    due_on: date


@dataclass(frozen=True, slots=True)
class SurveyAnswered(Event):
    """A respondent's answer was accepted (its answer duty ends)."""

    campaign_id: int
    corporate_number: str


@dataclass(frozen=True, slots=True)
class SurveyClosed(Event):
    """A campaign was closed: no answer is owed any more."""

    campaign_id: int


# -- the answer's sheets ----------------------------------------------------------------------

COMPONENTS, BOM, SUPPLY = "components", "bom", "supply"
SHEET_COLUMNS: dict[str, tuple[str, ...]] = {
    COMPONENTS: ("part_number", "name"),
    BOM: ("parent_part_number", "child_part_number", "quantity"),
    SUPPLY: ("corporate_number", "country", "registry_id", "part_number", "tier", "share", "qualified"),
}
# Required columns and lengths are `supply import`'s; a supplier's corporate number is not required
# here, since a foreign supplier is named by country and registry id instead (`_supplier`).
_KINDS = {COMPONENTS: RecordKind.COMPONENTS, BOM: RecordKind.BOM, SUPPLY: RecordKind.SUPPLY}
REQUIRED: dict[str, tuple[str, ...]] = {
    sheet: tuple(c.name for c in batch.COLUMNS[kind] if c.required and c.name != "corporate_number")
    for sheet, kind in _KINDS.items()
}
MAX_LENGTH = {
    c.name: c.max_length for kind in _KINDS.values() for c in batch.COLUMNS[kind] if c.max_length is not None
}


@dataclass(frozen=True, slots=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet as read: its header (row 1) and each data row's cells by column name, as text."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, Mapping[str, str | None]], ...]


@dataclass(frozen=True, slots=True)
class SupplyRow:
    part_number: str
    tier: int
    share: float | None
    qualified: bool
    corporate_number: str | None = None  # a Japanese supplier
    foreign: ForeignId | None = None  # or a foreign one

    @property
    def supplier(self) -> str:
        return self.corporate_number or str(self.foreign)


@dataclass
class Answer:
    """A valid answer's records, ready to apply."""

    components: list[tuple[str, str | None]] = field(default_factory=list)
    bom: list[tuple[str, str, float]] = field(default_factory=list)
    supply: list[SupplyRow] = field(default_factory=list)

    @property
    def parts(self) -> set[str]:
        """Every part the answer speaks about."""
        named = {part for part, _ in self.components} | {row.part_number for row in self.supply}
        return named | {parent for parent, _, _ in self.bom} | {child for _, child, _ in self.bom}

    def suppliers_of_parts(self) -> dict[str, set[str]]:
        """Japanese suppliers named in the answer and the parts each is named for."""
        found: dict[str, set[str]] = {}
        for row in self.supply:
            if row.corporate_number:
                found.setdefault(row.corporate_number, set()).add(row.part_number)
        return found


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """What validation needs from the map: the respondent, the parts stored, and the stored BOM
    below the answer's parts (part number -> child part numbers)."""

    corporate_number: str
    tier: int
    known_parts: Set[str]
    stored_children: Mapping[str, Sequence[str]]


class _Reader:
    """Collects problems while parsing one row's cells."""

    def __init__(
        self, sheet: str, row: int, cells: Mapping[str, str | None], problems: list[Problem]
    ) -> None:
        self.sheet, self.row, self.cells, self.problems = sheet, row, cells, problems

    def complain(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.sheet, self.row, column, message))

    def text(self, column: str) -> str | None:
        value = self.cells.get(column)
        value = value.strip() if value is not None else None
        if not value:
            if column in REQUIRED[self.sheet]:
                self.complain(column, "is empty")
            return None
        limit = MAX_LENGTH.get(column)
        if limit is not None and len(value) > limit:
            self.complain(column, f"is longer than {limit} characters")
        return value

    def number(self, column: str, *, low: float, high: float | None, above_low: bool) -> float | None:
        raw = self.text(column)
        if raw is None:
            return None
        try:
            value = float(raw.rstrip("%")) / (100 if raw.endswith("%") else 1)
        except ValueError:
            self.complain(column, f"{raw!r} is not a number")
            return None
        if not math.isfinite(value) or (value <= low if above_low else value < low):
            self.complain(column, f"{raw!r} must be {'above' if above_low else 'at least'} {low:g}")
            return None
        if high is not None and value > high + SHARE_TOLERANCE:
            self.complain(column, f"{raw!r} is over 100 % (a share is between 0 and 1, or 0 % and 100 %)")
            return None
        return value


def validate(sheets: Sequence[Sheet], context: AnswerContext) -> tuple[list[Problem], Answer]:
    """Every problem of an answer (none means it may be applied) and its records."""
    problems: list[Problem] = []
    answer = Answer()
    found = {sheet.name: sheet for sheet in sheets}
    for sheet in sheets:
        _check_header(sheet, problems)
    if not found.get(SUPPLY) or not found[SUPPLY].rows:
        problems.append(Problem(SUPPLY, 1, "part_number", "the answer has no supply rows"))
    places: dict[str, tuple[str, int, str]] = {}  # part number -> where it was declared
    if COMPONENTS in found:
        _read_components(found[COMPONENTS], answer, problems, places)
    declared = set(context.known_parts) | {part for part, _ in answer.components}
    bom_places: list[tuple[int, tuple[str, str]]] = []
    if BOM in found:
        bom_places = _read_bom(found[BOM], answer, problems, declared)
    if SUPPLY in found:
        _read_supply(found[SUPPLY], answer, problems, declared, context)
    problems.extend(_cycle_problems(bom_places, context.stored_children))
    order = list(SHEET_COLUMNS)
    problems.sort(key=lambda p: (order.index(p.sheet), p.row))
    return problems, answer


def _check_header(sheet: Sheet, problems: list[Problem]) -> None:
    known = SHEET_COLUMNS[sheet.name]
    for column in sheet.header:
        if column and column not in known:
            problems.append(
                Problem(sheet.name, 1, column, f"unknown column; the columns are {', '.join(known)}")
            )
    for column in REQUIRED[sheet.name]:
        if column not in sheet.header:
            problems.append(Problem(sheet.name, 1, column, "the column is missing"))


def _read_components(
    sheet: Sheet, answer: Answer, problems: list[Problem], places: dict[str, tuple[str, int, str]]
) -> None:
    for row, cells in sheet.rows:
        reader = _Reader(sheet.name, row, cells, problems)
        part, name = reader.text("part_number"), reader.text("name")
        if part is None:
            continue
        if part in places:
            reader.complain("part_number", f"{part} is given twice (first in row {places[part][1]})")
            continue
        places[part] = (sheet.name, row, "part_number")
        answer.components.append((part, name))


def _unknown(reader: _Reader, column: str, part: str | None, declared: Set[str]) -> bool:
    if part is not None and part not in declared:
        reader.complain(column, f"unknown component {part}: neither in the map nor in the components sheet")
        return True
    return part is None


def _read_bom(
    sheet: Sheet, answer: Answer, problems: list[Problem], declared: Set[str]
) -> list[tuple[int, tuple[str, str]]]:
    seen: dict[tuple[str, str], int] = {}
    places: list[tuple[int, tuple[str, str]]] = []
    for row, cells in sheet.rows:
        reader = _Reader(sheet.name, row, cells, problems)
        parent, child = reader.text("parent_part_number"), reader.text("child_part_number")
        quantity = reader.number("quantity", low=0, high=None, above_low=True)
        bad_parent = _unknown(reader, "parent_part_number", parent, declared)
        bad_child = _unknown(reader, "child_part_number", child, declared)
        if bad_parent or bad_child or parent is None or child is None:
            continue
        key = (parent, child)
        if key in seen:
            reader.complain(
                "child_part_number", f"{parent} → {child} is given twice (first in row {seen[key]})"
            )
            continue
        seen[key] = row
        places.append((row, key))
        answer.bom.append((parent, child, 1.0 if quantity is None else quantity))
    return places


def _supplier(reader: _Reader) -> tuple[str | None, ForeignId | None, bool]:
    number, country, registry = (reader.cells.get(c) for c in ("corporate_number", "country", "registry_id"))
    number, country, registry = (v.strip() if v else None for v in (number, country, registry))
    if number and (country or registry):
        reader.complain("corporate_number", "give a corporate number or a country and registry id, not both")
        return None, None, False
    if number:
        try:
            return CorporateNumber.parse(number).value, None, True
        except BadInput as error:
            reader.complain("corporate_number", error.message)
            return None, None, False
    if not country and not registry:
        reader.complain("corporate_number", "is empty (a foreign supplier: country and registry_id)")
        return None, None, False
    try:
        return None, ForeignId.parse(country or "", registry or ""), True
    except BadInput as error:
        reader.complain("country" if not country or len(country) != 2 else "registry_id", error.message)
        return None, None, False


def _read_supply(
    sheet: Sheet, answer: Answer, problems: list[Problem], declared: Set[str], context: AnswerContext
) -> None:
    seen: dict[tuple[str, str], int] = {}
    shares: dict[str, float] = {}
    for row, cells in sheet.rows:
        reader = _Reader(sheet.name, row, cells, problems)
        number, foreign, ok = _supplier(reader)
        part = reader.text("part_number")
        tier = _tier(reader, number, context)
        share = reader.number("share", low=0, high=1, above_low=False)
        qualified = _boolean(reader, "qualified")
        if _unknown(reader, "part_number", part, declared) or not ok or part is None or tier is None:
            continue
        key = (number or str(foreign), part)
        if key in seen:
            reader.complain(
                "part_number", f"{key[0]} supplying {part} is given twice (first in row {seen[key]})"
            )
            continue
        seen[key] = row
        if share is not None:
            before = shares.get(part, 0.0)
            shares[part] = before + share
            if before <= 1 + SHARE_TOLERANCE < shares[part]:
                reader.complain(
                    "share", f"the shares of {part} add up to {shares[part] * 100:.4g} %, over 100 %"
                )
        row_value = SupplyRow(part, tier, share, True if qualified is None else qualified, number, foreign)
        answer.supply.append(row_value)


def _tier(reader: _Reader, number: str | None, context: AnswerContext) -> int | None:
    raw = reader.text("tier")
    if raw is None:
        # The respondent's own rows are at its tier; its suppliers are one tier below.
        return context.tier if number == context.corporate_number else min(context.tier + 1, MAX_TIER)
    try:
        tier = int(float(raw))
    except ValueError:
        tier = 0
    if raw not in (str(tier), f"{tier}.0") or not 1 <= tier <= MAX_TIER:
        reader.complain("tier", f"{raw!r} must be a tier from 1 (supplies the prime) to {MAX_TIER}")
        return None
    return tier


def _boolean(reader: _Reader, column: str) -> bool | None:
    raw = reader.text(column)
    if raw is None:
        return None
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    reader.complain(column, f"{raw!r} is not true or false")
    return None


def _cycle_problems(
    places: Sequence[tuple[int, tuple[str, str]]], stored: Mapping[str, Sequence[str]]
) -> list[Problem]:
    """A BOM line of the answer that closes a cycle (with the stored BOM or the answer's lines)."""
    children: dict[str, list[str]] = {part: list(kids) for part, kids in stored.items()}
    problems = []
    for row, (parent, child) in places:
        path = _path(children, child, parent)
        if path is not None:
            shown = " → ".join([parent, *path])
            problems.append(
                Problem(
                    BOM, row, "child_part_number", f"makes a cycle: {shown} (a part cannot contain itself)"
                )
            )
            continue
        children.setdefault(parent, []).append(child)
    return problems


def _path(children: Mapping[str, Sequence[str]], start: str, goal: str) -> list[str] | None:
    """A path start → ... → goal along the BOM, or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    visited: set[str] = set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in visited:
            continue
        visited.add(node)
        stack.extend((child, [*path, child]) for child in children.get(node, ()))
    return None


# -- statuses ------------------------------------------------------------------------------------


def answered_status(asked_parts: Iterable[str], answer: Answer) -> RespondentStatus:
    """Answered, or partial when the answer leaves out a part the respondent was asked about."""
    return RespondentStatus.PARTIAL if set(asked_parts) - answer.parts else RespondentStatus.ANSWERED


def closing_status(status: RespondentStatus) -> RespondentStatus:
    """At closing a respondent still pending did not answer; the others keep their status."""
    return RespondentStatus.UNANSWERED if status is RespondentStatus.PENDING else status


# -- a weapon system's supplier base -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupplyFact:
    """One supply pair inside a system's BOM: the supplier (corporate number, or `CC-registry`
    for a foreign one), the part, the tier and whether it is qualified."""

    supplier: str
    part_number: str
    tier: int
    qualified: bool
    foreign: bool


@dataclass(frozen=True, slots=True)
class SupplierBase:
    companies: int
    by_tier: dict[int, int]
    sole_sources: int
    foreign: int
    tiers: dict[str, int]  # supplier -> its tier in the system (the smallest it supplies at)
    sole: frozenset[str]  # the sole sources


def supplier_base(facts: Iterable[SupplyFact]) -> SupplierBase:
    """Every supplier of a part in the system's BOM counts once, at the smallest tier it supplies
    at. A sole source is the only qualified supplier (domestic or foreign) of some part."""
    tiers: dict[str, int] = {}
    qualified: dict[str, set[str]] = {}
    foreign: set[str] = set()
    for fact in facts:
        tiers[fact.supplier] = min(fact.tier, tiers.get(fact.supplier, fact.tier))
        if fact.qualified:
            qualified.setdefault(fact.part_number, set()).add(fact.supplier)
        if fact.foreign:
            foreign.add(fact.supplier)
    sole = frozenset(next(iter(sources)) for sources in qualified.values() if len(sources) == 1)
    by_tier: dict[int, int] = {}
    for tier in tiers.values():
        by_tier[tier] = by_tier.get(tier, 0) + 1
    return SupplierBase(len(tiers), dict(sorted(by_tier.items())), len(sole), len(foreign), tiers, sole)
