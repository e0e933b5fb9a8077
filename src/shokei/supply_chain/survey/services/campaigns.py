"""Campaign use cases: open a survey, its status, a company's tasks, forward it down a tier, the
answer form, and closing it (silence becomes a `SurveyUnanswered` event)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from shokei.companies.domain import CorporateNumber
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text
from shokei.kernel import Actor, Permission, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain.batch import MAX_TIER
from shokei.supply_chain.models import (
    BomLine,
    Component,
    SupplyRelation,
    SurveyCampaign,
    SurveyRespondent,
    WeaponSystem,
)
from shokei.supply_chain.survey import sheets
from shokei.supply_chain.survey.domain import (
    CampaignStatus,
    RespondentStatus,
    SurveyClosed,
    SurveyRequested,
    SurveyUnanswered,
    closing_status,
)
from shokei.supply_chain.survey.schemas import (
    CampaignCreated,
    CampaignStatusView,
    CampaignSummary,
    CascadeReport,
    ClosingReport,
    TaskView,
)
from shokei.supply_chain.survey.services.answers import answer_rows
from shokei.supply_chain.survey.services.support import (
    acting_respondent,
    find_campaign,
    find_respondent,
    latest_answer,
    own_number,
    require,
    respondent_views,
    sees_all,
    supplied_parts,
    system_code,
    system_parts,
)

MAX_RESPONDENTS = 10_000


def _numbers(raw: Sequence[str]) -> list[str]:
    numbers = list(dict.fromkeys(CorporateNumber.parse(text).value for text in raw if text.strip()))
    if not numbers:
        raise BadInput(Text(N_("name at least one respondent by corporate number")))
    if len(numbers) > MAX_RESPONDENTS:
        raise BadInput(
            Text(N_("at most %(max_respondents)s respondents at once"), {"max_respondents": MAX_RESPONDENTS})
        )
    return numbers


def create_campaign(
    uow: UnitOfWork, actor: Actor, system: str, *, due_on: date, respondents: Sequence[str]
) -> CampaignCreated:
    """Open a survey of a weapon system and ask its primes (tier 1): each gets a task asking
    about the parts of the system the map says it supplies (and, through `SurveyRequested`, a
    notice and a reminder before the due date). Intake officers and program managers. Audited."""
    require(actor, Permission.SURVEY_MANAGE)
    if due_on < uow.clock.today():
        raise BadInput(Text(N_("the due date %(due_on)s has passed"), {"due_on": due_on}))
    numbers = _numbers(respondents)
    with uow:
        session = uow.session
        found = session.execute(select(WeaponSystem).where(WeaponSystem.code == system)).scalar_one_or_none()
        if found is None:
            raise NotFound(Text(N_("no weapon system %(system)s in the supply map"), {"system": system}))
        now = uow.clock.now()
        campaign = SurveyCampaign(
            system_id=found.id,
            due_on=due_on,
            status=CampaignStatus.OPEN,
            created_at=now,
            created_by=actor.username,
        )
        session.add(campaign)
        session.flush()
        parts = system_parts(session, found.id)
        for number in numbers:
            session.add(
                _respondent(
                    uow,
                    campaign.id,
                    number,
                    tier=1,
                    asked_by=None,
                    parts=supplied_parts(session, number, parts),
                )
            )
        session.flush()
        uow.record(
            "supply_chain:survey:create",
            "survey_campaign",
            campaign.id,
            actor,
            details={"system": system, "due_on": due_on.isoformat(), "respondents": numbers},
        )
        for number in numbers:
            uow.publish(SurveyRequested(campaign.id, system, number, due_on))
        return CampaignCreated(id=campaign.id, status=campaign.status)


def _respondent(
    uow: UnitOfWork, campaign_id: int, number: str, *, tier: int, asked_by: int | None, parts: list[str]
) -> SurveyRespondent:
    return SurveyRespondent(
        campaign_id=campaign_id,
        corporate_number=number,
        tier=tier,
        asked_by_id=asked_by,
        status=RespondentStatus.PENDING,
        asked_parts=parts,
        asked_at=uow.clock.now(),
    )


def campaign_status(uow: UnitOfWork, actor: Actor, campaign_id: int) -> CampaignStatusView:
    """Who was asked by whom, at which tier, and who answered. Officials and auditors see every
    respondent; a respondent's user sees only its own company's task."""
    with uow:
        session = uow.session
        campaign = find_campaign(session, campaign_id)
        query = select(SurveyRespondent).where(SurveyRespondent.campaign_id == campaign_id)
        if not sees_all(actor):
            query = query.where(
                SurveyRespondent.corporate_number
                == acting_respondent(uow, actor, campaign_id).corporate_number
            )
        respondents = session.execute(query).scalars().all()
        return CampaignStatusView(
            id=campaign.id,
            system=system_code(session, campaign.system_id),
            due_on=campaign.due_on,
            status=campaign.status,
            respondents=respondent_views(uow, respondents),
        )


def list_campaigns(uow: UnitOfWork, actor: Actor) -> list[CampaignSummary]:
    """Every campaign, newest first, with its respondents counted by status. Officials and
    auditors (a respondent sees its own tasks, `my_tasks`)."""
    require(actor, Permission.SUPPLY_READ)
    with uow:
        session = uow.session
        rows = session.execute(
            select(SurveyCampaign, WeaponSystem.code, WeaponSystem.name)
            .join(WeaponSystem, WeaponSystem.id == SurveyCampaign.system_id)
            .order_by(SurveyCampaign.id.desc())
        ).all()
        counts: dict[int, dict[str, int]] = {}
        for campaign_id, status, count in session.execute(
            select(SurveyRespondent.campaign_id, SurveyRespondent.status, func.count()).group_by(
                SurveyRespondent.campaign_id, SurveyRespondent.status
            )
        ):
            counts.setdefault(campaign_id, {})[status] = count
        return [
            CampaignSummary(
                id=campaign.id,
                system=code,
                system_name=name,
                due_on=campaign.due_on,
                status=campaign.status,
                created_at=campaign.created_at,
                created_by=campaign.created_by,
                respondents=sum(counts.get(campaign.id, {}).values()),
                by_status=counts.get(campaign.id, {}),
            )
            for campaign, code, name in rows
        ]


def my_tasks(uow: UnitOfWork, actor: Actor) -> list[TaskView]:
    """The surveys addressed to the user's company, newest first (its portal task list)."""
    require(actor, Permission.SURVEY_RESPOND)
    with uow:
        session = uow.session
        number = own_number(uow, actor)
        if number is None:
            return []
        rows = session.execute(
            select(SurveyRespondent, SurveyCampaign, WeaponSystem.code)
            .join(SurveyCampaign, SurveyCampaign.id == SurveyRespondent.campaign_id)
            .join(WeaponSystem, WeaponSystem.id == SurveyCampaign.system_id)
            .where(SurveyRespondent.corporate_number == number)
            .order_by(SurveyCampaign.id.desc())
        ).all()
        return [
            TaskView(
                campaign_id=campaign.id,
                system=code,
                due_on=campaign.due_on,
                campaign_status=campaign.status,
                tier=task.tier,
                status=task.status,
                asked_parts=list(task.asked_parts),
            )
            for task, campaign, code in rows
        ]


