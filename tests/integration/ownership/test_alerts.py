"""Ownership events raise foreign-control alerts with the chain behind them, and clear them.

The scenario is the one that shaped the program: a foreign company buys into a small maker of
submarine antennae through a Japanese holding company it controls.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from shokei.audit.models import AuditEntry
from shokei.errors import BadInput, Forbidden
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services
from shokei.ownership.schemas import AlertView, InterestChangeView
from tests.integration.ownership.conftest import Office


class Antennae:
    """北斗通信機 (an SME: ¥50M capital, 40 people), the holding company 北斗ホールディングス,
    and 华晨精密, a Chinese company holding 60 % of the holding and 5 % of the SME."""

    def __init__(self, uow: UnitOfWork, office: Office) -> None:
        self.uow, self.office = uow, office
        self.sme = office.company("北斗通信機株式会社", capital_yen=50_000_000, employees=40)
        self.holding = office.company(
            "北斗ホールディングス株式会社", capital_yen=5_000_000_000, employees=800
        )
        self.chinese = services.add_entity(
            uow,
            office.intake,
            kind="foreign_company",
            name="华晨精密机械有限公司",
            country="CN",
            identifiers=["CN-USCC-91110000MA01ABCD1X"],
        ).reference
        self.record(self.chinese, self.holding_number, "60")
        self.record(self.chinese, self.sme_number, "5")

    @property
    def sme_number(self) -> str:
        return self.sme.corporate_number or ""

    @property
    def holding_number(self) -> str:
        return self.holding.corporate_number or ""

    def record(self, owner: str, owned: str, share: str, on: date | None = None) -> InterestChangeView:
        return services.record_interest_change(
            self.uow,
            self.office.intake,
            owner=owner,
            owned=owned,
            share=share,
            on=on,
            source="大量保有報告書",
        )

    def open_alerts(self) -> list[tuple[str | None, float]]:
        return sorted(
            (alert.corporate_number, alert.threshold)
            for alert in services.list_alerts(self.uow, self.office.examiner, status="open")
        )


def test_a_purchase_lifting_an_sme_above_10_percent_raises_one_alert_and_a_sale_clears_it(
    uow: UnitOfWork, office: Office
) -> None:
    world = Antennae(uow, office)
    sme, holding = world.sme_number, world.holding_number
    assert world.open_alerts() == sorted(
        [(sme, 0.01), (holding, 0.01), (holding, 0.10), (holding, 0.25), (holding, 0.50)]
    )
    # The holding (60 % Chinese, so foreign under the 50 % rule) buys 15 % of the SME. Integrated:
    # 5 % + 0.6 * 15 % = 14 %; attributed: 5 % + 15 % = 20 %. Foreign control 20 %: past 10 %.
    bought = world.record(holding, sme, "15", on=date(2026, 5, 20))
    (alert,) = bought.alerts_raised
    assert (alert.corporate_number, alert.threshold, alert.status) == (sme, 0.10, "open")
    assert alert.measures == {
        "direct": pytest.approx(0.05),
        "integrated": pytest.approx(0.14),
        "attributed": pytest.approx(0.20),
        "foreign_control": pytest.approx(0.20),
    }
    assert _chain(alert) == [
        ("华晨精密机械有限公司", "CN", 0.60),
        ("北斗ホールディングス株式会社", "JP", 0.15),
        ("北斗通信機株式会社", "JP", None),
    ]
    assert alert.chain is not None
    assert alert.chain.share == pytest.approx(0.09)
    assert alert.cause == f"ownership event {bought.change_id}"
    assert bought.alerts_resolved == []
    assert (bought.before, bought.after, bought.recomputed) == (None, "15", 1)
    # The holding sells down to 3 %: 5 % + 3 % = 8 % attributed, 6.8 % integrated.
    sold = world.record(holding, sme, "3")
    assert sold.alerts_raised == []
    (cleared,) = sold.alerts_resolved
    assert (cleared.id, cleared.status, cleared.resolved_cause) == (
        alert.id,
        "resolved",
        f"ownership event {sold.change_id}",
    )
    assert cleared.resolved_measures is not None
    assert cleared.resolved_measures["foreign_control"] == pytest.approx(0.08)
    assert (sme, 0.10) not in world.open_alerts()
    assert (sme, 0.01) in world.open_alerts()


def test_a_change_high_up_reaches_every_company_below(uow: UnitOfWork, office: Office) -> None:
    world = Antennae(uow, office)
    world.record(world.holding_number, world.sme_number, "30")  # SME: 5 + 30 = 35 % attributed
    assert {(n, t) for n, t in world.open_alerts() if n == world.sme_number} == {
        (world.sme_number, 0.01),
        (world.sme_number, 0.10),
        (world.sme_number, 0.25),
    }
    # The Chinese company sells out of the holding: the holding is Japanese again, and so is the
    # SME's 30 %. Both companies are recomputed by the one event.
    change = world.record(world.chinese, world.holding_number, "0")
    assert change.recomputed == 2
    resolved = sorted((a.corporate_number, a.threshold) for a in change.alerts_resolved)
    assert resolved == sorted(
        [
            (world.holding_number, 0.01),
            (world.holding_number, 0.10),
            (world.holding_number, 0.25),
            (world.holding_number, 0.50),
            (world.sme_number, 0.10),
            (world.sme_number, 0.25),
        ]
    )
    assert world.open_alerts() == [(world.sme_number, 0.01)]


def test_thresholds_are_configurable_and_alerts_follow(uow: UnitOfWork, office: Office) -> None:
    world = Antennae(uow, office)
    change = services.set_thresholds(uow, office.manager, ["3", "5", "50"])
    assert change.levels == [0.03, 0.05, 0.50]
    # The SME (5 %) now reaches 3 % and 5 %; its 1 % alert and the holding's 1/10/25 % alerts
    # are no longer watched; the holding's 50 % stays.
    assert sorted((a.corporate_number, a.threshold) for a in change.alerts_raised) == sorted(
        [
            (world.sme_number, 0.03),
            (world.sme_number, 0.05),
            (world.holding_number, 0.03),
            (world.holding_number, 0.05),
        ]
    )
    assert len(change.alerts_resolved) == 4
    assert services.get_thresholds(uow, office.auditor).updated_by == "manager"
    with pytest.raises(BadInput, match="at most 100"):
        services.set_thresholds(uow, office.manager, ["1", "150"])
    with pytest.raises(Forbidden):
        services.set_thresholds(uow, office.examiner, ["1"])


def test_every_change_and_alert_is_in_the_ledger(uow: UnitOfWork, office: Office) -> None:
    world = Antennae(uow, office)
    world.record(world.holding_number, world.sme_number, "15")
    with uow.transaction() as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.like("ownership:%"))
                .order_by(AuditEntry.index)
            )
        )
    # add-entity; 60 % of the holding (four thresholds); 5 % of the SME (1 %); the purchase (10 %).
    assert actions == [
        "ownership:entity:create",
        "ownership:interest:change",
        *["ownership:alert:raise"] * 4,
        "ownership:interest:change",
        "ownership:alert:raise",
        "ownership:interest:change",
        "ownership:alert:raise",
    ]


def test_alerts_filter_by_company_and_status(uow: UnitOfWork, office: Office) -> None:
    world = Antennae(uow, office)
    alerts = services.list_alerts(uow, office.auditor, company=world.sme_number)
    assert [(a.threshold, a.status) for a in alerts] == [(0.01, "open")]
    assert services.list_alerts(uow, office.auditor, status="resolved") == []
    with pytest.raises(BadInput):
        services.list_alerts(uow, office.auditor, status="closed")
    with pytest.raises(Forbidden):
        services.list_alerts(uow, office.supplier)


def _chain(alert: AlertView) -> list[tuple[str, str | None, float | None]]:
    assert alert.chain is not None
    return [
        (step.name, step.country, None if step.holds is None else pytest.approx(step.holds))
        for step in alert.chain.path
    ]
