"""What the survey use cases share: permissions, the campaign and the acting respondent, the
parts of a system's BOM, and respondents as views."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.companies import services as companies
from shokei.errors import N_, Conflict, Forbidden, NotFound, Text
from shokei.kernel import Actor, Permission, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain.models import (
    BomLine,
    Component,
    SupplyRelation,
    SurveyAnswer,
    SurveyCampaign,
    SurveyRespondent,
    SystemComponent,
    WeaponSystem,
)
from shokei.supply_chain.survey.domain import CampaignStatus
from shokei.supply_chain.survey.schemas import RespondentView


def require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden(
            Text(
                N_("%(role)s may not %(permission)s"),
                {"role": role_name(actor.role), "permission": permission},
            )
        )


def sees_all(actor: Actor) -> bool:
    """Officials and auditors read every respondent's task and answer."""
    return actor.can(Permission.SUPPLY_READ)


def find_campaign(session: Session, campaign_id: int, *, open_only: bool = False) -> SurveyCampaign:
    found = session.get(SurveyCampaign, campaign_id)
    if found is None:
        raise NotFound(Text(N_("no survey %(campaign_id)s"), {"campaign_id": campaign_id}))
    if open_only and found.status != CampaignStatus.OPEN:
        raise Conflict(Text(N_("survey %(campaign_id)s is closed"), {"campaign_id": campaign_id}))
    return found


def system_code(session: Session, system_id: int) -> str:
    return session.execute(select(WeaponSystem.code).where(WeaponSystem.id == system_id)).scalar_one()


def own_number(uow: UnitOfWork, actor: Actor) -> str | None:
    """The corporate number of the company a supplier's user acts for."""
    if actor.company_id is None:
        return None
    view = companies.views_by_id(uow, [actor.company_id]).get(actor.company_id)
    return view.corporate_number if view else None


def find_respondent(session: Session, campaign_id: int, number: str) -> SurveyRespondent | None:
    return session.execute(
        select(SurveyRespondent).where(
            SurveyRespondent.campaign_id == campaign_id, SurveyRespondent.corporate_number == number
        )
    ).scalar_one_or_none()


def acting_respondent(uow: UnitOfWork, actor: Actor, campaign_id: int) -> SurveyRespondent:
    """The respondent the user answers for: its company must be asked in the campaign (read in
    the caller's transaction)."""
    require(actor, Permission.SURVEY_RESPOND)
    number = own_number(uow, actor)
    found = find_respondent(uow.session, campaign_id, number) if number else None
    if found is None:
        raise Forbidden(
            Text(N_("your company is not asked in survey %(campaign_id)s"), {"campaign_id": campaign_id})
        )
    return found


def latest_answer(session: Session, respondent_id: int) -> SurveyAnswer | None:
    return session.execute(
        select(SurveyAnswer)
        .where(SurveyAnswer.respondent_id == respondent_id, SurveyAnswer.accepted.is_(True))
        .order_by(SurveyAnswer.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def system_parts(session: Session, system_id: int) -> dict[int, str]:
    """Every component of a system's BOM (top-level ones and all below), id -> part number."""
    walk = select(SystemComponent.component_id.label("id")).where(SystemComponent.system_id == system_id)
    tree = walk.cte("system_tree", recursive=True)
    tree = tree.union(select(BomLine.child_id).join(tree, BomLine.parent_id == tree.c.id))
    rows = session.execute(select(Component.id, Component.part_number).join(tree, Component.id == tree.c.id))
    return dict(rows.all())


def supplied_parts(session: Session, number: str, parts: dict[int, str]) -> list[str]:
    """The parts of `parts` the map says the company supplies."""
    rows = session.execute(
        select(SupplyRelation.component_id).where(SupplyRelation.corporate_number == number)
    ).scalars()
    return sorted(parts[ident] for ident in rows if ident in parts)


def respondent_views(uow: UnitOfWork, respondents: Iterable[SurveyRespondent]) -> list[RespondentView]:
    session = uow.session
    listed: Sequence[SurveyRespondent] = sorted(respondents, key=lambda r: (r.tier, r.corporate_number))
    numbers = {r.id: r.corporate_number for r in listed}
    missing = {r.asked_by_id for r in listed if r.asked_by_id and r.asked_by_id not in numbers}
    if missing:
        rows = session.execute(
            select(SurveyRespondent.id, SurveyRespondent.corporate_number).where(
                SurveyRespondent.id.in_(missing)
            )
        )
        numbers.update(dict(rows.all()))
    return [
        RespondentView(
            corporate_number=r.corporate_number,
            name=_name(uow, r.corporate_number),
            tier=r.tier,
            status=r.status,
            asked_by=numbers.get(r.asked_by_id) if r.asked_by_id else None,
            asked_parts=list(r.asked_parts),
        )
        for r in listed
    ]


def _name(uow: UnitOfWork, number: str) -> str | None:
    company = companies.record_by_number(uow, number)
    return company.name if company else None
