"""Every problem the answer checks can name is a catalogue message with its values as parameters
(survey.domain, survey.sheets, companies.domain): rendered in Japanese it holds no English
sentence and keeps its values, and the report the page, the API and the CLI show renders it in
the reader's language (a problem stored before messages were data is shown as written)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from shokei.companies.domain import CorporateNumber
from shokei.supply_chain.survey import sheets
from shokei.supply_chain.survey.domain import BOM, COMPONENTS, SUPPLY, AnswerContext, Problem, Sheet, validate
from shokei.supply_chain.survey.schemas import AnswerReport, ProblemView
from shokei.web import i18n
from tests.web.test_japanese_messages import english_sentence

OWN = CorporateNumber.from_base("100000000001").value
OTHER = CorporateNumber.from_base("100000000002").value
SUPPLY_HEADER = ("corporate_number", "country", "registry_id", "part_number", "tier", "share", "qualified")


def _row(**cells: str) -> Mapping[str, str | None]:
    return {column: cells.get(column) for column in SUPPLY_HEADER}


def _problems() -> list[Problem]:
    context = AnswerContext(OWN, 1, frozenset({"P-1", "P-2"}), {"P-2": ("P-1",)})
    supply = Sheet(
        SUPPLY,
        (*SUPPLY_HEADER, "colour"),  # an unknown column
        (
            (2, _row(corporate_number=OWN, part_number="P-1", tier="1", share="0.7")),
            (3, _row(corporate_number=OWN, part_number="P-1")),  # given twice
            (4, _row(corporate_number=OTHER, part_number="P-1", share="0.6")),  # shares 130 %
            (5, _row(corporate_number="12345", part_number="P-1")),  # digits
            (6, _row(corporate_number="12345678901ab", part_number="P-1")),  # not digits
            (7, _row(corporate_number=f"9{OWN[1:]}", part_number="P-1")),  # check digit
            (8, _row(corporate_number=OWN, country="US", registry_id="1", part_number="P-1")),  # both
            (9, _row(part_number="P-1")),  # no supplier at all
            (10, _row(country="USA", registry_id="1", part_number="P-1")),  # country
            (11, _row(country="JP", registry_id="1", part_number="P-1")),  # a Japanese one
            (12, _row(country="US", registry_id=" ", part_number="P-1")),  # no registry id
            (13, _row(corporate_number=OTHER, part_number="P-9")),  # unknown component
            (14, _row(corporate_number=OTHER, part_number="P-2", tier="0")),  # tier
            (15, _row(corporate_number=OTHER, part_number="P-2", share="x")),  # not a number
            (16, _row(corporate_number=OTHER, part_number="P-2", share="-1")),  # below 0
            (17, _row(corporate_number=OTHER, part_number="P-2", share="150%")),  # over 100 %
            (18, _row(corporate_number=OTHER, part_number="P-2", qualified="maybe")),  # not a boolean
            (19, _row(corporate_number=OTHER, part_number="")),  # empty
        ),
    )
    bom = Sheet(
        BOM,
        ("parent_part_number", "child_part_number", "quantity"),
        (
            (2, {"parent_part_number": "P-1", "child_part_number": "P-2", "quantity": "1"}),  # cycle
            (3, {"parent_part_number": "P-1", "child_part_number": "P-2", "quantity": "0"}),  # twice, 0
        ),
    )
    components = Sheet(
        COMPONENTS,
        ("name",),  # part_number missing
        ((2, {"part_number": "P-3", "name": "x" * 300}), (3, {"part_number": "P-3", "name": "y"})),
    )
    problems, _ = validate([supply, bom, components], context)
    problems += validate([Sheet(SUPPLY, SUPPLY_HEADER, ())], context)[0]  # no supply rows
    problems += sheets.read_answer("a.xlsx", b"PK\x03\x04 not a zip")[1]
    problems += sheets.read_answer("a.csv", "法人番号".encode("shift_jis"))[1]
    return problems


PROBLEMS = _problems()


def test_the_checks_give_every_kind_of_problem() -> None:
    assert len(PROBLEMS) >= 25
    assert len({problem.text.msgid for problem in PROBLEMS}) >= 22


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: f"{p.sheet}-{p.row}-{p.column}")
def test_each_problem_is_shown_in_japanese_with_its_values(problem: Problem) -> None:
    message = problem.message  # the English rendering (logs, an English reader)
    view = ProblemView(**problem.as_dict())
    with i18n.activate("ja"):
        shown = view.localised(i18n.gettext).message
    assert shown != message, f"no Japanese for {message!r}"
    assert english_sentence(shown) is None, shown
    for value in ("P-9", "P-1 → P-2 → P-1", "'0'", "'x'", "'maybe'", "'USA'", "'150%'"):
        if value in message:
            assert value in shown, (message, shown)
    with i18n.activate("en"):
        english = view.localised(i18n.gettext).message
    assert "%(" not in english
    assert all(str(value) in english for value in problem.text.params.values())


def test_the_report_is_rendered_whole_and_keeps_old_stored_problems() -> None:
    old = ProblemView(sheet="supply", row=2, column="tier", message="'0' must be a tier from 1 to 4")
    report = AnswerReport(accepted=False, problems=[ProblemView(**PROBLEMS[0].as_dict()), old], applied={})
    with i18n.activate("ja"):
        shown = report.localised(i18n.gettext)
    assert shown.problems[0].message != PROBLEMS[0].message
    assert shown.problems[1].message == old.message
    assert report.problems[0].message == PROBLEMS[0].message  # the service's report is left as given
