import pytest

from shokei.companies.domain import CorporateNumber, ForeignId, corporate_check_digit
from shokei.errors import BadInput

# Published corporate numbers (国税庁法人番号公表サイト).
PUBLISHED = {
    "1180301018771": "トヨタ自動車株式会社",
    "8010401050387": "三菱重工業株式会社",
    "5010401067252": "ソニーグループ株式会社",
    "7000012050002": "国税庁",
}


@pytest.mark.parametrize("number", sorted(PUBLISHED))
def test_published_numbers_pass_the_check_digit(number: str) -> None:
    assert CorporateNumber.parse(number).value == number


@pytest.mark.parametrize("number", sorted(PUBLISHED))
def test_any_single_wrong_check_digit_is_refused(number: str) -> None:
    for wrong in "0123456789":
        if wrong != number[0]:
            with pytest.raises(BadInput, match=f"expected {number[0]}"):
                CorporateNumber.parse(wrong + number[1:])


def test_check_digit_worked_by_hand() -> None:
    # 180301018771 from the right: odd positions ×1, even ×2:
    # 1 + 7*2 + 7 + 8*2 + 1 + 0*2 + 1 + 0*2 + 3 + 0*2 + 8 + 1*2 = 53; 53 mod 9 = 8; 9 - 8 = 1.
    assert corporate_check_digit("180301018771") == 1


def test_sum_divisible_by_nine_gives_check_digit_nine() -> None:
    assert corporate_check_digit("000000000000") == 9


@pytest.mark.parametrize(
    "spelling",
    [
        "１１８０３０１０１８７７１",
        "1-1803-0101-8771",
        " 1180301018771 ",
        "1 1803 0101 8771",
        "1‐1803‐0101‐8771",
    ],
)
def test_full_width_digits_and_separators_are_normalised(spelling: str) -> None:
    assert CorporateNumber.parse(spelling).value == "1180301018771"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("118030101877", "has 12 digits; it must have 13"),
        ("11803010187711", "has 14 digits"),
        ("", "is empty"),
        ("11803O1018771", "only digits"),
        ("١١٨٠٣٠١٠١٨٧٧١", "only digits"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(raw: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        CorporateNumber.parse(raw)


def test_foreign_ids_need_a_country_code_other_than_japan() -> None:
    assert str(ForeignId.parse("cn", "91110000MA01")) == "CN-91110000MA01"
    with pytest.raises(BadInput, match="ISO 3166"):
        ForeignId.parse("China", "1")
    with pytest.raises(BadInput, match="corporate number"):
        ForeignId.parse("JP", "1")
    with pytest.raises(BadInput, match="registry id"):
        ForeignId.parse("US", " ")
