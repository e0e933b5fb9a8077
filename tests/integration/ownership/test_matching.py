"""Imported entities meet the registry: by corporate number outright, by name only on review.

株式会社トヨタ自動車, トヨタ自動車 and ㈱トヨタ自動車 are one name; 株式会社東京精機 shares only
the legal form with the registry's companies and is proposed for none of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shokei.errors import Conflict
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services
from tests.integration.ownership.conftest import Office, entity_statement, stake_statement, write_package


def _registry(office: Office) -> dict[str, str]:
    names = ["トヨタ自動車株式会社", "株式会社日立製作所", "株式会社東芝"]
    return {name: office.company(name).corporate_number or "" for name in names}


def _package(tmp_path: Path, toshiba_number: str) -> Path:
    return write_package(
        tmp_path / "holders.json",
        [
            entity_statement("toyota-1", "株式会社トヨタ自動車"),
            entity_statement("toyota-2", "㈱トヨタ自動車"),
            entity_statement("seiki", "株式会社東京精機"),
            entity_statement(
                "toshiba", "TOSHIBA CORPORATION", identifiers=[{"scheme": "JP-JCN", "id": toshiba_number}]
            ),
            entity_statement("pacific", "Pacific Components Holdings Inc.", country="US"),
            stake_statement("p-t1", "pacific", "toyota-1", {"exact": 30}),
            stake_statement("p-t2", "pacific", "toyota-2", {"minimum": 5, "maximum": 10}),
            stake_statement("p-ts", "pacific", "toshiba", {"exact": 12}),
        ],
    )


def test_a_corporate_number_links_at_once_and_names_wait_for_review(
    uow: UnitOfWork, office: Office, tmp_path: Path
) -> None:
    registry = _registry(office)
    report = services.import_bods(uow, office.intake, _package(tmp_path, registry["株式会社東芝"]))
    assert [(link.entity.name, link.corporate_number) for link in report.linked] == [
        ("株式会社東芝", registry["株式会社東芝"])
    ]  # the registry's name is kept
    assert sorted((c.entity.reference, c.company_name, c.score) for c in report.review) == [
        ("toyota-1", "トヨタ自動車株式会社", 1.0),
        ("toyota-2", "トヨタ自動車株式会社", 1.0),
    ]
    # Linked by number: its holders count for the registry company, and alert at once.
    toshiba = services.foreign_control_of(uow, office.examiner, registry["株式会社東芝"])
    assert toshiba.direct_foreign == pytest.approx(0.12)
    assert sorted(a.threshold for a in report.alerts_raised) == [0.01, 0.10]
    # Matched by name only: nothing counts for トヨタ until an official accepts.
    toyota = services.foreign_control_of(uow, office.examiner, registry["トヨタ自動車株式会社"])
    assert toyota.foreign_control == 0.0


def test_accepting_links_then_merges_and_alerts_follow(
    uow: UnitOfWork, office: Office, tmp_path: Path
) -> None:
    registry = _registry(office)
    services.import_bods(uow, office.intake, _package(tmp_path, registry["株式会社東芝"]))
    first, second = sorted(
        services.list_match_candidates(uow, office.examiner), key=lambda candidate: candidate.entity.reference
    )
    linked = services.decide_match(uow, office.manager, first.id, accept=True)
    assert linked.candidate.status == "accepted"
    assert sorted(a.threshold for a in linked.alerts_raised) == [0.01, 0.10, 0.25]
    number = registry["トヨタ自動車株式会社"]
    assert services.foreign_control_of(uow, office.examiner, number).direct_foreign == pytest.approx(0.30)
    # The second record names the same company: accepting merges it into the linked entity, and
    # its range (at least 5 %) now adds to the 30 % held.
    merged = services.decide_match(uow, office.manager, second.id, accept=True)
    assert [a.threshold for a in merged.alerts_raised] == []
    view = services.foreign_control_of(uow, office.examiner, number)
    assert view.direct_foreign == pytest.approx(0.35)
    assert sorted(view.entity.record_ids) == ["toyota-1", "toyota-2"]
    assert services.foreign_control_of(uow, office.examiner, "toyota-2").entity.reference == number
    with pytest.raises(Conflict, match="already accepted"):
        services.decide_match(uow, office.manager, second.id, accept=False)
    assert services.list_match_candidates(uow, office.auditor) == []


def test_rejecting_a_match_links_nothing(uow: UnitOfWork, office: Office, tmp_path: Path) -> None:
    registry = _registry(office)
    services.import_bods(uow, office.intake, _package(tmp_path, registry["株式会社東芝"]))
    candidate = services.list_match_candidates(uow, office.examiner)[0]
    decided = services.decide_match(uow, office.intake, candidate.id, accept=False)
    assert (decided.candidate.status, decided.alerts_raised) == ("rejected", [])
    assert (
        services.foreign_control_of(uow, office.examiner, registry["トヨタ自動車株式会社"]).foreign_control
        == 0
    )
    rejected = services.list_match_candidates(uow, office.examiner, status="rejected")
    assert [c.id for c in rejected] == [candidate.id]
