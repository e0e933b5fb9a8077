"""A weapon system's supplier base as the map and its surveys know it: every domestic and
foreign supplier of a part of its BOM, by tier, the sole sources, and the latest survey's
coverage. Counting is `domain.supplier_base`; this reads the rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.errors import N_, NotFound, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain.models import (
    ForeignSupplyRelation,
    SupplyRelation,
    SurveyCampaign,
    SurveyRespondent,
    WeaponSystem,
)
from shokei.supply_chain.survey.domain import RespondentStatus, SupplyFact, supplier_base
from shokei.supply_chain.survey.schemas import SupplierEntry, SurveyCoverage, SystemSupplyBase
from shokei.supply_chain.survey.services.support import (
    require,
    system_parts,
)


def system_supply_base(uow: UnitOfWork, actor: Actor, code: str) -> SystemSupplyBase:
    """Every supplier of the system's parts (the map's domestic and foreign pairs) counted once
    at the smallest tier it supplies at, the sole sources, and the latest survey's coverage.
    Officials and auditors."""
    require(actor, Permission.SUPPLY_READ)
    with uow:
        session = uow.session
        system = session.execute(select(WeaponSystem).where(WeaponSystem.code == code)).scalar_one_or_none()
        if system is None:
            raise NotFound(Text(N_("no weapon system %(code)s in the supply map"), {"code": code}))
        parts = system_parts(session, system.id)
        facts = _facts(session, parts)
        base = supplier_base(facts)
        foreign = {fact.supplier for fact in facts if fact.foreign}
        suppliers = [
            SupplierEntry(
                supplier=supplier,
                corporate_number=None if supplier in foreign else supplier,
                country=supplier.split("-", 1)[0] if supplier in foreign else None,
                registry_id=supplier.split("-", 1)[1] if supplier in foreign else None,
                foreign=supplier in foreign,
                tier=tier,
                sole_source=supplier in base.sole,
            )
            for supplier, tier in sorted(base.tiers.items(), key=lambda item: (item[1], item[0]))
        ]
        return SystemSupplyBase(
            code=system.code,
            name=system.name,
            parts=len(parts),
            companies=base.companies,
            by_tier={str(tier): count for tier, count in base.by_tier.items()},
            sole_sources=base.sole_sources,
            foreign=base.foreign,
            suppliers=suppliers,
            survey=_coverage(session, system.id),
        )


def _facts(session: Session, parts: dict[int, str]) -> list[SupplyFact]:
    facts: list[SupplyFact] = []
    ids = sorted(parts)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        domestic = session.execute(
            select(
                SupplyRelation.corporate_number,
                SupplyRelation.component_id,
                SupplyRelation.tier,
                SupplyRelation.qualified,
            ).where(SupplyRelation.component_id.in_(chunk))
        )
        facts.extend(SupplyFact(n, parts[c], t, q, foreign=False) for n, c, t, q in domestic)
        foreign = session.execute(
            select(
                ForeignSupplyRelation.country,
                ForeignSupplyRelation.registry_id,
                ForeignSupplyRelation.component_id,
                ForeignSupplyRelation.tier,
                ForeignSupplyRelation.qualified,
            ).where(ForeignSupplyRelation.component_id.in_(chunk))
        )
        facts.extend(SupplyFact(f"{k}-{r}", parts[c], t, q, foreign=True) for k, r, c, t, q in foreign)
    return facts


def _coverage(session: Session, system_id: int) -> SurveyCoverage:
    latest = session.execute(
        select(SurveyCampaign.id)
        .where(SurveyCampaign.system_id == system_id)
        .order_by(SurveyCampaign.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    counts = dict.fromkeys(RespondentStatus, 0)
    by_tier: dict[str, dict[str, int]] = {}
    if latest is not None:
        rows = session.execute(
            select(SurveyRespondent.tier, SurveyRespondent.status).where(
                SurveyRespondent.campaign_id == latest
            )
        )
        for tier, status in rows:
            counts[RespondentStatus(status)] += 1
            tier_counts = by_tier.setdefault(str(tier), {})
            tier_counts[status] = tier_counts.get(status, 0) + 1
    partial = counts[RespondentStatus.PARTIAL]
    return SurveyCoverage(
        campaign_id=latest,
        answered=counts[RespondentStatus.ANSWERED] + partial,
        partial=partial,
        unanswered=counts[RespondentStatus.UNANSWERED],
        pending=counts[RespondentStatus.PENDING],
        by_tier=dict(sorted(by_tier.items())),
    )