def cascade(uow: UnitOfWork, actor: Actor, campaign_id: int, to: Sequence[str]) -> CascadeReport:
    """Forward the survey to suppliers named in the respondent's own accepted answer: they become
    respondents one tier below, asked about the parts they were named for. A respondent's user.
    Audited."""
    numbers = _numbers(to)
    with uow:
        session = uow.session
        campaign = find_campaign(session, campaign_id, open_only=True)
        asking = acting_respondent(uow, actor, campaign_id)
        answer = latest_answer(session, asking.id)
        if answer is None:
            raise Conflict(
                Text(N_("answer the survey first: you forward it to the suppliers your answer names"))
            )
        named = answer_rows(answer).suppliers_of_parts()
        strangers = [n for n in numbers if n not in named or n == asking.corporate_number]
        if strangers:
            raise BadInput(
                Text(
                    N_("not named as your suppliers in your answer: %(strangers)s"),
                    {"strangers": ", ".join(strangers)},
                )
            )
        added, already = [], []
        for number in numbers:
            if find_respondent(session, campaign_id, number) is not None:
                already.append(number)
                continue
            tier = min(asking.tier + 1, MAX_TIER)
            new = _respondent(
                uow, campaign_id, number, tier=tier, asked_by=asking.id, parts=sorted(named[number])
            )
            session.add(new)
            added.append(new)
        session.flush()
        uow.record(
            "supply_chain:survey:cascade",
            "survey_campaign",
            campaign_id,
            actor,
            details={
                "from": asking.corporate_number,
                "to": [r.corporate_number for r in added],
                "already": already,
            },
        )
        code = system_code(session, campaign.system_id)
        for new in added:
            uow.publish(SurveyRequested(campaign_id, code, new.corporate_number, campaign.due_on))
        return CascadeReport(added=respondent_views(uow, added), already_asked=already)


