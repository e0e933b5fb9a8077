"""An answer validated in full, pure: every problem named by sheet, row and column, each a
catalogue message with its values as parameters (rendered in the reader's language by the
adapters).

An answer holds up to three sheets in the columns of `supply import`: `components` (new parts
the respondent declares), `bom` (what each part is made of) and `supply` (who supplies which
part; a Japanese supplier by corporate number, a foreign one by country and registry id).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from shokei.companies.domain import CorporateNumber, ForeignId
from shokei.errors import N_, BadInput, Text
from shokei.supply_chain import batch
from shokei.supply_chain.batch import MAX_TIER, RecordKind

SHARE_TOLERANCE = 1e-9
# `supply import`'s words, and the Japanese a respondent writes in the template.
TRUE_WORDS = batch.TRUE_WORDS | {"はい", "○"}
FALSE_WORDS = batch.FALSE_WORDS | {"いいえ", "×"}


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
    """One problem of an answer: where (sheet, row, column) and what, as a catalogue message
    (`text`, rendered in the reader's language by each adapter; `message` is its English)."""

    sheet: str
    row: int
    column: str
    text: Text

    @property
    def message(self) -> str:
        return self.text.render()

    def as_dict(self) -> dict[str, Any]:
        """The stored and reported form: the English message, and the msgid with its parameters
        (every parameter a plain string or number) to render it in another language."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "msgid": self.text.msgid,
            "params": dict(self.text.params),
        }


def problem(sheet: str, row: int, column: str, msgid: str, **params: str | int) -> Problem:
    return Problem(sheet, row, column, Text(msgid, params))


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

    def complain(self, column: str, message: Text | str, **params: str | int) -> None:
        """A problem in `column`: a msgid with its parameters (or a `Text` given whole)."""
        text = message if isinstance(message, Text) else Text(message, params)
        self.problems.append(Problem(self.sheet, self.row, column, text))

    def text(self, column: str) -> str | None:
        value = self.cells.get(column)
        value = value.strip() if value is not None else None
        if not value:
            if column in REQUIRED[self.sheet]:
                self.complain(column, N_("is empty"))
            return None
        limit = MAX_LENGTH.get(column)
        if limit is not None and len(value) > limit:
            self.complain(column, N_("is longer than %(limit)s characters"), limit=limit)
        return value

    def number(self, column: str, *, low: float, high: float | None, above_low: bool) -> float | None:
        raw = self.text(column)
        if raw is None:
            return None
        try:
            value = float(raw.rstrip("%")) / (100 if raw.endswith("%") else 1)
        except ValueError:
            self.complain(column, N_("%(value)s is not a number"), value=repr(raw))
            return None
        if not math.isfinite(value) or (value <= low if above_low else value < low):
            msgid = (
                N_("%(value)s must be above %(low)s")
                if above_low
                else N_("%(value)s must be at least %(low)s")
            )
            self.complain(column, msgid, value=repr(raw), low=f"{low:g}")
            return None
        if high is not None and value > high + SHARE_TOLERANCE:
            self.complain(
                column,
                N_("%(value)s is over 100 percent (a share is between 0 and 1, or 0 and 100 percent)"),
                value=repr(raw),
            )
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
        problems.append(problem(SUPPLY, 1, "part_number", N_("the answer has no supply rows")))
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
                problem(
                    sheet.name,
                    1,
                    column,
                    N_("unknown column; the columns are %(columns)s"),
                    columns=", ".join(f"'{c}'" for c in known),
                )
            )
    for column in REQUIRED[sheet.name]:
        if column not in sheet.header:
            problems.append(problem(sheet.name, 1, column, N_("the column is missing")))


def _read_components(
    sheet: Sheet, answer: Answer, problems: list[Problem], places: dict[str, tuple[str, int, str]]
) -> None:
    for row, cells in sheet.rows:
        reader = _Reader(sheet.name, row, cells, problems)
        part, name = reader.text("part_number"), reader.text("name")
        if part is None:
            continue
        if part in places:
            reader.complain(
                "part_number",
                N_("%(part)s is given twice (first in row %(row)s)"),
                part=part,
                row=places[part][1],
            )
            continue
        places[part] = (sheet.name, row, "part_number")
        answer.components.append((part, name))


def _unknown(reader: _Reader, column: str, part: str | None, declared: Set[str]) -> bool:
    if part is not None and part not in declared:
        reader.complain(
            column,
            N_("unknown component %(part)s: neither in the map nor in the components sheet"),
            part=part,
        )
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
                "child_part_number",
                N_("%(parent)s → %(child)s is given twice (first in row %(row)s)"),
                parent=parent,
                child=child,
                row=seen[key],
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
        reader.complain(
            "corporate_number", N_("give a corporate number or a country and registry id, not both")
        )
        return None, None, False
    if number:
        try:
            return CorporateNumber.parse(number).value, None, True
        except BadInput as error:
            reader.complain("corporate_number", _text(error))
            return None, None, False
    if not country and not registry:
        reader.complain("corporate_number", N_("is empty (a foreign supplier: country and registry_id)"))
        return None, None, False
    try:
        return None, ForeignId.parse(country or "", registry or ""), True
    except BadInput as error:
        reader.complain("country" if not country or len(country) != 2 else "registry_id", _text(error))
        return None, None, False


def _text(error: BadInput) -> Text:
    """A registry identifier's refusal (companies.domain) as the problem's message."""
    return error.text if error.text is not None else Text("%(message)s", {"message": error.message})


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
                "part_number",
                N_("%(supplier)s supplying %(part)s is given twice (first in row %(row)s)"),
                supplier=key[0],
                part=part,
                row=seen[key],
            )
            continue
        seen[key] = row
        if share is not None:
            before = shares.get(part, 0.0)
            shares[part] = before + share
            if before <= 1 + SHARE_TOLERANCE < shares[part]:
                reader.complain(
                    "share",
                    N_("the shares of %(part)s add up to %(total)s percent, over 100 percent"),
                    part=part,
                    total=f"{shares[part] * 100:.4g}",
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
        reader.complain(
            "tier",
            N_("%(value)s must be a tier from 1 (supplies the prime) to %(max)s"),
            value=repr(raw),
            max=MAX_TIER,
        )
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
    reader.complain(column, N_("%(value)s is not true or false"), value=repr(raw))
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
                problem(
                    BOM,
                    row,
                    "child_part_number",
                    N_("makes a cycle: %(path)s (a part cannot contain itself)"),
                    path=shown,
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
