"""Successor selection at the registry's advertised scale: eligible candidates first, a page at a
time, filterable by name, prefecture and capability, a select action per row, the ineligible
counted under a rule they fail; with 100,000 registered companies the case page stays small."""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal

from fastapi import FastAPI
from sqlalchemy import insert

from shokei.companies.domain import CorporateNumber
from shokei.companies.models import Company
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import services as succession
from shokei.succession.schemas import CandidateFilter, CandidatePageView
from tests.factories import Office
from tests.web.conftest import as_user

PREFECTURES = ("北海道", "宮城県", "東京都", "神奈川県", "愛知県", "大阪府", "広島県", "福岡県")
# n % 5 decides what is wrong with generated company n (the first rule it fails).
FLAWS = ("sound", "capability", "financial_health", "security_compliance", "capacity")
_serial = itertools.count(500_000_000_001)


def register_many(uow: UnitOfWork, count: int, *, sound_every: int = 5) -> None:
    """`count` companies inserted in bulk with the ORM's core insert. Company n is sound when
    n % sound_every == 0, else it has the flaw FLAWS[n % 5] (no capacity when that is "sound")."""
    now = uow.clock.now()

    def row(n: int) -> dict[str, object]:
        flaw = "sound" if n % sound_every == 0 else FLAWS[n % 5] if n % 5 else "capacity"
        return {
            "corporate_number": CorporateNumber.from_base(f"{next(_serial):012d}").value,
            "name": f"量産試験工業{n:06d}株式会社",
            "country": "JP",
            "industry": "manufacturing",
            "created_at": now,
            "prefecture": PREFECTURES[n % len(PREFECTURES)],
            "capabilities": ["painting"] if flaw == "capability" else ["machining", "welding"],
            "capacity": 0 if flaw == "capacity" else 3,
            "financial_distress": flaw == "financial_health",
            "security_compliant_until": None if flaw == "security_compliance" else date(2027, 12, 31),
            "foreign_share_percent": Decimal(0),
            "foreign_share_country": "JP",
        }

    with uow.transaction() as session:
        connection = session.connection()
        for start in range(0, count, 5000):
            connection.execute(insert(Company), [row(n) for n in range(start, min(start + 5000, count))])


def _selecting(office: Office) -> int:
    """A case waiting for its successor; the withdrawing company machines (what a successor needs)."""
    office.make_eligible(office.withdrawing)
    case_id = office.open_case().id
    office.to_successor_selection(case_id)
    return case_id


def _every_page(uow: UnitOfWork, office: Office, case_id: int, **wanted: str) -> list[CandidatePageView]:
    first = succession.candidate_page(uow, office.manager, case_id, CandidateFilter(per_page=3, **wanted))
    rest = [
        succession.candidate_page(uow, office.manager, case_id, CandidateFilter(per_page=3, page=n, **wanted))
        for n in range(2, first.pages + 1)
    ]
    return [first, *rest]


def test_the_pages_hold_the_eligible_ranking_and_count_the_rest_by_rule(
    uow: UnitOfWork, office: Office
) -> None:
    case_id = _selecting(office)
    register_many(uow, 50)
    pages = _every_page(uow, office, case_id)
    shown = [c for page in pages for c in page.candidates]
    full = succession.rank_candidates(uow, office.manager, case_id)

    # The paged list is the full ranking's eligible part, in the same order, 3 to a page.
    assert [c.corporate_number for c in shown] == [c.corporate_number for c in full if c.eligible]
    assert len(shown) == 10
    assert all(c.eligible for c in shown)
    assert [len(page.candidates) for page in pages] == [3, 3, 3, 1]
    # Generated: 10 of each flaw; the office's successor company has no financial facts on
    # record, the withdrawing company is not independent of itself.
    counts = {count.rule: count.companies for count in pages[0].ineligible}
    assert counts == {
        "financial_health": 11,
        "security_compliance": 10,
        "independence": 1,
        "capability": 10,
        "capacity": 10,
    }
    assert pages[0].matching == 52
    assert pages[0].eligible == 10
    # Each counted company really fails the rule it is counted under in the full assessment.
    for rule, count in counts.items():
        assert count <= sum(1 for c in full if any(r.name == rule and not r.passed for r in c.rules)), rule
    assert sum(counts.values()) == sum(1 for c in full if not c.eligible)


def test_the_filters_narrow_the_candidates(uow: UnitOfWork, office: Office) -> None:
    case_id = _selecting(office)
    register_many(uow, 50)
    in_aichi = [c for page in _every_page(uow, office, case_id, prefecture="愛知県") for c in page.candidates]
    # n = 0..49 sound when n % 5 == 0, in 愛知県 when n % 8 == 4: n = 20
    assert [c.name for c in in_aichi] == ["量産試験工業000020株式会社"]
    assert (
        succession.candidate_page(
            uow, office.manager, case_id, CandidateFilter(capability="painting")
        ).eligible
        == 0
    )
    one = succession.candidate_page(uow, office.manager, case_id, CandidateFilter(name="000035"))
    assert [c.name for c in one.candidates] == ["量産試験工業000035株式会社"]
    refused = succession.candidate_page(uow, office.manager, case_id, CandidateFilter(name="000012"))
    assert refused.candidates == []
    assert refused.eligible == 0
    (named,) = refused.ineligible_named  # 12 % 5 == 2: in financial distress
    assert [r.name for r in named.rules if not r.passed] == ["financial_health"]
    options = succession.candidate_page(uow, office.manager, case_id, CandidateFilter())
    assert set(PREFECTURES) <= set(options.prefectures)
    assert "painting" in options.capabilities


def test_the_case_page_stays_small_with_100000_registered_companies(
    uow: UnitOfWork, app: FastAPI, office: Office
) -> None:
    case_id = _selecting(office)
    register_many(uow, 100_000, sound_every=100)
    manager = as_user(app, "manager")
    response = manager.get(f"/cases/{case_id}")
    assert response.status_code == 200
    assert len(response.content) < 200_000, len(response.content)
    page = response.text
    rows = re.findall(r'<tr class="candidate" data-corporate-number="(\d{13})"', page)
    assert len(rows) == 20
    # A select action on every row, for that row's company.
    for number in rows:
        assert f'name="corporate_number" value="{number}"' in page
    count = re.search(r"<p id=\"candidate-count\">(.*?)</p>", page, re.S)
    assert count is not None
    assert count.group(1) == "条件に合う登録企業 100,002 社のうち適格 1,000 社"  # 1 in 100 is sound
    assert 'data-rule="financial_health"' in page
    second = manager.get(f"/cases/{case_id}", params={"candidate_page": "2"})
    later = re.findall(r'<tr class="candidate" data-corporate-number="(\d{13})"', second.text)
    assert len(later) == 20
    assert not set(later) & set(rows)
    assert len(second.content) < 200_000
