"""The pure rules of a company's access: certifications (valid on a day, why not), scope tags,
the expiry window, and what a suspension or a certification needs."""

from __future__ import annotations

from datetime import date

import pytest

from shokei.companies.domain import (
    Certification,
    CertificationEnd,
    check_certification,
    expiring_within,
    parse_scope,
    require_reason,
)
from shokei.errors import BadInput

CERTIFIED = Certification("保全 太郎", date(2026, 6, 10), ("radar",))


def test_a_certification_is_valid_through_its_last_day_and_not_after() -> None:
    assert CERTIFIED.valid_on(date(2026, 6, 10))
    assert not CERTIFIED.valid_on(date(2026, 6, 11))
    assert str(CERTIFIED.describe(date(2026, 6, 1))) == "certified until 2026-06-10 (custodian 保全 太郎)"
    assert str(CERTIFIED.describe(date(2026, 6, 11))) == "certification expired 2026-06-10"


def test_an_ended_certification_is_never_valid_and_says_why() -> None:
    revoked = Certification("保全 太郎", date(2027, 1, 1), ended=CertificationEnd.REVOKED, end_reason="不備")
    assert not revoked.valid_on(date(2026, 6, 1))
    assert str(revoked.describe(date(2026, 6, 1))) == "certification revoked: 不備"
    expired = Certification("保全 太郎", date(2026, 5, 31), ended=CertificationEnd.EXPIRED)
    assert str(expired.describe(date(2026, 6, 1))) == "certification expired 2026-05-31"


def test_scope_tags_are_trimmed_deduplicated_and_sorted() -> None:
    assert parse_scope(" sonar, radar ,,radar") == ("radar", "sonar")
    assert parse_scope(None) == ()


def test_the_expiry_window_counts_days_from_today_and_includes_lapsed_ones() -> None:
    today = date(2026, 6, 1)
    assert expiring_within(date(2026, 6, 10), today, 9)
    assert not expiring_within(date(2026, 6, 11), today, 9)
    assert expiring_within(date(2026, 5, 1), today, 0)  # lapsed, not yet swept
    assert expiring_within(date(2099, 1, 1), today, None)
    with pytest.raises(BadInput):
        expiring_within(date(2026, 6, 10), today, -1)


def test_a_certification_names_a_custodian_and_is_not_born_expired() -> None:
    check_certification("保全 太郎", date(2026, 6, 1), date(2026, 6, 1))
    with pytest.raises(BadInput, match="custodian"):
        check_certification("  ", date(2026, 7, 1), date(2026, 6, 1))
    with pytest.raises(BadInput, match="already expired"):
        check_certification("保全 太郎", date(2026, 5, 31), date(2026, 6, 1))


def test_a_reason_is_required() -> None:
    assert require_reason("  調査のため ") == "調査のため"
    with pytest.raises(BadInput):
        require_reason("   ")
