"""The pure rules of designations (装備品等秘密): status as of a day, renewal, the expiring window and
who is certified for copies; and the statutory marking on a PDF whose pages are turned."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pikepdf
import pypdf
import pytest

from shokei.companies.domain import Certification, CertificationEnd
from shokei.errors import BadInput, Conflict
from shokei.formats.marking.base import CopyLabel
from shokei.formats.marking.pdf import make_pdf_copy
from shokei.secrets.domain import (
    CertificationGap,
    certification_gap,
    check_designation,
    check_renewal,
    expiring_within,
    status_on,
)
from shokei.web import i18n
from tests.pdf_text import visible_text

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("stored", "until", "status"),
    [
        ("designated", date(2026, 6, 2), "designated"),
        ("designated", TODAY, "designated"),  # valid through its last day
        ("designated", date(2026, 5, 31), "expired"),
        ("lifted", date(2027, 1, 1), "lifted"),
        ("lifted", date(2026, 1, 1), "lifted"),
    ],
)
def test_status_as_of_today(stored: str, until: date, status: str) -> None:
    assert status_on(stored, until, TODAY).value == status


def test_a_designation_runs_beyond_today_and_a_renewal_only_later() -> None:
    with pytest.raises(BadInput):
        check_designation(TODAY, TODAY)
    check_designation(date(2026, 6, 2), TODAY)
    with pytest.raises(BadInput):
        check_renewal("designated", date(2026, 12, 31), date(2026, 12, 31), TODAY)
    with pytest.raises(Conflict):
        check_renewal("lifted", date(2026, 12, 31), date(2027, 12, 31), TODAY)
    check_renewal("designated", date(2026, 5, 1), date(2026, 7, 1), TODAY)  # an expired one may be renewed


def test_the_expiring_window_counts_days_from_today_and_keeps_expired_ones() -> None:
    assert expiring_within(date(2026, 6, 11), TODAY, 10)
    assert not expiring_within(date(2026, 6, 12), TODAY, 10)
    assert expiring_within(date(2026, 5, 1), TODAY, 0)
    assert expiring_within(date(2099, 1, 1), TODAY, None)
    with pytest.raises(BadInput):
        expiring_within(TODAY, TODAY, -1)


def test_who_is_certified_for_designated_secrets() -> None:
    scoped = Certification("保全 太郎", date(2026, 12, 31), ("designated_secret", "drawings"))
    assert certification_gap(scoped, TODAY)[0] is None
    assert certification_gap(None, TODAY)[0] is CertificationGap.NEVER_CERTIFIED
    narrow = Certification("保全 太郎", date(2026, 12, 31), ("drawings",))
    gap, why = certification_gap(narrow, TODAY)
    assert (gap, str(why)) == (
        CertificationGap.SCOPE,
        "certification scope (drawings) does not cover designated_secret",
    )
    with i18n.activate("ja"):
        assert why.render(i18n.gettext) == "認定の範囲（drawings）は designated_secret を含んでいません"
    lapsed = Certification("保全 太郎", date(2026, 5, 31), ("designated_secret",))
    assert certification_gap(lapsed, TODAY)[0] is CertificationGap.NOT_IN_FORCE
    revoked = Certification(
        "保全 太郎", date(2026, 12, 31), ("designated_secret",), CertificationEnd.REVOKED, "違反"
    )
    gap, why = certification_gap(revoked, TODAY)
    assert (gap, str(why)) == (CertificationGap.NOT_IN_FORCE, "certification revoked: 違反")


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_the_marking_is_visible_on_every_page_however_it_is_turned(
    sample_files: Path, tmp_path: Path, rotate: int
) -> None:
    source = tmp_path / "turned.pdf"
    with pikepdf.open(sample_files / "four-pages.pdf") as pdf:
        for page in pdf.pages:
            page.obj.Rotate = rotate
        pdf.save(source)
    label = CopyLabel("SK1-TURNED", "承継重工業株式会社", "5010401067252", TODAY, date(2026, 12, 17))
    make_pdf_copy(source, label, tmp_path / "copy.pdf")
    pages = pypdf.PdfReader(tmp_path / "copy.pdf").pages
    assert len(pages) == 4
    for page in pages:
        text = visible_text(page)
        assert "装備品等秘密（防衛生産基盤強化法第27条） 有効期限 2026-12-17" in text
        assert (
            "DESIGNATED SECRET (Equipment Secret) - Act No. 54 of 2023, Art. 27 - valid until 2026-12-17"
            in text
        )
    unmarked = CopyLabel("SK1-PLAIN", "承継重工業株式会社", "5010401067252", TODAY)
    make_pdf_copy(source, unmarked, tmp_path / "plain.pdf")
    assert all("装備品等秘密" not in visible_text(p) for p in pypdf.PdfReader(tmp_path / "plain.pdf").pages)
