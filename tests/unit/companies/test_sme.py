import pytest

from shokei.companies.domain import Industry, classify_sme

M, W, R, S = Industry.MANUFACTURING, Industry.WHOLESALE, Industry.RETAIL, Industry.SERVICES


@pytest.mark.parametrize(
    ("industry", "capital", "employees", "sme", "small"),
    [
        (M, 300_000_000, 5000, True, False),  # capital exactly at the limit
        (M, 300_000_001, 300, True, False),  # employees exactly at the limit
        (M, 300_000_001, 301, False, False),  # both above
        (M, 10_000_000_000, 20, True, True),  # big capital, but 20 people: small-scale
        (M, 10_000_000_000, 21, True, False),
        (W, 100_000_000, 500, True, False),
        (W, 100_000_001, 101, False, False),
        (W, 1_000_000, 5, True, True),
        (W, 1_000_000, 6, True, False),
        (R, 50_000_001, 50, True, False),
        (R, 50_000_001, 51, False, False),
        (S, 50_000_001, 100, True, False),
        (S, 50_000_001, 101, False, False),
        (S, 10_000_000, 5, True, True),
        (M, None, None, False, False),  # unknown figures never qualify
        (M, None, 250, True, False),
    ],
)
def test_sme_basic_act_thresholds(
    industry: Industry, capital: int | None, employees: int | None, sme: bool, small: bool
) -> None:
    status = classify_sme(industry, capital, employees)
    assert (status.sme, status.small_scale) == (sme, small)
