"""BODS 0.4 import and export on the seven real Open Ownership example packages (real_files) and on
a generated package (tests/samples.py) that runs in any clone.

Expected counts and values were read off the files by hand (see
shared/fixtures/real/README.md for what each one exercises).
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shokei.ownership.bods import (
    BodsDocument,
    Publication,
    export_bods,
    format_identifier,
    indirect_checks,
    parse_bods,
    parse_identifier,
)
from shokei.ownership.domain import (
    Directness,
    EntityKind,
    Interest,
    InterestType,
    Party,
    Share,
    validate_interests,
)
from tests import samples
from tests.real_files import FILES


@pytest.fixture
def bods(real_files: Path) -> Path:
    return real_files / "bods"


def _load(bods: Path, name: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = json.loads((bods / name).read_bytes())
    return statements


@pytest.mark.parametrize(
    ("name", "entities", "persons", "relationships"),
    [
        ("bods-package.json", 1, 1, 1),
        ("bods-package-entity-owning-entity.json", 2, 0, 1),
        ("indirect-ownership.json", 2, 1, 3),
        ("mixed-direct-and-indirect-ownership.json", 2, 1, 3),
        ("multiple-indirect-ownership.json", 3, 1, 5),
        ("bods-package-fi-soe.json", 4, 0, 5),
        ("joint-ownership.json", 2, 2, 3),
    ],
)
def test_every_real_package_imports_whole(
    bods: Path, name: str, entities: int, persons: int, relationships: int
) -> None:
    document = parse_bods((bods / name).read_bytes())
    assert document.problems == ()
    assert (len(document.entities), len(document.persons), len(document.relationships)) == (
        entities,
        persons,
        relationships,
    )


@pytest.mark.parametrize("name", [name.split("/")[1] for name in FILES if name.startswith("bods/")])
def test_every_real_package_exports_back_to_the_same_statements(bods: Path, name: str) -> None:
    # Export rebuilds each record's modelled fields from the domain objects; a statement comes
    # back verbatim only when the rebuilt details equal the published ones.
    raw = (bods / name).read_bytes()
    assert export_bods(parse_bods(raw)) == json.loads(raw)


def test_parties_carry_kind_country_and_scheme_identifiers(bods: Path) -> None:
    document = parse_bods((bods / "bods-package-fi-soe.json").read_bytes())
    assert document.parties["19f1c5afe9d7"] == Party(
        "19f1c5afe9d7", EntityKind.FOREIGN_COMPANY, "Gasgrid Finland Oy", "FI", ("FI-PRO-3007894-1",)
    )
    assert document.parties["7ff95ba3682c"].kind is EntityKind.STATE  # stateBody: a ministry
    assert document.parties["05ce06ec97b1"].kind is EntityKind.STATE
    assert all(party.is_foreign for party in document.parties.values())


def test_persons_and_arrangements(bods: Path) -> None:
    person = parse_bods((bods / "bods-package.json").read_bytes()).persons[0]
    assert (person.name, person.country) == ("Jennifer Hewitson-Smith", "GB")
    joint = parse_bods((bods / "joint-ownership.json").read_bytes())
    assert joint.parties["91b4236a7d89"].kind is EntityKind.ARRANGEMENT
    assert joint.parties["31c55e425764"].country == "GB"  # from its jurisdiction


def test_country_falls_back_to_the_identifier_register(bods: Path) -> None:
    # JENEX LIMITED has no jurisdiction, only a GB-COH identifier.
    document = parse_bods((bods / "bods-package-entity-owning-entity.json").read_bytes())
    jenex = document.parties["12b7dd0770ce"]
    assert (jenex.kind, jenex.country, jenex.identifiers) == (
        EntityKind.FOREIGN_COMPANY,
        "GB",
        ("GB-COH-03209885",),
    )


def test_a_share_range_is_kept_as_a_range(bods: Path) -> None:
    document = parse_bods((bods / "bods-package-entity-owning-entity.json").read_bytes())
    (interest,) = document.interests
    assert (interest.owner, interest.owned) == ("e83cce729ada", "12b7dd0770ce")
    assert interest.share == Share(minimum=Decimal(75), exclusive_maximum=Decimal(100))
    assert document.stakes == [interest]


def test_two_interests_on_one_pair_stay_apart(bods: Path) -> None:
    # Person 1 holds 50 % of Company A indirectly (from 2017) and 50 % directly (from 2019).
    document = parse_bods((bods / "mixed-direct-and-indirect-ownership.json").read_bytes())
    interests = document.relationships["f5a45a6daf31"].interests
    assert [(i.directness, i.share, i.start_date) for i in interests] == [
        (Directness.INDIRECT, Share.exactly(50), date(2017, 11, 1)),
        (Directness.DIRECT, Share.exactly(50), date(2019, 5, 1)),
    ]
    assert interests[1] in document.stakes
    assert interests[0] not in document.stakes
    assert document.declared_indirect == [interests[0]]


def test_interests_without_type_or_share_are_kept_but_not_computed(bods: Path) -> None:
    document = parse_bods((bods / "indirect-ownership.json").read_bytes())
    (unknown,) = document.relationships["05e81af035e4"].interests
    assert (unknown.interest_type, unknown.share, unknown.directness) == (None, None, Directness.UNKNOWN)
    assert unknown.source == "asserted by Company A"
    assert [(stake.owner, stake.owned) for stake in document.stakes] == [("d4ab89ea169a", "ad3f6c2fcc9e")]


def test_declared_indirect_30_percent_cannot_be_computed_from_its_chain(bods: Path) -> None:
    # Company B holds 60 % of Company A; Person 1's interest in B has no share, so the
    # declared 30 % of A can be shown but not derived.
    document = parse_bods((bods / "indirect-ownership.json").read_bytes())
    (check,) = indirect_checks(document)
    assert (check.declared.owner, check.declared.owned) == ("c25d4d612c2c", "ad3f6c2fcc9e")
    assert check.declared.share == Share.exactly(30)
    assert check.computed is None
    assert check.missing_links == (("c25d4d612c2c", "d4ab89ea169a"),)


def test_declared_indirect_share_is_computed_once_every_link_has_a_share(bods: Path) -> None:
    statements = _load(bods, "indirect-ownership.json")
    link = next(s for s in statements if s["recordId"] == "05e81af035e4")
    link["recordDetails"]["interests"] = [
        {"type": "shareholding", "directOrIndirect": "direct", "share": {"exact": 50}}
    ]
    (check,) = indirect_checks(parse_bods(statements))
    assert check.missing_links == ()
    assert check.computed == pytest.approx(0.30)  # 50 % of B, which holds 60 % of A


def test_declared_indirect_shares_in_the_other_packages(bods: Path) -> None:
    expected = {
        "mixed-direct-and-indirect-ownership.json": [
            (Share.exactly(50), (("53508b65253f", "ec61aeda7141"),))
        ],
        "multiple-indirect-ownership.json": [
            (Share.exactly(60), (("92ebf964a1f6", "05fbbfb94b79"), ("92ebf964a1f6", "d177864a8b39")))
        ],
        # The state controls the ministry without a share ("otherInfluenceOrControl").
        "bods-package-fi-soe.json": [(Share.exactly(100), (("05ce06ec97b1", "7ff95ba3682c"),))],
    }
    for name, checks in expected.items():
        found = indirect_checks(parse_bods((bods / name).read_bytes()))
        assert [(check.declared.share, check.missing_links) for check in found] == checks
        assert all(check.computed is None for check in found)


def test_bad_statements_are_reported_and_the_rest_imported(bods: Path) -> None:
    good = _load(bods, "bods-package.json")
    relationship = good[2]
    bad: list[Any] = ["not an object", {"recordId": "x", "recordType": "entity"}]
    for statement_id, change in [
        ("s-unknown-type", {"recordType": "annotation"}),
        ("s-share-150", {"recordDetails.interests.0.share": {"exact": 150}}),
        ("s-negative", {"recordDetails.interests.0.share": {"minimum": -1}}),
        ("s-bad-date", {"recordDetails.interests.0.startDate": "2016-13-01"}),
        ("s-bad-interest-type", {"recordDetails.interests.0.type": "friendship"}),
        ("s-dangling", {"recordDetails.interestedParty": "nobody"}),
        ("s-unspecified", {"recordDetails.interestedParty": {"reason": "unknown"}}),
        ("s-old-version", {"publicationDetails.bodsVersion": "0.2"}),
    ]:
        bad.append(_changed(relationship, statement_id, change))
    bad.append(copy.deepcopy(good[0]))  # the same statement twice
    document = parse_bods([*good, *bad])
    assert (len(document.entities), len(document.persons), len(document.relationships)) == (1, 1, 1)
    reported = {(problem.statement_id, problem.position) for problem in document.problems}
    assert reported == {
        (None, 3),
        (None, 4),
        ("s-unknown-type", 5),
        ("s-share-150", 6),
        ("s-negative", 7),
        ("s-bad-date", 8),
        ("s-bad-interest-type", 9),
        ("s-dangling", 10),
        ("s-unspecified", 11),
        ("s-old-version", 12),
        ("1dc0e987-5c57-4a1c-b3ad-61353b66a9b7", 13),
    }
    reasons = {problem.statement_id: problem.reason for problem in document.problems}
    assert "outside 0-100" in reasons["s-share-150"]
    assert "nobody" in reasons["s-dangling"]
    assert "unspecified (unknown)" in reasons["s-unspecified"]
    assert "appears twice" in reasons["1dc0e987-5c57-4a1c-b3ad-61353b66a9b7"]


def _changed(statement: dict[str, Any], statement_id: str, change: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(statement)
    changed["statementId"] = statement_id
    changed["recordId"] = statement_id
    for path, value in change.items():
        *parents, last = path.split(".")
        target: Any = changed
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return changed


def test_a_changed_record_is_exported_as_an_updated_statement(bods: Path) -> None:
    raw = (bods / "bods-package-fi-soe.json").read_bytes()
    document = parse_bods(raw)
    relationship = document.relationships["87ed6d1daf8f"]
    (stake,) = relationship.interests
    moved = replace(stake, share=Share.exactly("70.25"))
    relationships = {**document.relationships, "87ed6d1daf8f": replace(relationship, interests=(moved,))}
    exported = export_bods(BodsDocument(document.parties, relationships, (), document.published))
    original = json.loads(raw)
    changed = [(old, new) for old, new in zip(original, exported, strict=True) if old != new]
    assert len(changed) == 1
    old, new = changed[0]
    assert new["recordId"] == "87ed6d1daf8f"
    assert new["recordStatus"] == "updated"
    assert new["statementId"] != old["statementId"]
    assert new["recordDetails"]["interests"][0]["share"] == {"exact": 70.25}
    assert new["publicationDetails"] == old["publicationDetails"]


def test_shokei_parties_and_interests_export_and_read_back() -> None:
    parties = [
        Party(
            "jp-1",
            EntityKind.REGISTERED_COMPANY,
            "株式会社東京精機",
            "JP",
            (format_identifier("JP-JCN", "1234567890123"),),
        ),
        Party("cn-1", EntityKind.FOREIGN_COMPANY, "Example Holdings Ltd", "CN"),
        Party("us-1", EntityKind.PERSON, "Jane Roe", "US"),
    ]
    interests = [
        Interest(
            "cn-1",
            "jp-1",
            share=Share.exactly("33.4"),
            start_date=date(2023, 4, 1),
            source="EDINET large shareholding report",
        ),
        Interest(
            "us-1",
            "jp-1",
            share=Share(minimum=Decimal(5), maximum=Decimal(10)),
            directness=Directness.UNKNOWN,
        ),
        Interest(
            "us-1",
            "cn-1",
            voting=Share.exactly(60),
            interest_type=InterestType.VOTING_RIGHTS,
            end_date=date(2025, 3, 31),
        ),
        Interest("us-1", "cn-1", appoints_board=True, interest_type=InterestType.APPOINTMENT_OF_BOARD),
    ]
    publication = Publication("Ministry of Defense (Shokei)", date(2025, 6, 1))
    statements = export_bods(BodsDocument.from_domain(parties, interests), publication)
    assert [s["recordType"] for s in statements] == [
        "entity",
        "entity",
        "person",
        "relationship",
        "relationship",
        "relationship",
    ]
    assert all(s["publicationDetails"]["bodsVersion"] == "0.4" for s in statements)
    assert all(s["recordStatus"] == "new" and len(s["statementId"]) == 36 for s in statements)
    assert statements[0]["recordDetails"]["identifiers"] == [{"scheme": "JP-JCN", "id": "1234567890123"}]
    back = parse_bods(json.dumps(statements))
    assert back.problems == ()
    assert list(back.parties.values()) == parties
    assert back.interests == [interests[0], interests[1], interests[2], interests[3]]


def test_export_of_new_records_needs_a_publisher() -> None:
    document = BodsDocument.from_domain([Party("a", EntityKind.PERSON, "A", "JP")], [])
    with pytest.raises(ValueError, match="Publication"):
        export_bods(document)


def test_identifiers_are_scheme_then_id() -> None:
    assert parse_identifier("FI-PRO-3007894-1") == ("FI-PRO", "3007894-1")
    assert parse_identifier("JP-JCN-1234567890123") == ("JP-JCN", "1234567890123")
    assert parse_identifier("GB-COH-XE-08-A") == ("GB-COH", "XE-08-A")
    assert format_identifier("GB-COH", "03209885") == "GB-COH-03209885"
    for text in ("1234567890123", "JP-JCN-", "jp-jcn-1", "JPN-JCN-1"):
        with pytest.raises(ValueError, match="SCHEME-ID"):
            parse_identifier(text)


def test_decimal_percentages_stay_exact_through_import(bods: Path) -> None:
    # 76.5 + 23.5 must be exactly 100: in binary floating point it need not be.
    document = parse_bods((bods / "bods-package-fi-soe.json").read_bytes())
    gasgrid_stakes = [
        i.share.exact for i in document.stakes if i.owned == "19f1c5afe9d7" and i.share is not None
    ]
    assert sum(value for value in gasgrid_stakes if value is not None) == Decimal(100)
    assert validate_interests(document.interests) == []


# -- a generated package (tests/samples.py): the same import and export paths in any clone -------


def test_generated_package_imports_whole_with_kinds_countries_and_identifiers() -> None:
    document = parse_bods(json.dumps(samples.bods_package()).encode())
    assert document.problems == ()
    assert (len(document.entities), len(document.persons), len(document.relationships)) == (2, 1, 3)
    assert document.parties["co-jp"] == Party(
        "co-jp", EntityKind.REGISTERED_COMPANY, "Sample Seiki KK", "JP", ("JP-JCN-1234567890123",)
    )
    # No jurisdiction: the country comes from the GB-COH identifier.
    holding = document.parties["co-gb"]
    assert (holding.kind, holding.country, holding.identifiers) == (
        EntityKind.FOREIGN_COMPANY,
        "GB",
        ("GB-COH-01234567",),
    )
    assert (document.persons[0].name, document.persons[0].country) == ("Hanako Sample", "JP")
    stakes = {(i.owner, i.owned): i.share for i in document.stakes}
    assert stakes == {
        ("co-gb", "co-jp"): Share.exactly(60),
        ("person-1", "co-jp"): Share.exactly(40),
        ("person-1", "co-gb"): Share.exactly(100),
    }
    assert validate_interests(document.interests) == []


def test_generated_package_exports_back_to_the_same_statements() -> None:
    statements = samples.bods_package()
    assert export_bods(parse_bods(json.dumps(statements).encode())) == statements
