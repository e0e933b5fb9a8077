"""Foreign control through the service: OFAC FAQ 401 worked examples, cross-holdings, CSV extracts.

OFAC FAQ 401 (https://ofac.treasury.gov/faqs/401) gives the 50 % rule examples: control
attribution must give OFAC's answer (blocked or not, with the aggregated share) and the
multiplicative rule the product of the stakes along each chain, summed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shokei.errors import BadInput, Forbidden, NotFound
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services
from tests.integration.ownership.conftest import Office


def _stakes(uow: UnitOfWork, office: Office, stakes: list[tuple[str, str, str]]) -> None:
    for owner, owned, share in stakes:
        services.record_interest_change(uow, office.intake, owner=owner, owned=owned, share=share)


def _blocked_person(uow: UnitOfWork, office: Office) -> str:
    """X: a foreign company (the "blocked person" of the FAQ), known by its register id."""
    x = services.add_entity(
        uow,
        office.intake,
        kind="foreign_company",
        name="X Holdings",
        country="RU",
        identifiers=["RU-OGRN-1027700000001"],
    )
    return x.reference


def test_ofac_example_3_attribution_50_and_multiplication_30(uow: UnitOfWork, office: Office) -> None:
    # X owns 50 % of A and 10 % of B; A owns 40 % of B. B is blocked: X's 10 % plus all of A's
    # 40 % (A is 50 % X's) = 50 %. Multiplied: 0.10 + 0.5 * 0.40 = 0.30.
    x = _blocked_person(uow, office)
    a = office.company("エー工業株式会社").corporate_number or ""
    b = office.company("ビー精機株式会社").corporate_number or ""
    _stakes(uow, office, [(x, a, "50"), (x, b, "10"), (a, b, "40")])
    view = services.foreign_control_of(uow, office.examiner, b)
    assert (view.direct_foreign, view.integrated_foreign, view.attributed_foreign) == (
        pytest.approx(0.10),
        pytest.approx(0.30),
        pytest.approx(0.50),
    )
    assert view.foreign_controlled
    assert view.foreign_control == pytest.approx(0.50)
    assert view.by_country == {"RU": pytest.approx(0.30)}
    assert [
        (round(c.share, 12), [s.reference for s in c.path], [s.holds for s in c.path]) for c in view.chains
    ] == [
        (0.2, [x, a, b], [pytest.approx(0.5), pytest.approx(0.4), None]),
        (0.1, [x, b], [pytest.approx(0.1), None]),
    ]


def test_ofac_example_1_a_chain_of_halves_is_blocked(uow: UnitOfWork, office: Office) -> None:
    # X owns 50 % of A, A owns 50 % of B: B is blocked (attributed 50 %); multiplied 25 %.
    x = _blocked_person(uow, office)
    a = office.company("エー工業株式会社").corporate_number or ""
    b = office.company("ビー精機株式会社").corporate_number or ""
    _stakes(uow, office, [(x, a, "50"), (a, b, "50")])
    view = services.foreign_control_of(uow, office.examiner, b)
    assert (view.integrated_foreign, view.attributed_foreign, view.foreign_controlled) == (
        pytest.approx(0.25),
        pytest.approx(0.50),
        True,
    )


def test_ofac_example_2_blocked_holdings_aggregate(uow: UnitOfWork, office: Office) -> None:
    # X owns 50 % of A and of B; A and B each own 25 % of C: C is blocked (25 + 25);
    # multiplied 0.5 * 0.25 * 2 = 0.25.
    x = _blocked_person(uow, office)
    a, b, c = (
        office.company(name).corporate_number or ""
        for name in ("エー株式会社", "ビー株式会社", "シー株式会社")
    )
    _stakes(uow, office, [(x, a, "50"), (x, b, "50"), (a, c, "25"), (b, c, "25")])
    view = services.foreign_control_of(uow, office.examiner, c)
    assert (view.integrated_foreign, view.attributed_foreign, view.foreign_controlled) == (
        pytest.approx(0.25),
        pytest.approx(0.50),
        True,
    )


def test_a_minority_passes_no_control_but_its_share_is_counted(uow: UnitOfWork, office: Office) -> None:
    # FAQ 401: X owns 40 % of A, A owns all of B: B is not blocked, yet X holds 40 % of it.
    x = _blocked_person(uow, office)
    a = office.company("エー工業株式会社").corporate_number or ""
    b = office.company("ビー精機株式会社").corporate_number or ""
    _stakes(uow, office, [(x, a, "40"), (a, b, "100")])
    view = services.foreign_control_of(uow, office.examiner, b)
    assert (view.integrated_foreign, view.attributed_foreign, view.foreign_controlled) == (
        pytest.approx(0.40),
        0.0,
        False,
    )


def test_cross_holdings_converge_to_the_hand_solution(
    uow: UnitOfWork, office: Office, tmp_path: Path
) -> None:
    # F (Chinese) holds 50 % of A; A and B hold 20 % of each other. x_A = 0.5 + 0.2 x_B and
    # x_B = 0.2 x_A, so x_A = 0.5 / 0.96 = 25/48 and x_B = 5/48. Entered as a register extract.
    a = office.company("相互持合工業株式会社").corporate_number
    b = office.company("相互持合商事株式会社").corporate_number
    extract = tmp_path / "extract.csv"
    extract.write_text(
        "owned,owner,share,owner_name,owner_kind,owner_country,date,source\n"
        f"{a},CN-USCC-91110000MA01ABCD1X,50,华晨精密机械有限公司,foreign_company,CN,2026-04-01,有価証券報告書\n"
        f"{b},{a},20,,,,2026-04-01,\n"
        f"{a},{b},20,,,,2026-04-01,\n",
        encoding="utf-8",
    )
    report = services.import_csv(uow, office.intake, extract)
    assert (report.read, report.imported, report.rejected) == (3, {"interests": 3, "entities": 1}, [])
    view_a = services.foreign_control_of(uow, office.examiner, a or "")
    view_b = services.foreign_control_of(uow, office.examiner, b or "")
    assert view_a.integrated_foreign == pytest.approx(25 / 48)
    assert view_b.integrated_foreign == pytest.approx(5 / 48)
    assert view_a.by_country == {"CN": pytest.approx(25 / 48)}
    # A holds 20 % of itself through B: 0.2 * 0.2 = 0.04, counted in the integrated figure.
    owners = {owner.name: owner.integrated for owner in view_a.owners}
    assert owners["相互持合商事株式会社"] == pytest.approx(0.2 / 0.96)


def test_csv_rows_that_cannot_be_used_are_reported_by_line(
    uow: UnitOfWork, office: Office, tmp_path: Path
) -> None:
    a = office.company("行番号工業株式会社").corporate_number
    extract = tmp_path / "extract.csv"
    extract.write_text(
        "owned,owner,share,owner_name,owner_kind,owner_country\n"
        f"{a},US-EIN-12-3456789,30,Pacific Components Holdings Inc.,foreign_company,US\n"  # 2 ok
        f"{a},US-EIN-98-7654321,-5,Other Inc.,foreign_company,US\n"  # 3
        f"{a},US-EIN-98-7654321,80,Other Inc.,foreign_company,US\n"  # 4: 110 %
        f"9999999999999,US-EIN-12-3456789,10,,,\n"  # 5
        f"{a},someone,10,,,\n"  # 6
        f"{a},US-EIN-12-3456789,45,,,\n",
        encoding="utf-8",
    )  # 7 ok
    report = services.import_csv(uow, office.intake, extract)
    assert [(item.position, item.reason) for item in report.rejected] == [
        (3, "share '-5' must be between 0 and 100 (percent)"),
        (4, "the owners of 行番号工業株式会社 would hold more than 100 %"),
        (
            5,
            "no entity '9999999999999': register the company, import it, or add it with "
            "`shokei ownership add-entity`",
        ),
        (6, "owner 'someone' is unknown: give owner_name and owner_kind to add it"),
    ]
    # Row 7 replaced row 2's 30 % with 45 %: a stake is set, not added to.
    assert services.foreign_control_of(uow, office.examiner, a or "").direct_foreign == pytest.approx(0.45)


def test_an_event_that_would_oversubscribe_or_close_a_loop_is_refused(
    uow: UnitOfWork, office: Office
) -> None:
    a = office.company("エー工業株式会社").corporate_number or ""
    b = office.company("ビー精機株式会社").corporate_number or ""
    x = _blocked_person(uow, office)
    _stakes(uow, office, [(x, a, "70")])
    with pytest.raises(BadInput, match="more than 100 %"):
        services.record_interest_change(uow, office.intake, owner=b, owned=a, share="31")
    # A holds all of B, B 30 % of A: a cross-holding, fine while X holds the rest of A.
    _stakes(uow, office, [(a, b, "100"), (b, a, "30"), (x, a, "0")])
    # B taking all of A would leave A and B holding only each other: nobody owns them.
    with pytest.raises(BadInput, match="loop that holds itself entirely"):
        services.record_interest_change(uow, office.intake, owner=b, owned=a, share="100")
    with pytest.raises(BadInput, match="cannot hold shares in itself"):
        services.record_interest_change(uow, office.intake, owner=a, owned=a, share="1")
    with pytest.raises(BadInput, match="future"):
        services.record_interest_change(uow, office.intake, owner=x, owned=a, share="1", on=date(2026, 6, 2))
    assert services.foreign_control_of(uow, office.examiner, a).owners[0].direct == pytest.approx(0.30)


def test_references_and_permissions(uow: UnitOfWork, office: Office) -> None:
    registered = office.company("未登録持分株式会社").corporate_number or ""
    # A registry company nobody recorded holders of: known, and nothing foreign.
    view = services.foreign_control_of(uow, office.auditor, registered)
    assert (view.entity.name, view.foreign_control, view.chains) == ("未登録持分株式会社", 0.0, [])
    with pytest.raises(NotFound):
        services.foreign_control_of(uow, office.auditor, "no-such-record")
    for actor in (office.supplier, office.admin):
        with pytest.raises(Forbidden):
            services.foreign_control_of(uow, actor, registered)
    for actor in (office.examiner, office.auditor, office.supplier):
        with pytest.raises(Forbidden):
            services.record_interest_change(uow, actor, owner=registered, owned=registered, share="1")
