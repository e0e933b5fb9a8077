"""Company-name matching: legal forms in every spelling fall away, the distinguishing part stays."""

from __future__ import annotations

import pytest

from shokei.ownership.names import normalize_company_name, same_company_name

TOYOTA_SPELLINGS = [
    "株式会社トヨタ自動車",
    "トヨタ自動車",
    "㈱トヨタ自動車",
    "(株)トヨタ自動車",
    "（株）トヨタ自動車",
    "トヨタ自動車株式会社",
    "トヨタ自動車　株式会社",  # ideographic space
    "トヨタ自動車(株)",
    "㍿トヨタ自動車",
]


@pytest.mark.parametrize("spelling", TOYOTA_SPELLINGS)
def test_legal_form_spellings_of_one_company_match(spelling: str) -> None:
    assert normalize_company_name(spelling) == "トヨタ自動車"
    assert same_company_name(spelling, "株式会社トヨタ自動車")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("有限会社山田製作所", "㈲山田製作所"),
        ("山田製作所(有)", "有限会社 山田製作所"),
        ("合同会社ミライ技研", "ミライ技研"),
        ("合資会社丸一商店", "丸一商店"),
        ("合名会社丸一商店", "丸一商店"),
        ("Toyota Motor Corporation", "TOYOTA MOTOR CO., LTD."),
        ("Toyota Motor K.K.", "toyota motor inc."),
        ("Ｔｏｙｏｔａ　Ｍｏｔｏｒ　Ｃｏ．，Ｌｔｄ．", "Toyota Motor"),  # full-width Latin
        ("ｿﾆｰ株式会社", "ソニー"),  # half-width katakana
        ("ソニーK.K.", "ソニー株式会社"),
        ("Mitsubishi Heavy Industries, Ltd.", "MITSUBISHI HEAVY INDUSTRIES"),
    ],
)
def test_other_legal_forms_and_widths_match(first: str, second: str) -> None:
    assert same_company_name(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("株式会社日立製作所", "株式会社東芝"),
        ("三菱重工業株式会社", "三菱電機株式会社"),
        ("合同会社A技研", "合同会社B技研"),
        ("株式会社トヨタ", "トヨタ自動車株式会社"),
        ("Incoming Inc.", "Outgoing Inc."),
        ("株式会社", "株式会社"),  # a bare legal form names no company
        ("株式会社", "有限会社"),
        ("", ""),
    ],
)
def test_distinct_companies_sharing_a_legal_form_do_not_match(first: str, second: str) -> None:
    assert not same_company_name(first, second)


def test_legal_form_letters_inside_a_word_are_kept() -> None:
    # "Inc" and "Corp" only go as whole words: Incoming and Corporación keep their letters.
    assert normalize_company_name("Incoming Inc.") == "incoming"
    assert normalize_company_name("Corporación Andina") == "corporaciónandina"
