"""Markings: what counts, what must not (秘書, prose 注意, "secretary"), and the output order."""

from __future__ import annotations

import pytest

from shokei.documents.markings import find_markings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("特別防衛秘密", ["特別防衛秘密"]),  # not also 防衛秘密 or 秘
        ("防衛秘密", ["防衛秘密"]),
        ("特定秘密 指定", ["特定秘密"]),
        ("装備品等秘密", ["装備品等秘密"]),
        ("省秘", ["省秘"]),
        ("部外秘", ["部外秘"]),
        ("社外秘", ["社外秘"]),
        ("取扱注意", ["取扱注意"]),
        ("取り扱い注意", ["取扱注意"]),
        ("【秘】", ["秘"]),
        ("(秘) 設計図", ["秘"]),
        ("秘密区分: 秘", ["秘"]),
        ("㊙ 部品図", ["秘"]),
        ("㊙資料", ["秘"]),  # the circled stamp counts even glued to a word
        ("輸出管理規程に従うこと", ["輸出管理"]),
        ("該非判定書", ["該非判定"]),
        ("非該当", ["非該当"]),
        ("該非: 該当", ["該当"]),
        ("リスト規制該当品", ["該当"]),
        ("【該当】", ["該当"]),
    ],
)
def test_japanese_markings(text: str, expected: list[str]) -> None:
    assert find_markings(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TOP SECRET", ["TOP SECRET"]),
        ("SECRET//NOFORN", ["SECRET"]),
        ("SECRET文書", ["SECRET"]),
        ("CONFIDENTIAL", ["CONFIDENTIAL"]),
        ("Confidential", ["CONFIDENTIAL"]),  # alone on its line: a footer stamp
        ("  Company Confidential  \nPage 3", ["CONFIDENTIAL"]),
        ("EXPORT CONTROLLED", ["EXPORT CONTROLLED"]),
        ("This data is export-controlled.", ["EXPORT CONTROLLED"]),
        ("Subject to ITAR (22 CFR 120-130)", ["ITAR"]),
        ("International Traffic in Arms Regulations apply", ["ITAR"]),
        ("Classification: EAR99", ["EAR99"]),
        ("ECCN: 3A001.a.1", ["ECCN 3A001.a.1"]),
        ("該非: 3A001", ["ECCN 3A001"]),
        ("DISTRIBUTION STATEMENT D. Distribution authorized to DoD", ["DISTRIBUTION STATEMENT D"]),
        ("Distribution Statement A: approved for public release", ["DISTRIBUTION STATEMENT A"]),
    ],
)
def test_english_markings(text: str, expected: list[str]) -> None:
    assert find_markings(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "秘書課に提出すること",  # secretary's office
        "神秘的な設計思想",  # mystery
        "秘密保持契約に基づく",  # non-disclosure agreement in prose
        "思いを秘める",
        "防衛省秘密保全規則",  # 省 + 秘密, not the 省秘 marking
        "注意して取り付けること",  # caution in running prose
        "ご注意ください。注意事項は別紙",
        "該当する部品を交換する",  # "applicable" in prose
        "輸出: 該当なし",  # "none applicable"
        "特定秘密保護法の解説",  # the act's name, not a marking
        "The secretary signed the form.",
        "a secret recipe and confidential information",
        "Part no. 3A001, bracket",  # looks like an ECCN, no export context
        "TOP-SECRETARIAT",
        "DISTRIBUTION STATEMENT applies to all pages",
    ],
)
def test_false_positives(text: str) -> None:
    assert find_markings(text) == []


@pytest.mark.parametrize(
    "text", ["【注意】", "(注意)", "[注意]", "〔注意〕", "「 注意 」", "図面\n注意\n本文"]
)
def test_caution_stamp_counts_only_as_a_stamp(text: str) -> None:
    assert find_markings(text) == ["注意"]


def test_full_and_half_width_forms_are_normalised() -> None:
    assert find_markings("ＣＯＮＦＩＤＥＮＴＩＡＬ") == ["CONFIDENTIAL"]
    assert find_markings("ＴＯＰ　ＳＥＣＲＥＴ") == ["TOP SECRET"]  # ideographic space too
    assert find_markings("（秘）") == ["秘"]
    assert find_markings("ＥＣＣＮ　３Ａ００１") == ["ECCN 3A001"]
    assert find_markings("ﾄﾘｱﾂｶｲ") == []  # half-width kana read as kana, no marking in it


def test_results_are_deduplicated_in_catalogue_order() -> None:
    text = (
        "ECCN 5E002\nDISTRIBUTION STATEMENT F\n社外秘\nTOP SECRET\n【秘】\n"
        "ECCN 3A001\nDISTRIBUTION STATEMENT B\n社外秘\nSECRET\n特別防衛秘密\n"
    )
    assert find_markings(text) == [
        "特別防衛秘密",
        "TOP SECRET",
        "SECRET",
        "秘",
        "社外秘",
        "ECCN 3A001",
        "ECCN 5E002",
        "DISTRIBUTION STATEMENT B",
        "DISTRIBUTION STATEMENT F",
    ]
    reordered = "\n".join(reversed(text.splitlines()))
    assert find_markings(reordered) == find_markings(text)  # order of appearance does not matter


def test_crlf_line_ends_keep_stamp_lines() -> None:
    assert find_markings("表紙\r\n注意\r\n本文") == ["注意"]
    assert find_markings("Confidential\r\n") == ["CONFIDENTIAL"]
