"""Alert rules, configurable thresholds, who may do what, and name similarity for matching."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shokei.kernel import Actor, Permission, Role
from shokei.ownership.domain import (
    DEFAULT_ALERT_LEVELS,
    alert_changes,
    foreign_control,
    parse_alert_levels,
)
from shokei.ownership.names import name_similarity, normalize_company_name
from shokei.ownership.registry import REVIEW_FROM

D = Decimal


def test_reaching_a_threshold_raises_and_falling_below_resolves() -> None:
    # 5 % -> 14 %: the 1 % alert is already open, 10 % is newly reached.
    assert alert_changes(0.14, [D(1)], DEFAULT_ALERT_LEVELS).to_raise == (D(10),)
    # 14 % -> 6.2 %: the 10 % alert goes, the 1 % one stays.
    changes = alert_changes(0.062, [D(1), D(10)], DEFAULT_ALERT_LEVELS)
    assert (changes.to_raise, changes.to_resolve) == ((), (D(10),))
    # From nothing to full control: every threshold at once, lowest first.
    assert alert_changes(1.0, [], DEFAULT_ALERT_LEVELS).to_raise == (D(1), D(10), D(25), D(50))


def test_exactly_at_a_threshold_counts_as_reached_despite_float_error() -> None:
    # 0.1 * 0.4 + 0.06 is 0.09999999999999999 in binary floating point: it is 10 %.
    assert alert_changes(0.1 * 0.4 + 0.06, [], [D(10)]).to_raise == (D(10),)
    assert alert_changes(0.0999, [], [D(10)]).to_raise == ()


def test_an_alert_for_a_threshold_no_longer_configured_resolves() -> None:
    changes = alert_changes(0.03, [D(5)], [D(1), D(10)])
    assert (changes.to_raise, changes.to_resolve) == ((D(1),), (D(5),))
    # Still above 25 %, but 25 % is no longer watched.
    assert alert_changes(0.30, [D(10), D(25)], [D(10)]).to_resolve == (D(25),)


def test_foreign_control_is_the_larger_reading() -> None:
    assert foreign_control(0.30, 0.50) == 0.50  # OFAC FAQ 401 example: attribution dominates
    assert foreign_control(0.40, 0.0) == 0.40  # a 40 % minority passes no control, but is held


def test_thresholds_parse_sorted_and_distinct() -> None:
    assert parse_alert_levels(["25", "1", "10 ", "50%", "10"]) == (D(1), D(10), D(25), D(50))
    assert parse_alert_levels(["0.5"]) == (D("0.5"),)
    for bad, message in [
        (["0"], "above 0"),
        (["101"], "at most 100"),
        (["x"], "not a number"),
        ([], "at least one"),
        (["NaN"], "above 0"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_alert_levels(bad)


@pytest.mark.parametrize("role", list(Role))
def test_officials_and_auditors_read_register_offices_write(role: Role) -> None:
    readers = {Role.INTAKE_OFFICER, Role.EXAMINER, Role.NEGOTIATOR, Role.PROGRAM_MANAGER, Role.AUDITOR}
    writers = {Role.INTAKE_OFFICER, Role.PROGRAM_MANAGER, Role.ADMIN}
    actor = Actor(user_id=1, username="someone", role=role)
    assert actor.can(Permission.OWNERSHIP_READ) is (role in readers)
    assert actor.can(Permission.OWNERSHIP_WRITE) is (role in writers)


@pytest.mark.parametrize(
    "spelling",
    [
        "カ)トヨタジドウシャ",
        "トヨタジドウシャ(カ",
        "ﾄﾖﾀｼﾞﾄﾞｳｼｬ(ｶ",
        "(カ)トヨタジドウシャ",
        "カブシキガイシャ トヨタジドウシャ",
        "トヨタジドウシャ カブシキカイシャ",
    ],
)
def test_katakana_legal_forms_of_bank_and_payroll_files_fall_away(spelling: str) -> None:
    assert normalize_company_name(spelling) == "トヨタジドウシャ"


def test_a_katakana_word_that_merely_starts_like_a_form_is_kept() -> None:
    assert normalize_company_name("カメラ工業株式会社") == "カメラ工業"
    assert normalize_company_name("ドローン技研") == "ドローン技研"


@pytest.mark.parametrize(
    ("first", "second", "score"),
    [
        ("株式会社トヨタ自動車", "トヨタ自動車株式会社", 1.0),
        ("㈱トヨタ自動車", "トヨタ自動車", 1.0),
        # Ratcliff-Obershelp: 2 * matching characters / total characters.
        ("トヨタ自動車", "トヨタ自動車販売株式会社", 2 * 6 / 14),
        ("トヨタ紡織株式会社", "株式会社トヨタ自動車", 2 * 3 / 11),
        ("三菱重工業株式会社", "三菱電機株式会社", 2 * 2 / 9),
        ("株式会社", "株式会社", 0.0),
    ],
)
def test_similarity_of_normalised_names(first: str, second: str, score: float) -> None:
    assert name_similarity(first, second) == pytest.approx(score)


def test_the_review_threshold_keeps_near_spellings_and_drops_shared_words() -> None:
    assert name_similarity("トヨタ自動車", "トヨタ自動車販売") >= REVIEW_FROM
    assert name_similarity("トヨタ紡織", "トヨタ自動車") < REVIEW_FROM
    assert name_similarity("合同会社A技研", "合同会社B技研") < REVIEW_FROM