def close_campaign(uow: UnitOfWork, actor: Actor, campaign_id: int) -> ClosingReport:
    """Close a survey: every respondent still pending is marked unanswered and a
    `SurveyUnanswered` event is published for it (the risk feature records a
    `survey_unanswered` risk event in the same transaction). Intake officers and program
    managers. Audited."""
    require(actor, Permission.SURVEY_MANAGE)
    with uow:
        session = uow.session
        campaign = find_campaign(session, campaign_id, open_only=True)
        code = system_code(session, campaign.system_id)
        respondents = session.execute(
            select(SurveyRespondent)
            .where(SurveyRespondent.campaign_id == campaign_id)
            .order_by(SurveyRespondent.corporate_number)
        ).scalars()
        unanswered, partial = [], []
        for respondent in respondents:
            respondent.status = closing_status(RespondentStatus(respondent.status))
            if respondent.status == RespondentStatus.UNANSWERED:
                unanswered.append(respondent.corporate_number)
            elif respondent.status == RespondentStatus.PARTIAL:
                partial.append(respondent.corporate_number)
        campaign.status, campaign.closed_at, campaign.closed_by = (
            CampaignStatus.CLOSED,
            uow.clock.now(),
            actor.username,
        )
        session.flush()
        uow.record(
            "supply_chain:survey:close",
            "survey_campaign",
            campaign_id,
            actor,
            details={"system": code, "unanswered": unanswered, "partial": partial},
        )
        for number in unanswered:
            uow.publish(SurveyUnanswered(campaign_id, code, number, uow.clock.today(), actor))
        uow.publish(SurveyClosed(campaign_id))
        return ClosingReport(id=campaign_id, status=campaign.status, unanswered=unanswered, partial=partial)


def template(uow: UnitOfWork, actor: Actor, campaign_id: int) -> bytes:
    """The XLSX answer form with Japanese instructions. A respondent's form is pre-filled with
    what the map knows about its company: the parts it supplies in the system, what they are
    made of, and the rows of its own latest answer. Officials get the form with the system's
    parts listed. Respondents' users, officials and auditors."""
    with uow:
        session = uow.session
        campaign = find_campaign(session, campaign_id)
        code = system_code(session, campaign.system_id)
        parts = system_parts(session, campaign.system_id)
        if sees_all(actor) or actor.can(Permission.SURVEY_MANAGE):
            components = _components(session, sorted(parts.values()))
            return sheets.write_template(
                system_code=code,
                due_on=campaign.due_on,
                respondent=None,
                components=components,
                bom=[],
                supply=[],
            )
        if not actor.is_company_bound:
            raise Forbidden(Text(N_("%(role)s may not read survey forms"), {"role": role_name(actor.role)}))
        asked = acting_respondent(uow, actor, campaign_id)
        return _prefilled(session, asked, code, campaign.due_on, parts)


def _prefilled(
    session: Session, asked: SurveyRespondent, code: str, due_on: date, parts: dict[int, str]
) -> bytes:
    number = asked.corporate_number
    own = session.execute(
        select(Component.part_number, SupplyRelation.tier, SupplyRelation.share, SupplyRelation.qualified)
        .join(Component, Component.id == SupplyRelation.component_id)
        .where(SupplyRelation.corporate_number == number)
        .order_by(Component.part_number)
    ).all()
    mine = sorted({part for part, *_ in own if part in parts.values()} | set(asked.asked_parts))
    supply: dict[tuple[str, str], tuple[str | None, str | None, str | None, str, int, float | None, bool]] = {
        (number, part): (number, None, None, part, tier, share, qualified)
        for part, tier, share, qualified in own
        if part in mine
    }
    for part in asked.asked_parts:
        supply.setdefault((number, part), (number, None, None, part, asked.tier, None, True))
    previous = latest_answer(session, asked.id)
    if previous is not None:
        for row in answer_rows(previous).supply:
            foreign = row.foreign
            key = (row.supplier, row.part_number)
            supply[key] = (
                row.corporate_number,
                foreign.country if foreign else None,
                foreign.registry_id if foreign else None,
                row.part_number,
                row.tier,
                row.share,
                row.qualified,
            )
    bom = _bom_below(session, mine)
    components = _components(session, sorted(set(mine) | {child for _, child, _ in bom}))
    return sheets.write_template(
        system_code=code,
        due_on=due_on,
        respondent=number,
        components=components,
        bom=bom,
        supply=[supply[key] for key in sorted(supply)],
    )


def _components(session: Session, part_numbers: list[str]) -> list[tuple[str, str | None]]:
    if not part_numbers:
        return []
    rows = session.execute(
        select(Component.part_number, Component.name)
        .where(Component.part_number.in_(part_numbers))
        .order_by(Component.part_number)
    )
    return [(part, name) for part, name in rows]


def _bom_below(session: Session, part_numbers: list[str]) -> list[tuple[str, str, float]]:
    """The BOM lines directly below the respondent's parts."""
    if not part_numbers:
        return []
    parent, child = aliased(Component), aliased(Component)
    rows = session.execute(
        select(parent.part_number, child.part_number, BomLine.quantity)
        .join(parent, parent.id == BomLine.parent_id)
        .join(child, child.id == BomLine.child_id)
        .where(parent.part_number.in_(part_numbers))
        .order_by(parent.part_number, child.part_number)
    )
    return [(a, b, q) for a, b, q in rows]
